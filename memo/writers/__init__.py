"""Writers turn one rendered :class:`~memo.document.Document` into the bytes of a format.

Each writer module has ``write(doc, templates) -> Output``; they import their heavy
libraries (WeasyPrint, python-docx) only when called.
"""

from __future__ import annotations

from dataclasses import dataclass

FORMATS = ("pdf", "docx", "html")


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
