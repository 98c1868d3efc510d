"""Build variants: plan them from the matrix, skip what is up to date, build the rest in
parallel, write atomically, keep a manifest.

A *variant* is an audience in a language (``partner-ko``); an *artifact* is a variant
in one format, written to ``<out>/<audience>-<lang>.<ext>``. ``memo build`` and
``memo batch`` both come here: :func:`plan` picks the variants from the matrix that
``memo.yaml`` declares, :func:`build` builds them.

- **One variant, one unit of work.** A worker renders the variant once, runs every
  writer on the result, checks the audience's page and word budgets, and only then
  writes the files, so a variant over budget leaves its previous files alone. One
  variant failing does not stop the others.
- **Incremental.** Each artifact's manifest entry records the hash of its inputs: the
  content files (other audiences' profiles excepted), the templates folder, the
  variant, the format, and the versions of memo and of the libraries that shape the
  bytes. When the inputs hash and the file on disk both match the manifest, the
  artifact is up to date and is not rebuilt.
- **Atomic.** Every file is written to a temporary name in the output folder and
  renamed into place: a failed or interrupted build never leaves a half-written file.
- **Sharded.** ``shard=(k, n)`` builds every n-th variant of the sorted plan, starting
  at the k-th, so n CI runners split the matrix; :func:`merge` puts their folders
  back together into what one run would have written.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from memo import __version__
from memo.errors import MemoError, UsageError, display_path
from memo.writers import FORMATS

MANIFEST = "manifest.json"
# Which variants a selection planned to, by the hash of every input: a re-run with
# nothing changed can check the files without loading (and validating) the content.
PLANS = ".memo-plans.json"
# Libraries whose versions change the output bytes: a new version rebuilds everything.
OUTPUT_LIBRARIES = ("weasyprint", "pydyf", "fonttools", "python-docx", "lxml", "jinja2",
                    "markdown-it-py", "babel")


@dataclass(frozen=True, order=True)
class Variant:
    audience: str
    lang: str
    formats: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.audience}-{self.lang}"


@dataclass(frozen=True)
class Artifact:
    path: str
    variant: str
    audience: str
    lang: str
    format: str
    sha256: str
    bytes: int
    words: int
    inputs: str
    pages: int | None = None

    def record(self) -> dict:
        rec = asdict(self)
        if rec["pages"] is None:
            del rec["pages"]
        return rec


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


def select(available: Iterable[str], wanted: Iterable[str], what: str) -> list[str]:
    """``wanted`` checked against ``available`` (all of them when nothing is wanted)."""
    available, wanted = list(available), list(dict.fromkeys(wanted))
    unknown = [w for w in wanted if w not in available]
    if unknown:
        raise UsageError(f"unknown {what} {', '.join(map(repr, unknown))}; "
                         f"the variants declare: {', '.join(available)}")
    return wanted or available


def plan(project, *, audiences: Iterable[str] = (), languages: Iterable[str] = (),
         formats: Iterable[str] = (), shard: tuple[int, int] | None = None) -> list[Variant]:
    """The declared variants (``variants:`` in memo.yaml) that the filters select, sorted
    by name; with ``shard=(k, n)``, the k-th of n interleaved slices of them."""
    matrix = project.memo.variants
    auds = select(matrix.audiences or list(project.audiences), audiences, "audience")
    langs = select(project.languages, languages, "language")
    fmts = select(matrix.formats or FORMATS, formats, "format")
    out = []
    for audience in auds:
        for lang in langs:
            kept = tuple(f for f in fmts
                         if not any(rule.matches(audience, lang, f) for rule in matrix.exclude))
            if kept:
                out.append(Variant(audience, lang, kept))
    if not out:
        if not (audiences or languages or formats):
            raise UsageError("variants.exclude in memo.yaml leaves out every variant")
        raise UsageError("no declared variant matches the --audience, --lang and --format "
                         "given; `memo list` shows the variants")
    out.sort()
    if shard:
        k, n = shard
        out = out[k - 1::n]
    return out


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` -> ``(2, 4)``."""
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise UsageError(f"--shard {text!r}: expected K/N, like 1/4") from None
    if not 1 <= k <= n:
        raise UsageError(f"--shard {text!r}: K must be between 1 and N")
    return k, n


# --- inputs, for the cache -------------------------------------------------------------

_NOT_INPUTS = {".git", "__pycache__", ".hg", ".svn"}


def _tree_digest(folder: Path, skip: Callable[[Path], bool] = lambda p: False) -> str:
    """One hash of every file under ``folder`` (symbolic links followed), by relative path.
    Hidden files count: a template or profile may be one."""
    h = hashlib.sha256()
    files = []
    for root, dirs, names in os.walk(folder, followlinks=True):
        dirs[:] = sorted(d for d in dirs if d not in _NOT_INPUTS)
        files += [Path(root) / n for n in names]
    for path in sorted(files):
        rel = path.relative_to(folder)
        if skip(path) or path.suffix == ".tmp":
            continue
        try:
            digest = hashlib.sha256(path.read_bytes()).digest()
        except OSError:
            continue  # a dangling link or a file vanishing mid-walk: not an input
        h.update(rel.as_posix().encode() + b"\0" + digest)
    return h.hexdigest()


def _library_versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    out = [f"memo={__version__}"]
    for name in OUTPUT_LIBRARIES:
        try:
            out.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            out.append(f"{name}=none")
    return ";".join(out)


class Inputs:
    """The inputs hash of each artifact: everything that can change its bytes."""

    def __init__(self, content: Path, templates: Path, out: Path):
        self.content = content
        out_dir = out.resolve()

        def produced(path: Path) -> bool:  # an output folder inside content/ is not input
            return path.resolve().is_relative_to(out_dir)

        audiences = content / "audiences"
        shared = hashlib.sha256()
        shared.update(_tree_digest(content, lambda p: produced(p) or p.is_relative_to(audiences))
                      .encode())
        shared.update(_tree_digest(templates, produced).encode())
        shared.update(_library_versions().encode())
        # memo's own code: an edited writer must rebuild, whatever __version__ says
        shared.update(_tree_digest(Path(__file__).parent, lambda p: p.suffix != ".py").encode())
        self.shared = shared.hexdigest()
        self.everything = hashlib.sha256(
            (self.shared + _tree_digest(audiences, produced)).encode()).hexdigest()

    def plan_key(self, *selection: Any) -> str:
        return hashlib.sha256(json.dumps([self.everything, *selection],
                                         default=list).encode()).hexdigest()

    def of(self, variant: Variant, fmt: str) -> str:
        profile = self.content / "audiences" / f"{variant.audience}.yaml"
        h = hashlib.sha256(self.shared.encode())
        h.update(hashlib.sha256(profile.read_bytes()).digest())
        h.update(f"{variant.name}.{fmt}".encode())
        return h.hexdigest()


def _current(out: Path, name: str, inputs: str, manifest: dict[str, dict]) -> Artifact | None:
    """The manifest's record of ``name`` if the file on disk is what it describes and was
    built from these inputs; otherwise None (rebuild it)."""
    rec = manifest.get(name)
    if not rec or rec.get("inputs") != inputs:
        return None
    try:
        data = (out / name).read_bytes()
        art = Artifact(**rec)
    except (OSError, TypeError):
        return None
    return art if hashlib.sha256(data).hexdigest() == art.sha256 else None


def _currency(out: Path, variant: Variant, inputs: dict[str, str],
              manifest: dict[str, dict]) -> tuple[list[Artifact], tuple[str, ...]]:
    """The variant's artifacts that are up to date, and the formats to rebuild."""
    current, stale = [], []
    for fmt in variant.formats:
        art = _current(out, f"{variant.name}.{fmt}", inputs[fmt], manifest)
        if art is None:
            stale.append(fmt)
        else:
            current.append(art)
    return current, tuple(stale)


# --- building one variant (in a worker process or in this one) -------------------------

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


def _build_one(variant: Variant, inputs: dict[str, str], project, templates: Path,
               out: Path, current: list[Artifact]) -> Outcome:
    """Build ``variant``'s stale formats (``variant.formats``); ``current`` are its
    up-to-date artifacts, reported with the new ones."""
    start = time.perf_counter()
    try:
        arts = _render_and_write(variant, inputs, project=project, templates=templates, out=out)
        arts = sorted(current + arts, key=lambda a: FORMATS.index(a.format))
    except MemoError as exc:
        return Outcome(variant.name, "failed", message=str(exc),
                       seconds=time.perf_counter() - start)
    except Exception as exc:  # a bug: say so, keep building the other variants
        detail = "\n" + traceback.format_exc() if os.environ.get("MEMO_DEBUG") else ""
        return Outcome(variant.name, "failed",
                       message=f"internal error: {type(exc).__name__}: {exc}{detail}",
                       seconds=time.perf_counter() - start)
    return Outcome(variant.name, "built", arts, seconds=time.perf_counter() - start)


def _render_and_write(variant: Variant, inputs: dict[str, str], *, project, templates: Path,
                      out: Path) -> list[Artifact]:
    from memo import render as rendering
    from memo.writers import writer

    doc = rendering.render(project, variant.audience, templates, variant.lang)
    words = doc.words()
    outputs = {fmt: writer(fmt)(doc, templates) for fmt in variant.formats}
    budget = project.audiences[variant.audience].budget
    over = []
    pdf = outputs.get("pdf")
    if budget.pages and pdf is None and "pdf" not in inputs:
        pdf = writer("pdf")(doc, templates)  # no PDF wanted, but the budget is in pages
    if budget.pages and pdf is not None and pdf.pages > budget.pages:
        over.append(f"{variant.name}.pdf: {pdf.pages} pages, budget {budget.pages}")
    if budget.words and words > budget.words:
        over.append(f"{variant.name}: {words} words, budget {budget.words}")
    if over:
        raise MemoError("over budget: " + "; ".join(over) + " (its files were not written)")
    arts = []
    for fmt, output in outputs.items():
        name = f"{variant.name}.{fmt}"
        atomic_write(out / name, output.data)
        arts.append(Artifact(name, variant.name, variant.audience, variant.lang, fmt,
                             hashlib.sha256(output.data).hexdigest(), len(output.data),
                             words, inputs[fmt], output.pages))
    return arts


# --- the engine ------------------------------------------------------------------------

def check(content: Path, templates: Path):
    """Validate ``content`` and render every declared variant, writing nothing; raise one
    :class:`~memo.errors.ContentError` listing the problems of all of them."""
    from memo import render as rendering
    from memo.content import load_project
    from memo.errors import ContentError

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


def build(content: Path, templates: Path, out: Path, *, audiences: Iterable[str] = (),
          languages: Iterable[str] = (), formats: Iterable[str] = (),
          shard: tuple[int, int] | None = None, jobs: int | None = None, force: bool = False,
          progress: Callable[[Outcome, int, int], None] = lambda o, i, n: None) -> Result:
    """Build the selected variants (all declared ones by default) from ``content`` into
    ``out``, in up to ``jobs`` processes (default: one per core).

    Raises :class:`~memo.errors.ContentError` (nothing written) when the content or the
    profiles are invalid. A variant that fails is reported in its :class:`Outcome`; the
    other variants are still built. ``progress`` is called as each variant finishes.
    """
    selection = [sorted(audiences), sorted(languages), sorted(formats), shard]
    inputs = Inputs(content, templates, out)
    key = inputs.plan_key(*selection)
    manifest = {a["path"]: a for a in read_manifest(out)}
    result = Result(out)
    if not force:
        cached = _cached_plan(out, key)
        states = [_currency(out, v, {f: inputs.of(v, f) for f in v.formats}, manifest)
                  for v in cached or []]
        if cached and not any(stale for _, stale in states):
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
        rendering.check_templates(project, templates)
        variants = plan(project, audiences=audiences, languages=languages, formats=formats,
                        shard=shard)
        _check_out(out)
        _remember_plan(out, key, variants)

        # A variant rebuilds only its stale formats; if its PDF is current, the page count
        # it had already met the budget, from these same inputs.
        todo: list[tuple[Variant, dict[str, str], list[Artifact]]] = []
        for v in variants:
            ins = {fmt: inputs.of(v, fmt) for fmt in v.formats}
            current, stale = ([], v.formats) if force else _currency(out, v, ins, manifest)
            if not stale:
                result.outcomes.append(Outcome(v.name, "skipped", current))
            else:
                todo.append((Variant(v.audience, v.lang, stale), ins, current))
        for i, o in enumerate(result.outcomes, start=1):
            progress(o, i, len(variants))

        done = len(result.outcomes)
        try:
            for outcome in workers.run(todo, project, templates, out):
                result.outcomes.append(outcome)
                done += 1
                progress(outcome, done, len(variants))
        finally:
            whole = plan(project, audiences=audiences, languages=languages,
                         formats=formats) if shard else variants
            write_manifest(out, result.artifacts, _shard_record(shard, inputs, whole))
    order = {v.name: i for i, v in enumerate(variants)}
    result.outcomes.sort(key=lambda o: order[o.variant])
    return result


class _Workers:
    """The worker processes, started before the content is loaded so that their imports
    of the renderers overlap with its validation; with one job, this process builds."""

    def __init__(self, jobs: int):
        self.jobs, self.pool = jobs, None

    def __enter__(self) -> _Workers:
        if self.jobs > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # fork: a worker starts in milliseconds with this process's modules loaded
            self.pool = ProcessPoolExecutor(self.jobs, initializer=_preload,
                                            mp_context=multiprocessing.get_context("fork"))
            for _ in range(self.jobs):  # start them all now: the pool starts one per task
                self.pool.submit(int)
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def run(self, todo, project, templates: Path, out: Path):
        """Outcomes as the variants finish."""
        if self.pool is None or len(todo) <= 1:
            for v, ins, cur in todo:
                yield _build_one(v, ins, project, templates, out, cur)
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed
        from concurrent.futures.process import BrokenProcessPool

        # the heaviest variants (the fullest profiles) first, so no core idles at the end
        todo = sorted(todo, key=lambda t: -len(project.audiences[t[0].audience].sections))
        futures = {self.pool.submit(_build_one, v, ins, project, templates, out, cur):
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
            with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as one:
                try:
                    yield one.submit(_build_one, v, ins, project, templates, out, cur).result()
                except BrokenProcessPool:
                    yield Outcome(v.name, "failed", message="the process building it died "
                                  "(twice, the second time alone)")


def _cached_plan(out: Path, key: str) -> list[Variant] | None:
    try:
        raw = json.loads((out / PLANS).read_text("utf-8"))[key]
        return [Variant(a, lang, tuple(fmts)) for a, lang, fmts in raw]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _remember_plan(out: Path, key: str, variants: list[Variant]) -> None:
    try:
        plans = json.loads((out / PLANS).read_text("utf-8"))
        if not isinstance(plans, dict):
            plans = {}
    except (OSError, ValueError):
        plans = {}
    plans.pop(key, None)
    plans[key] = [[v.audience, v.lang, list(v.formats)] for v in variants]
    plans = dict(list(plans.items())[-16:])  # the latest selections are enough
    atomic_write(out / PLANS, json.dumps(plans).encode())


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {display_path(out)} exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MemoError(f"cannot create {display_path(out)}: {exc.strerror}") from None


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` by way of a temporary file in the same folder and a rename."""
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise MemoError(f"cannot write {display_path(path)}: {exc.strerror}") from None
    except BaseException:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise


# --- the manifest ----------------------------------------------------------------------

def _manifest_doc(out: Path) -> dict:
    try:
        data = json.loads((out / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def read_manifest(out: Path) -> list[dict]:
    arts = _manifest_doc(out).get("artifacts")
    return [a for a in arts if isinstance(a, dict) and isinstance(a.get("path"), str)] \
        if isinstance(arts, list) else []


def write_manifest(out: Path, built: list[Artifact], shard: dict | None = None) -> None:
    """Merge what this build wrote into the manifest; keep entries whose files still exist.
    A shard's manifest also says which shard it is and of what plan, for :func:`merge`."""
    entries = {a["path"]: a for a in read_manifest(out) if (out / a["path"]).is_file()}
    entries.update({a.path: a.record() for a in built})
    doc: dict[str, Any] = {"artifacts": [entries[k] for k in sorted(entries)]}
    if shard:
        doc["shard"] = shard
    atomic_write(out / MANIFEST, (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode())


def _shard_record(shard, inputs: Inputs, whole: list[Variant]) -> dict | None:
    if not shard:
        return None
    return {"index": shard[0], "count": shard[1], "inputs": inputs.everything,
            "plan": [v.name for v in whole]}


def merge(folders: Iterable[Path], out: Path) -> list[Artifact]:
    """Copy the artifacts of several output folders (CI shards) into ``out`` and merge
    their manifests, checking everything before writing anything: each file against its
    manifest's hash; shards against each other (same inputs and plan, every shard once,
    every planned variant present); two folders disagreeing about one file is an error."""
    chosen: dict[str, tuple[Path, Artifact]] = {}
    shards: list[tuple[Path, Any]] = []
    for folder in map(Path, folders):
        where = display_path(folder / MANIFEST)
        if not (folder / MANIFEST).is_file():
            raise UsageError(f"{display_path(folder)}: no {MANIFEST}; is it a memo output folder?")
        doc = _manifest_doc(folder)
        if not isinstance(doc.get("artifacts"), list):
            raise MemoError(f"{where}: not a memo manifest (no list of artifacts)")
        shards.append((folder, doc.get("shard")))
        for rec in doc["artifacts"]:
            try:
                art = Artifact(**rec)
                if not isinstance(art.path, str) or Path(art.path).name != art.path \
                        or art.path.startswith("."):
                    raise TypeError(f"bad path {art.path!r}")
            except TypeError as exc:
                raise MemoError(f"{where}: a bad artifact entry ({exc})") from None
            src = folder / art.path
            try:
                digest = hashlib.sha256(src.read_bytes()).hexdigest()
            except OSError as exc:
                raise MemoError(f"cannot read {display_path(src)}: {exc.strerror}") from None
            if digest != art.sha256:
                raise MemoError(f"{display_path(src)} does not match its manifest's sha256")
            seen = chosen.get(art.path)
            if seen and seen[1] != art:
                raise MemoError(f"{art.path} differs between {display_path(seen[0])} and "
                                f"{display_path(folder)}")
            chosen[art.path] = (folder, art)
    _check_shards(shards, {a.variant for _, a in chosen.values()})
    _check_out(out)
    for name, (folder, _) in sorted(chosen.items()):
        if (folder / name).resolve() != (out / name).resolve():
            atomic_write(out / name, (folder / name).read_bytes())
    arts = [a for _, a in chosen.values()]
    write_manifest(out, arts)
    return arts


def _check_shards(shards: list[tuple[Path, Any]], variants: set[str]) -> None:
    marked = [(f, s) for f, s in shards if s]
    if not marked:
        return
    if len(marked) != len(shards):
        plain = next(display_path(f) for f, s in shards if not s)
        raise MemoError(f"{plain} was not built with --shard; merge shards with shards only")
    first = marked[0][1]
    for folder, s in marked:
        if not isinstance(s, dict) or any(s.get(k) != first.get(k)
                                          for k in ("count", "inputs", "plan")):
            raise MemoError(f"{display_path(folder)} was built from other inputs or another "
                            f"plan than {display_path(marked[0][0])}; rebuild the shards "
                            "from the same commit")
    count = first.get("count")
    given = sorted(s.get("index") for _, s in marked)
    if given != list(range(1, count + 1)):
        lacking = sorted(set(range(1, count + 1)) - set(given))
        twice = sorted({i for i in given if given.count(i) > 1})
        raise MemoError("shards do not add up: " + "; ".join(
            x for x in (f"missing {', '.join(f'{i}/{count}' for i in lacking)}" if lacking
                        else "", f"given twice {', '.join(f'{i}/{count}' for i in twice)}"
                        if twice else "") if x))
    absent = [v for v in first.get("plan", []) if v not in variants]
    if absent:
        raise MemoError(f"no files for {', '.join(absent)}: did a shard fail?")
