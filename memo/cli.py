"""The ``memo`` command line: a thin layer over :mod:`memo.build` and :mod:`memo.content`.

Exit status: 0 success; 1 a build failed; 2 bad usage or invalid content. Commands
import the rendering libraries only when they render, so ``memo --help`` stays fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from memo import __version__
from memo.errors import MemoError, UsageError
from memo.writers import FORMATS, PDF_VARIANTS  # the package itself imports no writer

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
      memo batch                          every declared variant, into output/
      memo build -a principal -l ko       one audience in one language, every format
      memo check                          validate content/, render every variant
      memo release                        the release archive and SHA256SUMS
      memo new my-memo                    start a memo of your own
      memo serve                          live preview on http://127.0.0.1:8000/
    """
    # `kill` (SIGTERM) unwinds like Ctrl-C: temporary files are removed and the manifest
    # records what was finished, instead of the process vanishing mid-write.
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminated)


def _terminated(signum, frame) -> None:
    raise SystemExit(128 + signum)


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
pdf_variant_option = click.option(
    "--pdf-variant", type=click.Choice(PDF_VARIANTS), default=PDF_VARIANTS[0], show_default=True,
    help="PDF/UA-1 (tagged, accessible) or PDF/A-3b (archival, carries the content files).")
time_limit_option = click.option(
    "--time-limit", type=click.FloatRange(min=0, min_open=True), default=300.0,
    show_default=True, metavar="SECONDS", help="Fail a variant that takes longer than this.")
shard_option = click.option(
    "--shard", metavar="K/N", help="Build only the K-th of N slices of the variants "
    "(for N CI runners); `memo batch --merge` joins their folders.")


def engine_options(command):
    """The options `memo build` and `memo batch` share: they are one engine."""
    for option in reversed((content_option, templates_option, out_option, jobs_option,
                            force_option, pdf_variant_option, shard_option,
                            time_limit_option)):
        command = option(command)
    return command


def source_date() -> int | None:
    """``SOURCE_DATE_EPOCH`` from the environment, the reproducible-builds convention for
    the date a build stamps; unset, documents carry the memo's own date."""
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise UsageError(f"SOURCE_DATE_EPOCH={raw!r}: expected whole seconds since 1970")
    return int(raw)


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


def _run_build(shard: str | None = None, **options) -> None:
    import time

    from memo.build import build as run
    from memo.plan import parse_shard

    started = time.perf_counter()
    try:
        result = run(progress=_progress(), shard=parse_shard(shard) if shard else None,
                     source_date=source_date(), **options)
    except MemoError as err:
        _fail(err)
    _report(result, started)
    if not result.ok:
        sys.exit(1)


def _complete_audience(ctx, param, incomplete: str):
    """Shell completion for --audience: the profiles in the content folder, read as file
    names only, so completing stays instant."""
    folder = Path(ctx.params.get("content") or "content") / "audiences"
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
          shard, time_limit) -> None:
    """Build the variants the options select from the matrix (all by default).

    Files are named AUDIENCE-LANG.EXT; OUT/manifest.json lists them with their hashes,
    words and inputs. Variants whose inputs have not changed are not rebuilt.

    \b
    Examples:
      memo build -a principal -l ko          the principal's memo in Korean, every format
      memo build -f docx --out /tmp/memos    every variant, Word only
    """
    _run_build(content=content, templates=templates, out=out, audiences=audiences,
               languages=languages, formats=formats, jobs=jobs, force=force,
               pdf_variant=pdf_variant, shard=shard, time_limit=time_limit)


@main.command()
@engine_options
@click.option("--merge", "merge", is_flag=True,
              help="Do not build: merge the output folders DIRS into OUT.")
@click.argument("dirs", nargs=-1, type=click.Path(path_type=Path))
def batch(content, templates, out, jobs, force, pdf_variant, shard, time_limit, merge,
          dirs) -> None:
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
    _run_build(content=content, templates=templates, out=out, shard=shard, jobs=jobs,
               force=force, pdf_variant=pdf_variant, time_limit=time_limit)


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

    try:
        project, variants = run(content, templates)
    except MemoError as err:
        if fmt == "text":
            _fail(err)
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


@main.command("release")
@click.option("--version", "version", metavar="V",
              help="The release's name.  [default: git describe --tags --always --dirty]")
@content_option
@templates_option
@click.option("--out", type=click.Path(path_type=Path), default=Path("dist"), show_default=True,
              help="Where memo-V/ and memo-V.zip go.")
@jobs_option
@click.option("--from", "shards", multiple=True, type=click.Path(path_type=Path),
              metavar="DIR", help="Do not build: release these CI shard folders (repeatable), "
              f"each built with --shard K/N --pdf-variant {PDF_VARIANTS[1]}.")
def release_(version, content, templates, out, jobs, shards) -> None:
    """Build every variant as release artifacts: a folder, an archive, SHA256SUMS.

    PDFs are PDF/A-3b and carry the memo's content files. The same inputs give the same
    bytes: set SOURCE_DATE_EPOCH to date the documents, else they carry the memo's date.

    \b
    Examples:
      memo release                            dist/memo-<git describe>/ and .zip
      memo release --version 2021.02 --out /tmp/dist
      memo release --from shard-1 --from shard-2 --version v1.0
    """
    from memo.release import release as run

    try:
        made = run(content, templates, out, version=version, jobs=jobs,
                   source_date=source_date(), shards=shards, progress=_progress())
    except MemoError as err:
        _fail(err)
    click.echo(f"{made.folder}/  {len(made.files)} files, {made.folder / 'SHA256SUMS'}")
    click.echo(f"{made.archive}  sha256 {made.sha256}")


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

    try:
        verdict = run(target, content, templates, jobs=jobs)
    except MemoError as err:
        _fail(err)
    width = max(len(c.status) for c in verdict.checks)
    for c in verdict.checks:
        click.echo(f"{c.status.upper() if c.status != 'ok' else 'ok':<{width}}  {c.file}"
                   + (f"  ({c.detail})" if c.detail else ""))
    bad = [c for c in verdict.checks if c.status != "ok"]
    click.echo(f"{verdict.release}: {len(verdict.checks) - len(bad)} of {len(verdict.checks)} "
               f"files match" + (f"; {len(bad)} do not" if bad else ""))
    if bad:
        sys.exit(1)


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--title", default="A New Policy Memo", show_default=True,
              help="The memo's title.")
def new(folder, title) -> None:
    """Start a memo project in FOLDER: every file, an example of each entry, comments.

    It validates and builds as it stands; edit it from there.

    \b
    Example:
      memo new my-memo --title "Restoring Trilateral Cooperation"
      memo build --content my-memo --out my-memo-output
    """
    from memo.scaffold import new as run

    try:
        written = run(folder, title)
    except MemoError as err:
        _fail(err)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"next: memo check --content {folder}; memo build --content {folder}")


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

    try:
        server = start(content, templates, port)
    except OSError as exc:
        _fail(MemoError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}"))
    host, bound = server.server_address[:2]
    click.echo(f"serving {content} on http://{host}:{bound}/  (Ctrl-C stops)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop_watching.set()
        server.shutdown()
