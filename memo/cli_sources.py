"""``memo sources import`` and ``memo sources export``: the registry in and out of a
reference manager. A thin layer over :mod:`memo.sources`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from memo.cli_options import content_option, where
from memo.errors import display_path


@click.group()
def sources() -> None:
    """The sources registry (content/sources.yaml): CSL-JSON items, in and out of Zotero
    or any reference manager that speaks CSL-JSON or BibTeX."""


@sources.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Say what would be added; write nothing.")
@content_option
def import_(file: Path, dry_run: bool, content: Path | None) -> None:
    """Add the items of FILE, a reference manager's export, to sources.yaml.

    FILE is CSL-JSON (.json, as Zotero and Better BibTeX export it), CSL-YAML (.yaml) or
    BibTeX (.bib, read by pandoc). Items merge by id: one sources.yaml lacks is added at
    its end (the rest of the file stays as it was), one already there with the same
    fields is left alone, and one whose fields differ is a conflict: each is listed and
    nothing is written (exit status 1). Every item is checked against the CSL data
    schema first: a bad one is named with its line and field (exit status 2).

    \b
    Examples:
      memo sources import ~/Downloads/My\\ Library.json
      memo sources import refs.bib --dry-run
    """
    from memo import yamlsource
    from memo.output import atomic_write
    from memo.sources import appended, merge, read_export

    paths = where(content)
    registry = paths.content / "sources.yaml"
    items = read_export(file)
    try:
        have = yamlsource.load(registry).data.get("sources") or []
    except yamlsource.LoadFailed as exc:
        from memo.errors import ContentError

        raise ContentError([exc.problem]) from None
    add, same, conflicts = merge(have, items)
    for line in conflicts:
        click.echo(f"conflict: {line}", err=True)
    if conflicts:
        click.echo(f"{len(conflicts)} conflicting: nothing written. Change the item in "
                   f"{display_path(registry)} or in the export so they agree, then import "
                   "again.", err=True)
        sys.exit(1)
    for item in add:
        click.echo(f"{'would add' if dry_run else 'added'}: {item['id']}")
    if add and not dry_run:
        atomic_write(registry, appended(registry.read_text(encoding="utf-8"), add).encode())
    click.echo(f"{len(add)} {'to add' if dry_run else 'added'}, {len(same)} already in "
               f"{display_path(registry)}")


@sources.command("export")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Write to this file.  [default: standard output]")
@content_option
def export_(output: Path | None, content: Path | None) -> None:
    """Write the registry as CSL-JSON, which Zotero imports (File > Import)."""
    from memo.content import load_project
    from memo.output import atomic_write
    from memo.sources import export

    project = load_project(where(content).content)
    text = export([s.csl() for s in project.sources])
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write(output, text.encode())
        click.echo(f"{len(project.sources)} items -> {display_path(output)}", err=True)
