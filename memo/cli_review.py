"""The commands of a memo's review: ``memo redline`` (what changed since a reader last
saw it) and ``memo absorb`` (a reviewer's edits back into the YAML). A thin layer over
:mod:`memo.redline` and :mod:`memo.absorb`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from memo.cli_options import content_option, out_option, source_date, templates_option, where
from memo.errors import display_path
from memo.writers import FORMATS


@click.command()
@click.option("--since", "since", required=True, metavar="OLD",
              help="The version to compare with: a git revision of the project (HEAD~1, "
              "v1.2), a release folder or archive made by `memo release`, or a content "
              "folder.")
@click.option("--audience", "-a", "audiences", multiple=True, metavar="NAME",
              help="Audience to redline (repeatable); default: all in the matrix.")
@click.option("--lang", "-l", "languages", multiple=True, metavar="CODE",
              help="Language (repeatable); default: all.")
@click.option("--format", "-f", "formats", multiple=True, type=click.Choice(FORMATS),
              help="Format (repeatable); default: all.")
@click.option("--author", metavar="NAME", default=None,
              help="Who the DOCX's tracked changes are by.  [default: memo]")
@content_option
@templates_option
@out_option
def redline(since, audiences, languages, formats, author, content, templates, out) -> None:
    """Build each selected variant as a redline from OLD to the current content.

    The DOCX carries the changes as Word's tracked changes (insertions, deletions, moves,
    emphasis), dated with the memo's date or SOURCE_DATE_EPOCH; the PDF and the HTML
    underline insertions, strike deletions, put a bar beside each changed block and open
    with a list of the changes. Fields are compared by id, then word by word (Korean and
    Japanese character by character). Files are named AUDIENCE-LANG.redline.EXT.

    \b
    Examples:
      memo redline --since HEAD~1                    every variant, against the last commit
      memo redline --since v1.2 -a staff -f docx     the staff memo in Word, since a tag
      memo redline --since dist/memo-v1.2.zip        against a release archive
    """
    from memo.redline import redline as run

    paths = where(content, templates, out)
    result = run(paths.content, paths.templates, paths.output, since, root=paths.root,
                 audiences=audiences, languages=languages, formats=formats, author=author,
                 source_date=source_date(),
                 progress=lambda v, i, n: click.echo(f"[{i}/{n}] {v}", err=True))
    for v in result.variants:
        if v.failure:
            click.echo(f"{v.variant:<14} FAILED", err=False)
            continue
        what = "new since then" if v.new_audience else \
            f"{v.revisions} tracked changes, {len(v.substantive)} to the content"
        click.echo(f"{v.variant:<14} {what:<40} {' '.join(v.files)}")
    if result.ignored:
        click.echo(f"fields of {result.since} this memo no longer knows, left out: "
                   + "; ".join(result.ignored), err=True)
    made = sum(1 for v in result.variants if not v.failure)
    click.echo(f"{made} redline{'s' if made != 1 else ''} since {result.since} -> "
               f"{display_path(result.out)}/")
    for v in result.variants:
        if v.failure:
            click.echo(f"failed: {v.variant}: {v.failure}", err=True)
    if not result.ok:
        sys.exit(1)


@click.command()
@click.argument("docx", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@content_option
@templates_option
@click.option("--base", metavar="OLD", default=None,
              help="The version the DOCX was built from, if memo cannot find it: a git "
              "revision, a release or a content folder.")
@click.option("--dry-run", is_flag=True, help="Write nothing: print the change as a "
              "unified diff of the YAML files.")
@click.option("--partial", is_flag=True, help="Write what can be taken back even when "
              "some edits cannot.")
def absorb(docx, content, templates, base, dry_run, partial) -> None:
    """Take a reviewer's edits and comments in DOCX back into the YAML.

    Each field the reviewer changed (tracked changes accepted; untracked edits too) is
    written back in place, its markup and citations kept where the reviewer kept their
    words and notes, nothing else in the file moving. Comments go to review.yaml, tied
    to their field. Edits memo cannot take back (generated text, a change across two
    fields, a field changed in the YAML since) are listed, and then nothing is written
    unless --partial; exit 1.

    \b
    Examples:
      memo absorb staff-en-reviewed.docx --dry-run
      memo absorb partner-ko-cleared.docx
    """
    from memo.absorb import absorb as run

    paths = where(content, templates)
    found = run(docx, paths.content, paths.templates, root=paths.root, output=paths.output,
                base=base, dry_run=dry_run, partial=partial)
    if dry_run and found.diff:
        click.echo(found.diff, nl=False)
    for p in found.problems:
        click.echo(f"cannot take back: {p.near}: {p.what}: {p.words}", err=True)
    for p in found.notes_edited:
        click.echo(f"not applied: {p.near}: {p.what}: {p.words}", err=True)
    by = sorted({a for e in found.edits for a in e.by})
    verb = "would change" if dry_run or (found.problems and not partial) else "changed"
    click.echo(f"{display_path(docx)} ({found.variant}, compared with {found.base}): "
               f"{len(found.edits)} field{'s' if len(found.edits) != 1 else ''} {verb}"
               + (f" by {', '.join(by)}" if by else "")
               + f"; {len(found.comments)} comment{'s' if len(found.comments) != 1 else ''}"
               + (f" ({found.new_comments} new)" if found.comments else ""))
    for e in found.edits:
        click.echo(f"  {display_path(paths.content / e.file)}:{e.line}  {e.key.split(':', 1)[1]}")
    if found.problems and not partial:
        click.echo(f"{len(found.problems)} edit(s) cannot be taken back: nothing written "
                   "(--partial writes the rest)", err=True)
        sys.exit(1)


@click.command()
@content_option
@templates_option
def clearance(content, templates) -> None:
    """Show who drafted the memo, who has cleared it and how, and what is outstanding.

    Reads the clearance block of memo.yaml. An office that cleared with edits is shown
    with the review notes `memo absorb` brought back from the same person. Exit 1 while
    a required clearance is pending or refused (memo release refuses then too).

    \b
    Example:
      memo clearance
    """
    from memo import clearance as clearing
    from memo.content import load_project

    paths = where(content, templates)
    project = load_project(paths.content)
    block = project.memo.clearance
    for line in clearing.table(block, project.review):
        click.echo(line)
    if clearing.outstanding(block):
        sys.exit(1)
