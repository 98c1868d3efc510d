"""Writers turn one rendered :class:`~memo.document.Document` into the bytes of a format.

Each writer module has ``write(doc, templates, options) -> Output``; they import their
heavy libraries (WeasyPrint, python-docx) only when called.
"""

from __future__ import annotations

from dataclasses import dataclass

FORMATS = ("pdf", "docx", "html")
PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3b")
"""PDF/UA-1, tagged for screen readers, is the default; PDF/A-3b is for archives (the
release uses it) and carries the memo's content files as attachments. Both are tagged."""


@dataclass(frozen=True)
class Options:
    """How to write, beyond the document itself."""

    pdf_variant: str = PDF_VARIANTS[0]
    attachments: tuple[tuple[str, bytes], ...] = ()
    """Files the PDF carries (PDF/A-3 only): the memo's own source, by relative path."""


DEFAULT = Options()


@dataclass
class Output:
    data: bytes
    pages: int | None = None


def writer(fmt: str):
    """The ``write`` function for ``fmt``, imported on first use."""
    from importlib import import_module

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    return import_module(f"memo.writers.{fmt}").write
