"""The ``memo`` command line: a thin layer over :mod:`memo.build` and :mod:`memo.content`.

Exit status: 0 success; 1 a build failed; 2 bad usage or invalid content. Commands
import the rendering libraries only when they render, so ``memo --help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from memo import __version__, cli_project, cli_review, cli_sources
from memo.cli_options import (
    Commands,
    content_option,
    engine_options,
    jobs_option,
    source_date,
    templates_option,
)
from memo.cli_options import where as _where
from memo.errors import MemoError, UsageError, display_path
from memo.writers import FORMATS, PDF_VARIANTS  # the package itself imports no writer


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="memo")
def main() -> None:
    """Build policy memos for several audiences as PDF, DOCX and HTML from one YAML source.

    \b
    Examples:
      memo batch                          every declared variant, into output/
      memo build -a principal -l ko       one audience in one language, every format
      memo check                          validate content/, render every variant
      memo release                        the release archive and SHA256SUMS
      memo new my-memo                    start a memo of your own
      memo serve                          live preview on http://127.0.0.1:8000/
    """


def run() -> None:
    """The ``memo`` program. ``kill`` (SIGTERM) unwinds like Ctrl-C: the workers are
    ended, temporary files removed and the manifest records what was finished, instead
    of the process vanishing mid-write. Set here, not in :func:`main`, so that a host
    calling the commands (pytest's CliRunner, an application) keeps its own handler."""
    import signal

    signal.signal(signal.SIGTERM, _terminated)
    main()


def _terminated(signum, frame) -> None:
    raise SystemExit(128 + signum)


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
               f"({time.perf_counter() - started:.1f} s) -> {display_path(result.out)}/")
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


def _run_build(content, templates, out, shard: str | None = None, **options) -> None:
    import time

    from memo.build import build as run
    from memo.plan import parse_shard

    started = time.perf_counter()
    where = _where(content, templates, out)
    result = run(where.content, where.templates, where.output, progress=_progress(),
                 shard=parse_shard(shard) if shard else None,
                 source_date=source_date(), **options)
    _report(result, started)
    if not result.ok:
        sys.exit(1)


def _complete_audience(ctx, param, incomplete: str):
    """Shell completion for --audience: the profiles in the project's content folder,
    read as file names only, so completing stays instant."""
    from memo.project import locate

    try:
        folder = locate(ctx.params.get("content")).content / "audiences"
    except MemoError:
        return []
    return sorted(p.stem for p in folder.glob("*.yaml")
                  if p.stem.startswith(incomplete) and not p.name.startswith("."))


@main.command()
@click.option("--audience", "-a", "audiences", multiple=True, metavar="NAME",
              shell_complete=_complete_audience,
              help="Audience to build (repeatable); default: all in the matrix.")
@click.option("--lang", "-l", "languages", multiple=True, metavar="CODE",
              help="Language to build (repeatable), like en, ko, ja; default: all.")
@click.option("--format", "-f", "formats", multiple=True, type=click.Choice(FORMATS),
              help="Format to write (repeatable); default: all.")
@engine_options
def build(audiences, languages, formats, content, templates, out, jobs, force, pdf_variant,
          shard, time_limit, review_notes) -> None:
    """Build the variants the options select from the matrix (all by default).

    Files are named AUDIENCE-LANG.EXT; OUT/manifest.json lists them with their hashes,
    words and inputs. Variants whose inputs have not changed are not rebuilt.

    \b
    Examples:
      memo build -a principal -l ko          the principal's memo in Korean, every format
      memo build -f docx --out /tmp/memos    every variant, Word only
    """
    _run_build(content, templates, out, audiences=audiences,
               languages=languages, formats=formats, jobs=jobs, force=force,
               pdf_variant=pdf_variant, shard=shard, time_limit=time_limit,
               review_notes=review_notes)


@main.command()
@engine_options
@click.option("--merge", "merge", is_flag=True,
              help="Do not build: merge the output folders DIRS into OUT.")
@click.argument("dirs", nargs=-1, type=click.Path(path_type=Path))
def batch(content, templates, out, jobs, force, pdf_variant, shard, time_limit, review_notes,
          merge, dirs) -> None:
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
            raise UsageError("--merge needs the output folders to merge: memo batch --merge "
                             "DIR DIR...")
        from memo.output import merge as join

        arts = join(dirs, out)
        click.echo(f"merged {len(arts)} files from {len(dirs)} folders into {out}/")
        return
    if dirs:
        raise UsageError(f"unexpected arguments {' '.join(map(str, dirs))} (folders are for "
                         "--merge)")
    _run_build(content, templates, out, shard=shard, jobs=jobs,
               force=force, pdf_variant=pdf_variant, time_limit=time_limit,
               review_notes=review_notes)


@main.command()
@content_option
@templates_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json: one object on stdout, for editors and CI.")
def check(content, templates, fmt) -> None:
    """Validate the content, and render every declared variant without writing anything.

    Reports every problem as FILE:LINE:COLUMN: FIELD: MESSAGE and exits 2 if there are
    any: invalid fields, unknown ids, and text a variant prints but its language lacks.
    With --format json, prints {"ok", "problems": [{file, line, column, field, message}],
    "variants"} instead, whatever the outcome.

    \b
    Examples:
      memo check --content my-memo/
      memo check --format json | jq '.problems[] | "\\(.file):\\(.line): \\(.message)"'
    """
    import json

    from memo.build import check as run
    from memo.errors import ContentError
    from memo.project import locate

    try:
        where = locate(content, templates)
        project, variants = run(where.content, where.templates)
    except MemoError as err:
        if fmt == "text":
            raise
        problems = [{"file": p.file, "line": p.line, "column": p.column, "field": p.path,
                     "message": p.message} for p in sorted(set(err.problems))] \
            if isinstance(err, ContentError) else [{"message": str(err)}]
        click.echo(json.dumps({"ok": False, "problems": problems, "variants": None},
                              ensure_ascii=False, indent=2))
        sys.exit(err.exit_code)
    if fmt == "json":
        click.echo(json.dumps({"ok": True, "problems": [],
                               "variants": [v.name for v in variants]}, indent=2))
        return
    click.echo(f"{display_path(where.content)}: valid ({len(project.precedents)} precedents, "
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

    project = load_project(_where(content).content)
    variants = plan(project)
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


@main.command("release")
@click.option("--version", "version", metavar="V",
              help="The release's name.  [default: git describe --tags --always --dirty]")
@content_option
@templates_option
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Where memo-V/ and memo-V.zip go.  [default: the project's dist/]")
@jobs_option
@click.option("--from", "shards", multiple=True, type=click.Path(path_type=Path),
              metavar="DIR", help="Do not build: release these CI shard folders (repeatable), "
              f"each built with --shard K/N --pdf-variant {PDF_VARIANTS[1]}.")
@click.option("--allow-draft", is_flag=True, help="Release a memo whose status is draft.")
@click.option("--allow-uncleared", is_flag=True,
              help="Release while a required clearance is pending or refused.")
def release_(version, content, templates, out, jobs, shards, allow_draft,
             allow_uncleared) -> None:
    """Build every variant as release artifacts: a folder, an archive, SHA256SUMS.

    PDFs are PDF/A-3b and carry the memo's content files (an audience with a release
    limit, only the files its memo was made from that are within it). The same inputs
    give the same bytes: set SOURCE_DATE_EPOCH to date the documents, else they carry
    the memo's date.

    \b
    Examples:
      memo release                            dist/memo-<git describe>/ and .zip
      memo release --version 2021.02 --out /tmp/dist
      memo release --from shard-1 --from shard-2 --version v1.0
    """
    from memo.release import release as run

    where = _where(content, templates, dist=out)
    made = run(where.content, where.templates, where.dist, version=version, jobs=jobs,
               source_date=source_date(), shards=shards, progress=_progress(),
               allow_draft=allow_draft, allow_uncleared=allow_uncleared)
    click.echo(f"{display_path(made.folder)}/  {len(made.files)} files, "
               f"{display_path(made.folder / 'SHA256SUMS')}")
    click.echo(f"{display_path(made.archive)}  sha256 {made.sha256}")


@main.command()
@click.argument("target", type=click.Path(path_type=Path, exists=True))
@content_option
@templates_option
@jobs_option
def verify(target, content, templates, jobs) -> None:
    """Check a release (folder or .zip) against its SHA256SUMS and a fresh build.

    Rebuilds every variant from the current content with the settings the release
    records, and compares file by file. Exit 1 if any file differs.

    \b
    Example:
      memo verify dist/memo-v1.0.zip
    """
    from memo.release import verify as run

    where = _where(content, templates)
    verdict = run(target, where.content, where.templates, jobs=jobs)
    width = max(len(c.status) for c in verdict.checks)
    for c in verdict.checks:
        click.echo(f"{c.status.upper() if c.status != 'ok' else 'ok':<{width}}  {c.file}"
                   + (f"  ({c.detail})" if c.detail else ""))
    bad = [c for c in verdict.checks if c.status != "ok"]
    verb = "does" if len(bad) == 1 else "do"
    click.echo(f"{verdict.release}: {len(verdict.checks) - len(bad)} of {len(verdict.checks)} "
               f"files match" + (f"; {len(bad)} {verb} not" if bad else ""))
    if bad:
        sys.exit(1)


@main.command()
@content_option
@templates_option
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port on 127.0.0.1 (0: any free one).")
def serve(content, templates, port) -> None:
    """Preview every variant in the browser; pages reload when a file is saved.

    Serves on 127.0.0.1 only: an index of the variants, each as the rendered document
    with the print stylesheet, and its PDF and DOCX built on demand. Invalid content
    shows its problems on the page instead. Ctrl-C stops.

    \b
    Example:
      memo serve --content my-memo --port 8080
    """
    import time

    from memo.serve import start

    where = _where(content, templates)
    try:
        server = start(where.content, where.templates, port)
    except OSError as exc:
        raise MemoError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from None
    host, bound = server.server_address[:2]
    click.echo(f"serving {display_path(where.content)} on http://{host}:{bound}/  "
               "(Ctrl-C stops)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop_watching.set()
        server.shutdown()


for command in (cli_project.new, cli_project.schema, cli_project.theme, cli_review.redline,
                cli_review.absorb, cli_review.clearance, cli_sources.sources):
    main.add_command(command)
