"""Build variants: skip what is up to date, build the rest in parallel, keep going when
one fails.

``memo build`` and ``memo batch`` both come here. :func:`build` plans the variants
(:mod:`memo.plan`), checks each artifact against the manifest (:mod:`memo.cache`), and
builds the stale ones in worker processes (:mod:`memo.engine`), one variant per task: a
worker renders the variant once, runs every writer on the result and checks the
audience's page and word budgets; only then does this process write the files
(:mod:`memo.output`), so a variant over budget or over time leaves its previous files
alone. One variant failing does not stop the others.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from memo import engine
from memo.cache import Inputs, cached_plan, currency, remember_plan
from memo.engine import Job, Outcome
from memo.fonts import Checker as FontChecker
from memo.fonts import remember as remember_fonts
from memo.output import Artifact, locked, read_manifest, shard_record, write_manifest
from memo.plan import Variant, plan
from memo.theme import Theme, as_theme
from memo.writers import FORMATS, PDF_VARIANTS, Options

__all__ = ["Outcome", "Result", "build", "check", "iso_date"]


@dataclass
class Failure:
    variant: str
    message: str


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


# --- the engine ------------------------------------------------------------------------

def iso_date(epoch: int) -> str:
    """``SOURCE_DATE_EPOCH`` as the documents' date: ``2021-02-08T00:00:00Z``."""
    from datetime import datetime, timezone

    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sources(content: Path) -> tuple[tuple[str, bytes], ...]:
    """The content's YAML files, by path inside the folder: what a PDF/A-3 carries, and
    what a DOCX's provenance names (``review.yaml`` aside)."""
    from memo.review import FILE as REVIEW

    # not the reviewers' notes: a release's PDF/A-3 carries these files to its readers
    files = sorted(p for p in content.rglob("*.yaml")
                   if not any(part.startswith(".") for part in p.relative_to(content).parts)
                   and p.relative_to(content).as_posix() != REVIEW)
    return tuple((p.relative_to(content).as_posix(), p.read_bytes()) for p in files)


SNAPSHOTS = ".memo/sources"  # in an output folder: the content each DOCX was built from


def keep_sources(out: Path, sources: tuple[tuple[str, bytes], ...]) -> Path | None:
    """Keep, once, the content files a build's DOCX are made from (``out/.memo/sources/
    <digest>.zip``): ``memo absorb`` compares a reviewed DOCX with the text it was built
    with, which the content may have moved on from by the time it comes back."""
    from datetime import datetime, timezone

    from memo.errors import MemoError
    from memo.output import atomic_write, reproducible_zip
    from memo.writers.provenance import content_digest

    folder = out / SNAPSHOTS
    path = folder / f"{content_digest(sources)}.zip"
    if not path.is_file():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            atomic_write(path, reproducible_zip(sorted(sources),
                                                datetime(1980, 1, 1, tzinfo=timezone.utc)))
        except (OSError, MemoError):
            # a full disk, say: the variants' own writes fail and say so; without this
            # copy, absorb still finds the content in git or takes it from --base
            return None
    return path


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
          time_limit: float | None = None, review_notes: bool = False,
          progress: Callable[[Outcome, int, int], None] = lambda o, i, n: None) -> Result:
    """Build the selected variants (all declared ones by default) from ``content`` into
    ``out``, in up to ``jobs`` processes (default: one per core).

    ``source_date`` (seconds since 1970, as ``SOURCE_DATE_EPOCH``) dates the documents;
    by default they carry the memo's own date, so the bytes never depend on the clock.

    Raises :class:`~memo.errors.ContentError` (nothing written) when the content or the
    profiles are invalid. A variant that fails is reported in its :class:`Outcome`; the
    other variants are still built. ``progress`` is called as each variant finishes.
    ``review_notes`` puts the open notes of ``review.yaml`` in: Word comments in the DOCX,
    notes beside their fields in the HTML (the PDF, for reading, leaves them out).
    """
    theme = as_theme(templates)
    selection = [sorted(audiences), sorted(languages), sorted(formats), shard]
    created = iso_date(source_date) if source_date is not None else None
    inputs = Inputs(content, theme, out, settings=f"{pdf_variant};{created}"
                    + (";review-notes" if review_notes else ""), notes=review_notes)
    key = inputs.plan_key(*selection)
    manifest = {a["path"]: a for a in read_manifest(out)}
    result = Result(out)
    if not force:
        cached = cached_plan(out, key)
        fonts = FontChecker(out)
        states = [currency(out, v, inputs, manifest, fonts)
                  for v in cached or []]
        if cached and not any(stale for _, stale in states):
            remember_fonts(out, fonts.moved)  # same bytes, touched: stat, not hash, next time
            result.outcomes = [Outcome(v.name, "skipped", arts)
                               for v, (arts, _) in zip(cached, states, strict=True)]
            for i, o in enumerate(result.outcomes, start=1):
                progress(o, i, len(cached))
            return result

    # Imported before the workers fork, so that they inherit these modules. Content
    # that does not load answers at the speed of `memo check`, no worker started
    # (starting and stopping two cost 0.29 s, measured); then the workers prepare their
    # writers while this process checks the templates and plans.
    from memo import render as rendering
    from memo.content import load_project

    project = load_project(content)
    jobs = max(1, jobs or os.cpu_count() or 1)
    last = cached_plan(out, key)  # how many variants this selection had, if known
    with engine.Workers(min(jobs, len(last)) if last else jobs, theme,
                        tuple(selection[2]) or FORMATS) as workers:
        rendering.check_templates(project, theme)
        variants = plan(project, audiences=audiences, languages=languages, formats=formats,
                        shard=shard)
        with locked(out):
            manifest = {a["path"]: a for a in read_manifest(out)}  # as of now, locked
            remember_plan(out, key, variants)
            job = Job(project, theme, out, Options(pdf_variant, _sources(content)), created,
                      time_limit, review_notes, inputs)
            fonts = FontChecker(out)
            if any("docx" in v.formats for v in variants):
                keep_sources(out, job.options.sources)
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
                    {"pdf_variant": pdf_variant, "source_date": source_date,
                     "review_notes": review_notes}))
    order = {v.name: i for i, v in enumerate(variants)}
    result.outcomes.sort(key=lambda o: order[o.variant])
    return result


def _build_all(job: Job, variants: list[Variant], inputs: Inputs, manifest: dict,
               result: Result, workers: engine.Workers, force: bool, progress,
               fonts: FontChecker) -> None:
    """Skip the up-to-date variants; build the rest, reporting each as it finishes.

    A variant rebuilds only its stale formats; if its PDF is current, the page count it
    had already met the budget, from these same inputs.
    """
    todo: list[engine.Task] = []
    for v in variants:
        current, stale = ([], v.formats) if force else currency(job.out, v, inputs, manifest,
                                                                fonts)
        if not stale:
            result.outcomes.append(Outcome(v.name, "skipped", current))
        else:
            todo.append((Variant(v.audience, v.lang, stale), v.formats, current))
    for i, o in enumerate(result.outcomes, start=1):
        progress(o, i, len(variants))
    done = len(result.outcomes)
    for outcome in engine.run(job, todo, workers):
        result.outcomes.append(outcome)
        done += 1
        progress(outcome, done, len(variants))
