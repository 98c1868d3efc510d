"""The ``memo`` command line: a thin layer over :mod:`memo.build` and :mod:`memo.content`.

Exit status: 0 success; 1 a build failed; 2 bad usage or invalid content. Commands
import the rendering libraries only when they render, so ``memo --help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from memo import __version__
from memo.errors import MemoError, UsageError
from memo.writers import FORMATS  # the package itself imports no writer

content_option = click.option(
    "--content", "content", type=click.Path(path_type=Path), default=Path("content"),
    show_default=True, help="The memo project folder (YAML).")


def _fail(err: MemoError) -> None:
    click.echo(str(err), err=True)
    sys.exit(err.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="memo")
def main() -> None:
    """Build policy memos for several audiences as PDF, DOCX and HTML from one YAML source.

    \b
    Examples:
      memo build                          every audience, every format, into output/
      memo build -a principal -f pdf      one audience, one format
      memo check                          validate content/ only
    """


templates_option = click.option(
    "--templates", type=click.Path(path_type=Path), default=Path("templates"),
    show_default=True, help="The templates folder (Jinja, CSS, fonts, labels, reference.docx).")
out_option = click.option(
    "--out", type=click.Path(path_type=Path), default=Path("output"), show_default=True,
    help="Where to write the files and manifest.json.")
jobs_option = click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
    help="Variants built at once, in worker processes.  [default: one per core]")
force_option = click.option(
    "--force", is_flag=True, help="Rebuild even the variants that are up to date.")


def _report(result, started: float) -> None:
    """The summary table, on stdout; failures, in full, on stderr."""
    import time

    rows = [("variant", "result", "pages", "words", "seconds")]
    for o in result.outcomes:
        rows.append((o.variant, o.status, str(o.pages or ""), str(o.words or ""),
                     f"{o.seconds:.1f}" if o.status != "skipped" else ""))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for r in rows:
        click.echo("  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                             for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip())
    n = len(result.outcomes)
    click.echo(f"{n} variant{'s' if n != 1 else ''}: {result.count('built')} built, "
               f"{result.count('skipped')} up to date, {result.count('failed')} failed "
               f"({time.perf_counter() - started:.1f} s) -> {result.out}/")
    for f in result.failures:
        click.echo(f"failed: {f.variant}: {f.message}", err=True)


def _progress():
    """A progress bar on a terminal, one plain line per variant otherwise."""
    stream = sys.stderr
    if stream.isatty():
        state: dict = {}

        def bar(outcome, done: int, total: int) -> None:
            if "bar" not in state:
                state["bar"] = click.progressbar(length=total, label="building", file=stream,
                                                 show_pos=True, item_show_func=lambda x: x)
                state["bar"].__enter__()
            state["bar"].update(1, outcome.variant)
            if done == total:
                state["bar"].__exit__(None, None, None)
        return bar

    def line(outcome, done: int, total: int) -> None:
        what = {"built": "built", "skipped": "up to date", "failed": "FAILED"}[outcome.status]
        click.echo(f"[{done}/{total}] {outcome.variant}: {what}", err=True)
    return line


def _run_build(**options) -> None:
    import time

    from memo.build import build as run

    started = time.perf_counter()
    try:
        result = run(progress=_progress(), **options)
    except MemoError as err:
        _fail(err)
    _report(result, started)
    if not result.ok:
        sys.exit(1)


@main.command()
@click.option("--audience", "-a", "audiences", multiple=True, metavar="NAME",
              help="Audience to build (repeatable); default: all in the matrix.")
@click.option("--lang", "-l", "languages", multiple=True, metavar="CODE",
              help="Language to build (repeatable), like en, ko, ja; default: all.")
@click.option("--format", "-f", "formats", multiple=True, type=click.Choice(FORMATS),
              help="Format to write (repeatable); default: all.")
@content_option
@templates_option
@out_option
@jobs_option
@force_option
def build(audiences, languages, formats, content, templates, out, jobs, force) -> None:
    """Build the variants the options select from the matrix (all by default).

    Files are named AUDIENCE-LANG.EXT; OUT/manifest.json lists them with their hashes,
    words and inputs. Variants whose inputs have not changed are not rebuilt.

    \b
    Examples:
      memo build -a principal -l ko          the principal's memo in Korean, every format
      memo build -f docx --out /tmp/memos    every variant, Word only
    """
    _run_build(content=content, templates=templates, out=out, audiences=audiences,
               languages=languages, formats=formats, jobs=jobs, force=force)


@main.command()
@content_option
@templates_option
@out_option
@jobs_option
@force_option
@click.option("--shard", metavar="K/N", help="Build only the K-th of N slices of the variants "
              "(for N CI runners); `--merge` joins their folders.")
@click.option("--merge", "merge", is_flag=True,
              help="Do not build: merge the output folders DIRS into OUT.")
@click.argument("dirs", nargs=-1, type=click.Path(path_type=Path))
def batch(content, templates, out, jobs, force, shard, merge, dirs) -> None:
    """Build every variant the matrix declares (audiences × languages × formats).

    Runs in parallel, skips variants that are up to date, and keeps going when one
    fails: the summary lists each variant, and the exit status is 1 if any failed.

    \b
    Examples:
      memo batch                              the whole matrix into output/
      memo batch --shard 1/2 --out shard-1    half of it (CI runner 1 of 2)
      memo batch --merge shard-1 shard-2      join the shards into output/
    """
    if merge:
        if not dirs:
            _fail(UsageError("--merge needs the output folders to merge: memo batch --merge "
                             "DIR DIR..."))
        from memo.output import merge as join

        try:
            arts = join(dirs, out)
        except MemoError as err:
            _fail(err)
        click.echo(f"merged {len(arts)} files from {len(dirs)} folders into {out}/")
        return
    if dirs:
        _fail(UsageError(f"unexpected arguments {' '.join(map(str, dirs))} (folders are for "
                         "--merge)"))
    from memo.plan import parse_shard

    try:
        slice_ = parse_shard(shard) if shard else None
    except MemoError as err:
        _fail(err)
    _run_build(content=content, templates=templates, out=out, shard=slice_, jobs=jobs,
               force=force)


@main.command()
@content_option
@templates_option
def check(content, templates) -> None:
    """Validate the content, and render every declared variant without writing anything.

    Reports every problem as FILE:LINE:COLUMN: FIELD: MESSAGE and exits 2 if there are
    any: invalid fields, unknown ids, and text a variant prints but its language lacks.

    \b
    Example:
      memo check --content my-memo/
    """
    from memo.build import check as run

    try:
        project, variants = run(content, templates)
    except MemoError as err:
        _fail(err)
    click.echo(f"{content}: valid ({len(project.precedents)} precedents, "
               f"{len(project.recommendations)} recommendations, {len(project.sources)} sources; "
               f"{len(variants)} variants render)")


@main.command("list")
@content_option
def list_(content) -> None:
    """List the variants the matrix declares, and the audiences.

    \b
    Example:
      memo list
    """
    from memo.content import load_project
    from memo.l10n import language_name
    from memo.plan import plan

    try:
        project = load_project(content)
        variants = plan(project)
    except MemoError as err:
        _fail(err)
    rows = [("variant", "audience", "language", "formats", "budget")]
    for v in variants:
        b = project.audiences[v.audience].budget
        budget = ", ".join(x for x in (
            f"{b.pages} page{'s' if b.pages > 1 else ''}" if b.pages else "",
            f"{b.words} words" if b.words else "") if x)
        rows.append((v.name, v.audience, language_name(v.lang), " ".join(v.formats), budget))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    click.echo(f"{len(variants)} variants, "
               f"{sum(len(v.formats) for v in variants)} files\n\naudiences:")
    width = max(len(a) for a in project.audiences)
    for name, profile in project.audiences.items():
        click.echo(f"  {name:<{width}}  {profile.description or profile.label}")
