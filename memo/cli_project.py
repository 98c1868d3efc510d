"""The commands that make and shape a project: ``new``, ``schema``, ``theme``."""

from __future__ import annotations

from pathlib import Path

import click

from memo.cli_options import templates_option
from memo.cli_options import where as _where
from memo.errors import UsageError, display_path


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--title", default="A New Policy Memo", show_default=True,
              help="The memo's title.")
def new(folder, title) -> None:
    """Start a memo project in FOLDER: every file, an example of each entry, comments.

    FOLDER gets memo-project.yaml (which marks it as a project), content/ with the
    memo, the JSON Schemas your editor uses to check the files as you type
    (.memo/schema/), and a .gitignore. It validates and builds as it stands.

    \b
    Example:
      memo new my-memo --title "Restoring Trilateral Cooperation"
      cd my-memo && memo build
    """
    from memo.scaffold import new as run

    written = run(folder, title)
    content = [p for p in written if p.suffix == ".yaml" and p.name != "memo-project.yaml"]
    click.echo(f"made the memo project {display_path(folder)}/: memo-project.yaml, "
               f"content/ ({len(content)} files), .memo/schema/ (JSON Schemas for your "
               "editor), .gitignore")
    click.echo(f"next: cd {display_path(folder)} && memo check && memo build")


@click.command()
@click.argument("name", required=False, metavar="[NAME]")
@click.option("--write", "write", is_flag=True,
              help="Write every schema into the project's .memo/schema/ instead.")
def schema(name, write) -> None:
    """Print the JSON Schema of a content file, generated from memo's own models.

    NAME is one of: project (memo-project.yaml), memo, precedents, recommendations,
    caveats, sources, briefing, audience (audiences/*.yaml); without it, all of them
    as one object. Editors with a YAML language server read them through the line
    '# yaml-language-server: $schema=...' that memo new puts atop each file.

    \b
    Examples:
      memo schema precedents > precedents.schema.json
      memo schema --write            refresh .memo/schema/ after upgrading memo
    """
    from memo import schema as schemas

    if write:
        if name:
            raise UsageError("--write writes every schema; give no NAME")
        from memo.project import MARKER, find_root

        root = find_root(Path.cwd())
        if root is None:
            raise UsageError(f"not in a memo project: no {MARKER} in {Path.cwd()} or any "
                             "folder above it; --write refreshes a project's .memo/schema/")
        for path in schemas.write(root):
            click.echo(f"wrote {display_path(path)}")
        return
    if name is None:
        click.echo(schemas.text({schemas.FILES[n]: s for n, s in schemas.schemas().items()}),
                   nl=False)
    elif name in schemas.FILES:
        click.echo(schemas.text(schemas.schema(name)), nl=False)
    else:
        raise UsageError(f"no schema {name!r}; choose from {', '.join(schemas.FILES)}")


@click.group()
def theme() -> None:
    """See and copy the files of the built-in theme, to override them in a project.

    A file in the project's templates/ replaces the built-in file of the same name
    (a section template, a stylesheet, a font, reference.docx); templates/labels.yaml
    replaces only the labels it names.

    \b
    Examples:
      memo theme list
      memo theme copy sections/bluf.html.j2 labels.yaml
    """


@theme.command("list")
@templates_option
def theme_list(templates) -> None:
    """List the theme's files and where each comes from: built-in or the project.

    \b
    Example:
      memo theme list
    """
    from memo.theme import Theme, listing

    where = _theme_folder(templates)
    rows = listing(Theme(where))
    width = max(len(n) for n, _ in rows)
    for name, origin in rows:
        click.echo(f"{name:<{width}}  {origin}")
    own = sum(o != "built-in" for _, o in rows)
    click.echo(f"{len(rows)} files; {own} from {display_path(where)}/" if where else
               f"{len(rows)} files, all built-in")


@theme.command("copy")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option("--all", "everything", is_flag=True, help="Copy every file of the theme.")
@click.option("--force", is_flag=True, help="Replace the project's own copies.")
@templates_option
def theme_copy(names, everything, force, templates) -> None:
    """Copy built-in theme files into the project's templates/ to edit them there.

    NAME is a file (sections/bluf.html.j2) or a folder (css) of the theme, as
    'memo theme list' shows it.

    \b
    Examples:
      memo theme copy sections/bluf.html.j2
      memo theme copy reference.docx css/memo.css
      memo theme copy --all
    """
    from memo.theme import Theme, copy

    if not names and not everything:
        raise UsageError("name the files to copy (memo theme list shows them), or --all")
    if names and everything:
        raise UsageError("give NAMEs or --all, not both")
    where = _theme_folder(templates)
    written = copy(Theme(where), list(names), overwrite=force)
    for path in written:
        click.echo(f"wrote {display_path(path)}")


def _theme_folder(templates: Path | None) -> Path | None:
    """The project's templates folder: --templates, else the project's, else none."""
    if templates is not None:
        return templates
    from memo.project import find_root

    return _where().templates if find_root(Path.cwd()) else None
