"""Build variants: skip what is up to date, build the rest in parallel, keep going when
one fails.

``memo build`` and ``memo batch`` both come here. :func:`build` plans the variants
(:mod:`memo.plan`), checks each artifact against the manifest (:mod:`memo.cache`), and
builds the stale ones in worker processes, one variant per task: a worker renders the
variant once, runs every writer on the result, checks the audience's page and word
budgets, and only then writes the files (:mod:`memo.output`), so a variant over budget
leaves its previous files alone. One variant failing does not stop the others.
"""

from __future__ import annotations

import hashlib
import os
import signal
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from memo.cache import Inputs, cached_plan, currency, remember_plan
from memo.errors import MemoError, display_path
from memo.fonts import Checker as FontChecker
from memo.fonts import remember as remember_fonts
from memo.output import Artifact, atomic_write, locked, read_manifest, shard_record, write_manifest
from memo.plan import Variant, plan
from memo.theme import Theme, as_theme
from memo.writers import FORMATS, PDF_VARIANTS, Options


@dataclass
class Failure:
    variant: str
    message: str


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
class Result:
    out: Path
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def artifacts(self) -> list[Artifact]:
        return [a for o in self.outcomes for a in o.artifacts]

    @property
    def failures(self) -> list[Failure]:
        return [Failure(o.variant, o.message) for o in self.outcomes if o.status == "failed"]

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def ok(self) -> bool:
        return not self.failures


def _preload() -> None:
    """Import the renderers: a worker does this as it starts, while the parent process is
    still validating the content, so the two overlap."""
    import weasyprint

    import memo.render  # noqa: F401
    import memo.writers.docx  # noqa: F401
    import memo.writers.html  # noqa: F401
    import memo.writers.pdf  # noqa: F401

    # the first PDF a process writes pays for WeasyPrint's lazy set-up (Pango, the
    # HarfBuzz subsetter's bindings): pay it here, in the overlap
    weasyprint.HTML(string="<p>memo</p>").write_pdf()


@dataclass(frozen=True)
class Job:
    """What every variant of one build shares; sent to each worker with its task."""

    project: Any
    theme: Theme
    out: Path
    options: Options
    created: str | None  # the documents' date (ISO 8601), when not the memo's own
    time_limit: float | None = None  # seconds one variant may take


class _TimeUp(BaseException):
    """Not an Exception: libraries' own ``except Exception`` must not swallow it."""


# The alarm of the variant being built: armed by _limit, fired by _time_up; "fired"
# stays set even where a finalizer swallowed the _TimeUp it raised.
_alarm = {"armed": False, "fired": False}


def _time_up(signum, frame):
    _alarm["fired"] = True
    raise _TimeUp


def _in_time() -> None:
    """Before the files are written: stop the alarm, and give up if it has fired. The
    alarm can go off inside a garbage-collector callback (WeasyPrint's FontConfiguration
    finalizer, say), where Python prints "Exception ignored" and carries on."""
    if _alarm["armed"]:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _alarm["armed"] = False
    if _alarm["fired"]:
        raise _TimeUp


def _build_one(job: Job, variant: Variant, inputs: dict[str, str],
               current: list[Artifact]) -> Outcome:
    """Build ``variant``'s stale formats (``variant.formats``); ``current`` are its
    up-to-date artifacts, reported with the new ones."""
    start = time.perf_counter()
    places: dict[str, str] = {}
    try:
        with _limit(job.time_limit):
            arts = _render_and_write(job, variant, inputs, places)
        arts = sorted(current + arts, key=lambda a: FORMATS.index(a.format))
    except _TimeUp:
        return Outcome(variant.name, "failed", message=f"took longer than {job.time_limit:g} s, "
                       "the limit for one variant (--time-limit); its files were not written",
                       seconds=time.perf_counter() - start)
    except MemoError as exc:
        return Outcome(variant.name, "failed", message=str(exc),
                       seconds=time.perf_counter() - start)
    except OSError as exc:  # a full disk or a read-only temp folder, met inside a library
        where = display_path(Path(exc.filename)) if exc.filename else \
            f"a temporary file in {tempfile.gettempdir()}"  # fonts WeasyPrint unpacks
        return Outcome(variant.name, "failed", message=f"cannot write {where}: "
                       f"{exc.strerror or exc}", seconds=time.perf_counter() - start)
    except Exception as exc:  # a bug: say so, keep building the other variants
        detail = "\n" + traceback.format_exc() if os.environ.get("MEMO_DEBUG") else ""
        return Outcome(variant.name, "failed",
                       message=f"internal error: {type(exc).__name__}: {exc}{detail}",
                       seconds=time.perf_counter() - start)
    return Outcome(variant.name, "built", arts, seconds=time.perf_counter() - start,
                   font_places=places)


@contextmanager
def _limit(seconds: float | None):
    """Stop a variant that runs longer than ``seconds`` (a hostile or broken template, a
    pathological layout): SIGALRM in the process building it, which is a worker's own
    main thread, or this process's."""
    _alarm["fired"] = False
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _time_up)
    _alarm["armed"] = True
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _alarm["armed"] = False
        signal.signal(signal.SIGALRM, previous)


def _render_and_write(job: Job, variant: Variant, inputs: dict[str, str],
                      font_places: dict[str, str]) -> list[Artifact]:
    """Render, write every stale format, check the budgets, then write the files;
    ``font_places`` learns where the system fonts used are."""
    from memo import render as rendering
    from memo.writers import writer

    project, theme, out = job.project, job.theme, job.out
    doc = rendering.render(project, variant.audience, theme, variant.lang,
                           created=job.created)
    words = doc.words()
    outputs = {fmt: writer(fmt)(doc, theme, job.options) for fmt in variant.formats}
    budget = project.audiences[variant.audience].budget
    over = []
    pdf = outputs.get("pdf")
    if budget.pages and pdf is None and "pdf" not in inputs:
        pdf = writer("pdf")(doc, theme, job.options)  # for the page count only
    if budget.pages and pdf is not None and pdf.pages > budget.pages:
        over.append(f"{variant.name}.pdf: {pdf.pages} pages, budget {budget.pages}")
    if budget.words and words > budget.words:
        over.append(f"{variant.name}: {words} words, budget {budget.words}")
    if over:
        raise MemoError("over budget: " + "; ".join(over) + " (its files were not written)")
    _in_time()
    arts = []
    for fmt, output in outputs.items():
        name = f"{variant.name}.{fmt}"
        atomic_write(out / name, output.data)
        arts.append(Artifact(name, variant.name, variant.audience, variant.lang, fmt,
                             hashlib.sha256(output.data).hexdigest(), len(output.data),
                             words, inputs[fmt], output.pages,
                             [f.record() for f in output.fonts]))
        font_places.update(output.font_places)
    return arts


# --- the engine ------------------------------------------------------------------------

def iso_date(epoch: int) -> str:
    """``SOURCE_DATE_EPOCH`` as the documents' date: ``2021-02-08T00:00:00Z``."""
    from datetime import datetime, timezone

    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sources(content: Path) -> tuple[tuple[str, bytes], ...]:
    """The content's YAML files, by path inside the folder: what a PDF/A-3 carries."""
    files = sorted(p for p in content.rglob("*.yaml")
                   if not any(part.startswith(".") for part in p.relative_to(content).parts))
    return tuple((p.relative_to(content).as_posix(), p.read_bytes()) for p in files)


def check(content: Path, templates: Theme | Path | None):
    """Validate ``content`` and render every declared variant, writing nothing; raise one
    :class:`~memo.errors.ContentError` listing the problems of all of them."""
    from memo import render as rendering
    from memo.content import load_project
    from memo.errors import ContentError

    templates = as_theme(templates)
    project = load_project(content)
    rendering.check_templates(project, templates)
    variants = plan(project)
    problems = []
    for v in variants:
        try:
            rendering.render(project, v.audience, templates, v.lang)
        except ContentError as exc:
            problems += exc.problems
    if problems:
        raise ContentError(problems)
    return project, variants


def build(content: Path, templates: Theme | Path | None, out: Path, *,
          audiences: Iterable[str] = (),
          languages: Iterable[str] = (), formats: Iterable[str] = (),
          shard: tuple[int, int] | None = None, jobs: int | None = None, force: bool = False,
          pdf_variant: str = PDF_VARIANTS[0], source_date: int | None = None,
          time_limit: float | None = None,
          progress: Callable[[Outcome, int, int], None] = lambda o, i, n: None) -> Result:
    """Build the selected variants (all declared ones by default) from ``content`` into
    ``out``, in up to ``jobs`` processes (default: one per core).

    ``source_date`` (seconds since 1970, as ``SOURCE_DATE_EPOCH``) dates the documents;
    by default they carry the memo's own date, so the bytes never depend on the clock.

    Raises :class:`~memo.errors.ContentError` (nothing written) when the content or the
    profiles are invalid. A variant that fails is reported in its :class:`Outcome`; the
    other variants are still built. ``progress`` is called as each variant finishes.
    """
    theme = as_theme(templates)
    selection = [sorted(audiences), sorted(languages), sorted(formats), shard]
    created = iso_date(source_date) if source_date is not None else None
    inputs = Inputs(content, theme, out, settings=f"{pdf_variant};{created}")
    key = inputs.plan_key(*selection)
    manifest = {a["path"]: a for a in read_manifest(out)}
    result = Result(out)
    if not force:
        cached = cached_plan(out, key)
        fonts = FontChecker(out)
        states = [currency(out, v, {f: inputs.of(v, f) for f in v.formats}, manifest, fonts)
                  for v in cached or []]
        if cached and not any(stale for _, stale in states):
            remember_fonts(out, fonts.moved)  # same bytes, touched: stat, not hash, next time
            result.outcomes = [Outcome(v.name, "skipped", arts)
                               for v, (arts, _) in zip(cached, states, strict=True)]
            for i, o in enumerate(result.outcomes, start=1):
                progress(o, i, len(cached))
            return result

    # Imported before the workers fork, so that they inherit these modules rather than
    # import them again each; the renderers they import themselves (_preload), while
    # this process validates the content.
    from memo import render as rendering
    from memo.content import load_project

    jobs = max(1, jobs or os.cpu_count() or 1)
    with _Workers(jobs) as workers:
        project = load_project(content)
        rendering.check_templates(project, theme)
        variants = plan(project, audiences=audiences, languages=languages, formats=formats,
                        shard=shard)
        with locked(out):
            manifest = {a["path"]: a for a in read_manifest(out)}  # as of now, locked
            remember_plan(out, key, variants)
            job = Job(project, theme, out,
                      Options(pdf_variant,
                              _sources(content) if pdf_variant.startswith("pdf/a-3") else ()),
                      created, time_limit)
            fonts = FontChecker(out)
            try:
                _build_all(job, variants, inputs, manifest, result, workers, force, progress,
                           fonts)
            finally:  # interrupted too: record what was written
                remember_fonts(out, {**fonts.moved, **{k: v for o in result.outcomes
                                                       for k, v in o.font_places.items()}})
                whole = plan(project, audiences=audiences, languages=languages,
                             formats=formats) if shard else variants
                write_manifest(out, result.artifacts, shard_record(
                    shard, inputs.everything, [v.name for v in whole],
                    {"pdf_variant": pdf_variant, "source_date": source_date}))
    order = {v.name: i for i, v in enumerate(variants)}
    result.outcomes.sort(key=lambda o: order[o.variant])
    return result


def _build_all(job: Job, variants: list[Variant], inputs: Inputs, manifest: dict,
               result: Result, workers: _Workers, force: bool, progress,
               fonts: FontChecker) -> None:
    """Skip the up-to-date variants; build the rest, reporting each as it finishes.

    A variant rebuilds only its stale formats; if its PDF is current, the page count it
    had already met the budget, from these same inputs.
    """
    todo: list[tuple[Variant, dict[str, str], list[Artifact]]] = []
    for v in variants:
        ins = {fmt: inputs.of(v, fmt) for fmt in v.formats}
        current, stale = ([], v.formats) if force else currency(job.out, v, ins, manifest,
                                                                fonts)
        if not stale:
            result.outcomes.append(Outcome(v.name, "skipped", current))
        else:
            todo.append((Variant(v.audience, v.lang, stale), ins, current))
    for i, o in enumerate(result.outcomes, start=1):
        progress(o, i, len(variants))
    done = len(result.outcomes)
    for outcome in workers.run(todo, job):
        result.outcomes.append(outcome)
        done += 1
        progress(outcome, done, len(variants))


def _start_method():
    """fork, so a worker starts in milliseconds with this process's modules loaded; but
    not from a process running other threads (a host application, `memo serve`), where a
    fork can copy a lock another thread holds: there, a clean forkserver."""
    import multiprocessing

    threads = [t for t in threading.enumerate() if t.is_alive()]
    return multiprocessing.get_context("fork" if len(threads) <= 1 else "forkserver")


class _Workers:
    """The worker processes, started before the content is loaded so that their imports
    of the renderers overlap with its validation; with one job, this process builds."""

    def __init__(self, jobs: int):
        self.jobs, self.pool = jobs, None

    def __enter__(self) -> _Workers:
        if self.jobs > 1:
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(self.jobs, initializer=_preload,
                                            mp_context=_start_method())
            for _ in range(self.jobs):  # start them all now: the pool starts one per task
                self.pool.submit(int)
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def run(self, todo, job: Job):
        """Outcomes as the variants finish."""
        if self.pool is None or len(todo) <= 1:
            for v, ins, cur in todo:
                yield _build_one(job, v, ins, cur)
            return
        from concurrent.futures import ProcessPoolExecutor, as_completed
        from concurrent.futures.process import BrokenProcessPool

        # the heaviest variants (the fullest profiles) first, so no core idles at the end
        todo = sorted(todo, key=lambda t: -len(job.project.audiences[t[0].audience].sections))
        futures = {self.pool.submit(_build_one, job, v, ins, cur):
                   (v, ins, cur) for v, ins, cur in todo}
        orphans = []
        for fut in as_completed(futures):
            try:
                yield fut.result()
            except BrokenProcessPool:  # a worker died: every unfinished task lands here
                orphans.append(futures[fut])
        # Retry each orphan alone, in a fresh process: only a variant that kills its
        # worker again fails, and a crash never takes this process with it.
        for v, ins, cur in orphans:
            with ProcessPoolExecutor(1, mp_context=_start_method()) as one:
                try:
                    yield one.submit(_build_one, job, v, ins, cur).result()
                except BrokenProcessPool:
                    yield Outcome(v.name, "failed", message="the process building it died "
                                  "(twice, the second time alone)")
