"""The ``memo`` command line: a thin layer over :mod:`memo.build` and :mod:`memo.content`.

Exit status: 0 success; 1 a build failed; 2 bad usage or invalid content. Commands
import the rendering libraries only when they render, so ``memo --help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from memo import __version__
from memo.errors import MemoError
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


@main.command()
@click.option("--audience", "-a", "audiences", multiple=True, metavar="NAME",
              help="Audience to build (repeatable); default: all.")
@click.option("--format", "-f", "formats", multiple=True, type=click.Choice(FORMATS),
              help="Format to write (repeatable); default: all.")
@content_option
@click.option("--templates", type=click.Path(path_type=Path), default=Path("templates"),
              show_default=True, help="The templates folder (Jinja, CSS, fonts, reference.docx).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("output"),
              show_default=True, help="Where to write the files and manifest.json.")
def build(audiences, formats, content, templates, out) -> None:
    """Render the memo and write PDF, DOCX and HTML files.

    Files are named AUDIENCE-LANG.EXT; OUT/manifest.json lists them with their hashes.

    \b
    Example:
      memo build --audience staff --format docx --out /tmp/memos
    """
    from memo.build import build as run

    try:
        result = run(content, templates, out, audiences=audiences, formats=formats,
                     log=click.echo)
    except MemoError as err:
        _fail(err)
    for f in result.failures:
        click.echo(f"failed: {f.variant}.{f.format}: {f.message}", err=True)
    if not result.ok:
        sys.exit(1)


@main.command()
@content_option
def check(content) -> None:
    """Validate the content without writing anything.

    Reports every problem as FILE:LINE:COLUMN: FIELD: MESSAGE and exits 2 if there are any.

    \b
    Example:
      memo check --content my-memo/
    """
    from memo.content import load_project

    try:
        project = load_project(content)
    except MemoError as err:
        _fail(err)
    click.echo(f"{content}: valid ({len(project.precedents)} precedents, "
               f"{len(project.recommendations)} recommendations, {len(project.sources)} sources, "
               f"audiences: {', '.join(project.audiences)})")


@main.command("list")
@content_option
def list_(content) -> None:
    """List the audiences and formats that can be built.

    \b
    Example:
      memo list
    """
    from memo.content import load_project

    try:
        project = load_project(content)
    except MemoError as err:
        _fail(err)
    click.echo("audiences:")
    width = max(len(a) for a in project.audiences)
    for name, profile in project.audiences.items():
        pages = f" (at most {profile.budget.pages} page{'s' if profile.budget.pages > 1 else ''})" \
            if profile.budget.pages else ""
        click.echo(f"  {name:<{width}}  {profile.description or profile.label}{pages}")
    click.echo("formats:")
    click.echo("  " + ", ".join(FORMATS))
    click.echo("languages:")
    click.echo("  " + project.memo.lang)
