"""Writers turn one rendered :class:`~memo.document.Document` into the bytes of a format.

Each writer module has ``write(doc, theme, options) -> Output``; they import their heavy
libraries (WeasyPrint, python-docx) only when called. ``theme`` is a
:class:`memo.theme.Theme` (or a project's templates folder), where each finds its files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    fonts: tuple = ()
    """The font files the bytes depend on (:class:`memo.fonts.FontFile`)."""
    font_places: dict[str, str] = field(default_factory=dict)
    """Where this machine keeps the system fonts among them: FontFile.key -> path."""

    @classmethod
    def of(cls, doc, data: bytes, pages: int | None = None, fonts=(),
           font_places: dict[str, str] | None = None) -> Output:
        """The output of ``doc``, with the fonts its figures were drawn with besides
        ``fonts``: every format's bytes depend on those."""
        from memo.fonts import merged

        figures = doc.figures.values()
        return cls(data, pages, merged(fonts, *(f.fonts for f in figures)),
                   {k: v for f in figures for k, v in f.font_places.items()}
                   | (font_places or {}))


def writer(fmt: str):
    """The ``write`` function for ``fmt``, imported on first use."""
    from importlib import import_module

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    return import_module(f"memo.writers.{fmt}").write
