"""Build variants in worker processes, each under a time limit enforced from outside.

A worker renders one variant, runs every writer on it and checks the audience's budgets,
all in memory; it writes nothing to the output folder. Only when a worker hands back a
finished variant does this process write its files (:func:`memo.output.atomic_write`).
So a variant that runs over its time limit, or crashes its process, cannot leave a file
behind, whatever it was doing when it stopped.

The pool is pebble's: it ends a worker whose task is overdue (SIGTERM, then SIGKILL) and
starts a fresh one, and a worker that dies fails only the task it was running. Every
task gets a temporary folder of its own as ``TMPDIR``, removed when the task ends, so
what WeasyPrint or a library unpacks there does not outlive a worker that was ended.

One job or many, every variant is built the same way: in a worker.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from memo.errors import MemoError, display_path
from memo.output import Artifact, atomic_write
from memo.plan import Variant
from memo.theme import Theme
from memo.writers import FORMATS, SCRATCH, Options


@dataclass(frozen=True)
class Job:
    """What every variant of one build shares; sent to each worker with its task."""

    project: Any
    theme: Theme
    out: Path
    options: Options
    created: str | None  # the documents' date (ISO 8601), when not the memo's own
    time_limit: float | None = None  # seconds one variant may take
    review_notes: bool = False  # the open notes of review.yaml shown (Word comments)
    inputs: Any = None  # memo.cache.Inputs: what each artifact's inputs hash covers


@dataclass
class Outcome:
    """What happened to one variant: ``built``, ``skipped`` (up to date) or ``failed``."""

    variant: str
    status: str
    artifacts: list[Artifact] = field(default_factory=list)
    message: str = ""
    seconds: float = 0.0
    font_places: dict[str, str] = field(default_factory=dict)  # system fonts: key -> path

    @property
    def pages(self) -> int | None:
        return next((a.pages for a in self.artifacts if a.pages), None)

    @property
    def words(self) -> int | None:
        return self.artifacts[0].words if self.artifacts else None


@dataclass
class Made:
    """A variant a worker finished: its new files, not yet written."""

    files: list[tuple[Artifact, bytes]]
    font_places: dict[str, str]
    seconds: float


Task = tuple[Variant, tuple[str, ...], list[Artifact]]  # stale formats, declared, current


def make(job: Job, variant: Variant, declared: tuple[str, ...]) -> Made:
    """Render ``variant`` once and run the writer of each of its formats (``declared``
    are all the formats it has, up to date or not); raise
    :class:`~memo.errors.MemoError` if it is over the audience's budgets. Writes nothing.
    Each artifact records the content files it was made from, and the hash of its inputs
    over those files alone (:mod:`memo.reads`)."""
    from memo import render as rendering
    from memo.writers import paged, writer

    start = time.perf_counter()
    project, theme = job.project, job.theme
    # marked: the DOCX carries where each field's text came from, for `memo absorb`
    doc = rendering.render(project, variant.audience, theme, variant.lang,
                           created=job.created, marks=True,
                           review_notes=job.review_notes)
    words = doc.words()
    options = _options(job, variant, doc)
    outputs = {fmt: writer(fmt)(doc, theme, options) for fmt in variant.formats}
    budget = project.audiences[variant.audience].budget
    over = []
    counter = paged()
    # the paged format counts the pages, written or not; unless its file is up to date
    # (among the inputs, not rebuilt): then it met the budget, from these same inputs
    if budget.pages and (counter.name in outputs or counter.name not in declared):
        pages = (outputs.get(counter.name) or counter(doc, theme, options)).pages
        if pages > budget.pages:
            over.append(f"{variant.name}.{counter.name}: {pages} pages, budget {budget.pages}")
    if budget.words and words > budget.words:
        over.append(f"{variant.name}: {words} words, budget {budget.words}")
    if over:
        raise MemoError("over budget: " + "; ".join(over) + " (its files were not written)")
    files, places = [], {}
    for fmt, output in outputs.items():
        reads = sorted(doc.reads | set(output.embeds))
        inputs = job.inputs.of(variant, fmt, reads) if job.inputs is not None else ""
        files.append((Artifact(f"{variant.name}.{fmt}", variant.name, variant.audience,
                               variant.lang, fmt, hashlib.sha256(output.data).hexdigest(),
                               len(output.data), words, inputs, output.pages,
                               [f.record() for f in output.fonts],
                               marking=doc.meta("memo.marking") or None,
                               status=doc.meta("memo.status") or None, reads=reads),
                      output.data))
        places.update(output.font_places)
    return Made(files, places, time.perf_counter() - start)


def _options(job: Job, variant: Variant, doc) -> Options:
    """The job's options, the content files this variant may carry named: an audience
    with a ``release`` limit only those it read that hold nothing above the limit."""
    if not job.options.sources:
        return job.options
    from dataclasses import replace

    from memo.markings import releasable
    from memo.reads import EVERY

    profile = job.project.audiences[variant.audience]
    if profile.release is None:
        return job.options
    read = {n for n, _ in job.options.sources} if EVERY in doc.reads else doc.reads
    return replace(job.options, carries=releasable(job.project, profile, read))


def _task(job: Job, variant: Variant, declared: tuple[str, ...], tmp: str):
    """In a worker: :func:`make`, with the outcome of a failure as a value (so that
    nothing unpicklable crosses back), and temporary files kept in ``tmp``; then the
    memory it used given back (:func:`_released`)."""
    return _released(_attempt(job, variant, declared, tmp))


def _attempt(job: Job, variant: Variant, declared: tuple[str, ...], tmp: str):
    os.environ["TMPDIR"] = tmp
    tempfile.tempdir = tmp
    start = time.perf_counter()
    try:
        return make(job, variant, declared)
    except MemoError as exc:
        message = str(exc)
    except OSError as exc:  # a full disk or a read-only temp folder, met inside a library
        where = display_path(Path(exc.filename)) if exc.filename else \
            f"a temporary file in {tmp}"
        message = f"cannot write {where}: {exc.strerror or exc}"
    except Exception as exc:  # a bug: say so, keep building the other variants
        detail = "\n" + traceback.format_exc() if os.environ.get("MEMO_DEBUG") else ""
        message = f"internal error: {type(exc).__name__}: {exc}{detail}"
    return Outcome(variant.name, "failed", message=message,
                   seconds=time.perf_counter() - start)


def _released(result):
    """``result``, after this worker gave back what its last variant left: its cycles
    collected (a laid-out page's boxes point at each other) and, on glibc, its freed heap
    returned to the system. A worker's memory is then what its largest variant takes,
    not the sum of what its variants left behind (the 50-variant matrix, bench/scale.py)."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, musl): it keeps its heap
        pass
    return result


def _worker_started(scratch: str, theme: Theme, formats: tuple[str, ...]) -> None:
    """The parent decides when its workers stop: Ctrl-C reaches the whole process group,
    and a `kill` of memo's own SIGTERM handler (inherited through fork) would unwind a
    worker the pool is ending instead of ending it. Then each writer prepares (imports
    WeasyPrint, parses the theme) while the parent is still validating the content:
    those of ``formats``, the formats the build may write."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.environ[SCRATCH] = scratch
    from memo.writers import writer

    for fmt in formats:
        try:  # an unknown format too: the plan refuses it, in the parent
            w = writer(fmt)
            if w.prepare is not None:
                w.prepare(theme)
        except Exception:  # noqa: BLE001 (the task meets it again, and says what it is)
            pass


def _start_method():
    """fork, so a worker starts in milliseconds with this process's modules loaded; but
    not from a process running other threads (a host application, `memo serve`), where a
    fork can copy a lock another thread holds: there, a clean forkserver."""
    import multiprocessing

    threads = [t for t in threading.enumerate() if t.is_alive()]
    return multiprocessing.get_context("fork" if len(threads) <= 1 else "forkserver")


class Workers:
    """The worker processes of one build, started before its content is validated.

    A worker's first half second goes to importing WeasyPrint and python-docx and to
    parsing the theme (:attr:`memo.writers.Writer.prepare`); started first, the workers
    do that while this process loads and checks the content. Content that fails
    validation stops them before they built anything; leaving the ``with`` block
    otherwise waits for them to finish. Their temporary files live in one folder,
    removed at the end, whatever became of the workers.
    """

    def __init__(self, jobs: int, theme: Theme, formats: tuple[str, ...] = FORMATS):
        from pebble import ProcessPool

        context = _start_method()  # before the pool's own threads start
        self.scratch = tempfile.mkdtemp(prefix="memo-build-")
        self.pool = ProcessPool(max_workers=jobs, initializer=_worker_started,
                                initargs=(self.scratch, theme, tuple(formats)),
                                context=context)
        self.pool.schedule(os.getpid)  # the pool starts its workers for its first task
        self.used = False

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind, *_) -> None:
        if kind is None and self.used:
            self.pool.close()
        else:  # invalid content, an interruption, or nothing to build: end them now
            self.pool.stop()
        self.pool.join()
        shutil.rmtree(self.scratch, ignore_errors=True)


def run(job: Job, todo: list[Task], workers: Workers) -> Iterator[Outcome]:
    """Build ``todo`` in ``workers``; yield each outcome as it comes, its files already
    written."""
    if not todo:
        return
    from concurrent.futures import TimeoutError as Overdue
    from concurrent.futures import as_completed

    from pebble import ProcessExpired

    workers.used = True
    # the heaviest variants (the fullest profiles) first, so no core idles at the end
    todo = sorted(todo, key=lambda t: -len(job.project.audiences[t[0].audience].sections))
    futures = {}
    for variant, declared, current in todo:
        tmp = tempfile.mkdtemp(prefix=f"{variant.name}-", dir=workers.scratch)
        futures[workers.pool.schedule(_task, (job, variant, declared, tmp),
                                      timeout=job.time_limit)] = (variant, current, tmp)
    for future in as_completed(futures):
        variant, current, tmp = futures[future]
        try:
            made = future.result()
        except Overdue:
            made = Outcome(variant.name, "failed", seconds=job.time_limit or 0.0,
                           message=f"took longer than {job.time_limit:g} s, the limit "
                           "for one variant (--time-limit); its files were not written")
        except ProcessExpired as exc:
            made = Outcome(variant.name, "failed", message="the process building it "
                           f"died ({_death(exc.exitcode)}); its files were not written")
        except Exception as exc:  # the task could not be sent: a bug
            made = Outcome(variant.name, "failed",
                           message=f"internal error: {type(exc).__name__}: {exc}")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        yield _written(job.out, variant, made, current)


def _written(out: Path, variant: Variant, made: Made | Outcome,
             current: list[Artifact]) -> Outcome:
    if isinstance(made, Outcome):
        return made
    try:
        for artifact, data in made.files:
            atomic_write(out / artifact.path, data)
    except MemoError as exc:
        return Outcome(variant.name, "failed", message=str(exc), seconds=made.seconds)
    arts = sorted(current + [a for a, _ in made.files], key=lambda a: FORMATS.index(a.format))
    return Outcome(variant.name, "built", arts, seconds=made.seconds,
                   font_places=made.font_places)


def _death(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit status {code}"
