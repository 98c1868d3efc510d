"""What the commands share: their options, where a project's folders are, how they fail.

Kept apart from the commands so that each command module imports it and none imports
another.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from memo.errors import MemoError, UsageError
from memo.writers import PDF_VARIANTS

content_option = click.option(
    "--content", "content", type=click.Path(path_type=Path), default=None,
    help="The memo's YAML folder.  [default: the project's content/]")
templates_option = click.option(
    "--templates", type=click.Path(path_type=Path), default=None,
    help="Files that override the built-in theme (Jinja, CSS, fonts, labels, "
    "reference.docx), by name.  [default: the project's templates/]")
out_option = click.option(
    "--out", type=click.Path(path_type=Path), default=None,
    help="Where to write the files and manifest.json.  [default: the project's output/]")
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
review_notes_option = click.option(
    "--review-notes", is_flag=True, help="Put the open notes of review.yaml in: Word "
    "comments on their words in the DOCX, beside them in the HTML (not in the PDF).")
shard_option = click.option(
    "--shard", metavar="K/N", help="Build only the K-th of N slices of the variants "
    "(for N CI runners); `memo batch --merge` joins their folders.")


def engine_options(command):
    """The options `memo build` and `memo batch` share: they are one engine."""
    for option in reversed((content_option, templates_option, out_option, jobs_option,
                            force_option, pdf_variant_option, shard_option,
                            time_limit_option, review_notes_option)):
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


class Failed(click.ClickException):
    """A :class:`~memo.errors.MemoError` as Click shows errors: its message alone on
    stderr (no "Error:" prefix: the message names the file and line), and its exit
    status, 1 for a failed build, 2 for bad usage or content."""

    def __init__(self, err: MemoError):
        super().__init__(str(err))
        self.exit_code = err.exit_code

    def show(self, file=None) -> None:
        click.echo(self.message, err=True)


class Commands(click.Group):
    """memo's command group: a MemoError raised by any command, at any depth, ends the
    command as :class:`Failed` does, so commands raise instead of catching."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MemoError as err:
            raise Failed(err) from None


def where(content: Path | None = None, templates: Path | None = None,
           out: Path | None = None, dist: Path | None = None):
    """The project's folders (memo.project), with the options given taking precedence."""
    from memo.project import locate

    return locate(content, templates, out, dist)
