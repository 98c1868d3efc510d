"""Writers turn one rendered :class:`~memo.document.Document` into the bytes of a format.

Each writer module declares what its format is, as its ``WRITER`` (:class:`Writer`):
its name and media type, the libraries whose versions change its bytes, the theme's
stylesheets it uses, whether it lays out pages (and so can count them), and its
``write(doc, theme, options) -> Output``. The build, the cache, the preview and the
release ask these declarations; nothing outside this package knows about PDF or DOCX.
Writers import their heavy libraries (WeasyPrint, python-docx) only when they write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

FORMATS = ("pdf", "docx", "html")
"""Every format, in the order artifacts are listed; each is the module ``memo.writers.<name>``."""
PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3b")
"""PDF/UA-1, tagged for screen readers, is the default; PDF/A-3b is for archives (the
release uses it) and carries the memo's content files as attachments. Both are tagged."""


@dataclass(frozen=True)
class Options:
    """How to write, beyond the document itself."""

    pdf_variant: str = PDF_VARIANTS[0]
    sources: tuple[tuple[str, bytes], ...] = ()
    """The memo's own content files, by relative path: a format that can carry its
    source does (PDF/A-3, as attachments)."""
    carries: frozenset[str] | None = None
    """The names, among ``sources``, that this variant's files may carry (None: all):
    an audience with a ``release`` limit is handed only what is within it."""


DEFAULT = Options()

SCRATCH = "MEMO_SCRATCH"
"""The environment variable that names, in a build's worker, a folder for what a writer
keeps from one variant to the next (the PDF writer's fonts). The build removes it at
its end, however its workers ended (:class:`memo.engine.Workers`)."""


@dataclass
class Output:
    data: bytes
    pages: int | None = None
    fonts: tuple = ()
    """The font files the bytes depend on (:class:`memo.fonts.FontFile`)."""
    font_places: dict[str, str] = field(default_factory=dict)
    """Where this machine keeps the system fonts among them: FontFile.key -> path."""
    provenance: dict[str, str] = field(default_factory=dict)
    """A format that marks where each field's text is (the DOCX's bookmarks): each
    mark's name -> the field's key (memo.marks)."""
    embeds: tuple[str, ...] = ()
    """The content files the bytes carry or name besides the document's text (a PDF/A-3's
    attachments, a DOCX's digest of its content): the file depends on them too."""

    @classmethod
    def of(cls, doc, data: bytes, pages: int | None = None, fonts=(),
           font_places: dict[str, str] | None = None, embeds: tuple[str, ...] = ()) -> Output:
        """The output of ``doc``, with the fonts its figures were drawn with besides
        ``fonts``: every format's bytes depend on those."""
        from memo.fonts import merged

        figures = doc.figures.values()
        return cls(data, pages, merged(fonts, *(f.fonts for f in figures)),
                   {k: v for f in figures for k, v in f.font_places.items()}
                   | (font_places or {}), embeds=tuple(embeds))


@dataclass(frozen=True)
class Writer:
    """What a format is and how to write it, declared by its writer module."""

    name: str
    media_type: str
    write: Callable[..., Output]  # (doc, theme, options=DEFAULT) -> Output
    libraries: tuple[str, ...] = ()  # distributions whose versions change the bytes
    stylesheets: tuple[str, ...] = ()  # theme files, in cascade order
    paged: bool = False  # lays out pages, so Output.pages is the page count
    prepare: Callable[..., None] | None = None
    """(theme) -> None: what a worker process does before its first document, while the
    content is still being validated: import the heavy libraries, parse the theme.
    Never needed: ``write`` does whatever it did not."""

    def __call__(self, doc, theme, options: Options = DEFAULT) -> Output:
        return self.write(doc, theme, options)


def lazy_module(name: str):
    """``name``, imported when one of its attributes is first used (the standard
    library's LazyLoader recipe): a writer keeps its heavy imports off the paths that
    only ask what it is."""
    import importlib.util
    import sys

    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


def writer(fmt: str) -> Writer:
    """The writer of ``fmt``, its module imported on first use."""
    from importlib import import_module

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    return import_module(f"memo.writers.{fmt}").WRITER


def writers() -> list[Writer]:
    return [writer(f) for f in FORMATS]


def paged() -> Writer:
    """The writer that lays out pages: it counts them for page budgets, and its
    stylesheets give the preview its printed look."""
    return next(w for w in writers() if w.paged)


def libraries() -> tuple[str, ...]:
    """The libraries whose versions change some writer's bytes, each once."""
    return tuple(dict.fromkeys(lib for w in writers() for lib in w.libraries))
