"""PDF: the rendered HTML through WeasyPrint with the print stylesheets.

Footnotes are CSS footnotes (``float: footnote``), the marking and "Page N of M" are
page-margin boxes, headings become bookmarks. The only files WeasyPrint may load are
the theme's own stylesheets and fonts, and ``data:`` URLs.

Every PDF is tagged (a structure tree: headings, paragraphs, lists, links, in reading
order) and declares its language and its title, as PDF/UA-1 asks; PDF/A-3b adds the
archival constraints and carries the memo's content files as attachments.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import re
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from memo import fonts as fonts_
from memo.errors import MemoError
from memo.theme import Theme, as_theme
from memo.writers import DEFAULT, PDF_VARIANTS, SCRATCH, Options, Output, Writer, typeface

if TYPE_CHECKING:  # lxml stays unloaded until a PDF is written
    from memo.document import Document

STYLESHEETS = ("css/memo.css", "css/print.css")
REDLINE = "css/redline.css"  # a redline's marks (memo.redline), after the others


def _fetcher(theme: Theme):
    """A URL fetcher that serves ``data:`` URLs and the theme's own files, nothing else.

    WeasyPrint's default fetcher follows ``file:`` and ``http(s):`` URLs and redirects; a
    memo must not be able to read the machine's files or reach the network. A file URL
    is taken as a name inside the theme and looked up through it, so a project's
    stylesheet that says ``url(../fonts/X.ttf)`` gets the built-in font when the project
    has none of its own.
    """
    from urllib.parse import unquote, urlparse

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ThemeFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            parsed = urlparse(url)
            name = theme.name_of(Path(unquote(parsed.path))) if parsed.scheme == "file" \
                else None
            try:
                path = theme.find(name) if name else None
            except MemoError as exc:
                self.refused.append(str(exc))
                raise
            if path is not None:
                return URLFetcherResponse(path.as_uri(), path.read_bytes(),
                                          {"Content-Type": _mime(path)})
            self.refused.append(f"{url}: not a file of the theme"
                                if name else f"{url}: only the theme's own files may be loaded")
            raise ValueError(f"refused {url}")

    fetcher = ThemeFetcher(allowed_protocols=("data", "file"), allow_redirects=False)
    fetcher.refused = []  # WeasyPrint logs a fetcher's error and goes on: kept for write()
    return fetcher


def _mime(path: Path) -> str:
    types = {".css": "text/css", ".ttf": "font/ttf", ".otf": "font/otf", ".woff2": "font/woff2",
             ".png": "image/png", ".svg": "image/svg+xml"}
    return types.get(path.suffix, "application/octet-stream")


def page_counter_css(label: str) -> str:
    """The page counter's margin box from a label like ``"Page {page} of {pages}"`` or
    ``"{page} / {pages}쪽"`` (labels.yaml), as CSS."""
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", label):
        if piece in ("{page}", "{pages}"):
            parts.append(f"counter({piece[1:-1]})")
        elif piece:
            parts.append('"' + piece.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return "@page { @bottom-right { content: " + " ".join(parts) + "; } }"


def write(doc: Document, templates: Theme | Path | None, options: Options = DEFAULT) -> Output:
    from weasyprint import HTML

    theme = as_theme(templates)
    doc = doc.plain()
    fetch = _fetcher(theme)
    redline = bool(doc.meta("memo.redline"))
    typography = typeface.of(doc)
    fonts, sheets, refused = _stylesheets(theme, redline, typography, page_counter_css(
        doc.label("page", "Page {page} of {pages}")))
    fetch.refused += refused
    if options.pdf_variant not in PDF_VARIANTS:
        raise MemoError(f"unknown PDF variant {options.pdf_variant!r}; "
                        f"choose from {', '.join(PDF_VARIANTS)}")
    rendered = HTML(string=_layout_html(doc), base_url=str(theme.layers[0]) + "/",
                    url_fetcher=fetch).render(
        stylesheets=sheets, font_config=fonts, presentational_hints=False, pdf_tags=True)
    attachments = _attachments(doc, options)
    with spoken_changes(redline):
        data = rendered.write_pdf(pdf_variant=options.pdf_variant, pdf_tags=True,
                                  attachments=attachments)
    if fetch.refused:  # a font or stylesheet WeasyPrint would silently have done without
        raise MemoError("the theme asks for files memo will not load: "
                        + "; ".join(dict.fromkeys(fetch.refused)))
    _check_glyphs(rendered)
    if typography is not None:
        typeface.check_embedded(typography, {f.family for f in
                                             getattr(rendered, "fonts", {}).values()})
    used, paths = _fonts_used(rendered, theme)
    return Output.of(doc, data, len(rendered.pages), used, paths,
                     embeds=tuple(a.name for a in attachments or ()))


_PREPARED: dict[tuple, tuple] = {}
"""This process's font configuration and parsed stylesheets, per theme (its files'
stamps): see :func:`_stylesheets`."""
# dropped before the interpreter tears its modules down: a configuration removes its
# fonts' folder as it goes, and cannot once shutil is gone
atexit.register(_PREPARED.clear)


def _stylesheets(theme: Theme, redline: bool, typography: typeface.Typography | None,
                 counter: str) -> tuple:
    """(font configuration, stylesheets in cascade order, files refused) for one PDF,
    each sheet parsed once per process and theme, and reused by every PDF after it.

    A worker builds variant after variant with the same theme. Each WeasyPrint
    ``FontConfiguration`` loads fontconfig's configuration and caches anew, copies
    every ``@font-face`` file of the theme to a temporary folder and makes Pango open
    every face again (the Noto CJK collections are 20-30 MB each); parsing the theme's
    stylesheets costs about as much again. Neither depends on the document: each
    document's fonts and their subsets are its own (``Document.fonts``), so the PDF's
    bytes are the same as with a configuration of its own (tests/test_workers.py holds
    them to that). The theme's files' sizes and times are in the key, so an edited
    stylesheet or font (``memo serve``) is read again. A file the fetcher refused while
    a sheet was parsed is remembered with it: every PDF that uses the sheet is refused.
    """
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    stamps = tuple((name, st.st_size, st.st_mtime_ns) for name, st in
                   ((n, p.stat()) for n, p in theme.files().items()))
    if len(_PREPARED) > 8:  # a long-lived process (memo serve) that went through themes
        _PREPARED.clear()
    key = (theme.layers, stamps)
    if key not in _PREPARED:  # (not setdefault: a configuration is costly to make)
        _PREPARED[key] = (FontConfiguration(), {})
    fonts, cache = _PREPARED[key]

    def sheets(key, parse) -> tuple[list, list[str]]:
        if key not in cache:
            fetch = _fetcher(theme)
            with _kept_files():
                cache[key] = (parse(fetch), list(fetch.refused))
        return cache[key]

    def css(text: str):
        return lambda fetch: [CSS(string=text, font_config=fonts, url_fetcher=fetch)]

    size = typography.size if typography is not None else None
    parts = [sheets(("theme", redline, size),
                    lambda fetch: _theme_sheets(theme, fonts, fetch, redline, size)),
             sheets(("counter", counter), css(counter))]
    if typography is not None:  # the audience's face, size and margins, last
        parts.append(sheets(("typography", typography), css(typeface.pdf_css(typography))))
    return (fonts, [s for parsed, _ in parts for s in parsed],
            [r for _, refused in parts for r in refused])


def _theme_sheets(theme: Theme, fonts, fetch, redline: bool, size: float | None) -> list:
    """The theme's stylesheets (a redline's too), their sizes in proportion to a body
    of ``size`` points when the audience sets one."""
    from weasyprint import CSS

    names = STYLESHEETS + ((REDLINE,) if redline else ())
    if size is None:
        return [CSS(filename=str(theme.path(s)), font_config=fonts, url_fetcher=fetch)
                for s in names]
    texts = typeface.scaled_theme([theme.path(s).read_text("utf-8") for s in names], size)
    # relative URLs as from the file itself
    return [CSS(string=text, base_url=theme.path(s).as_uri(), font_config=fonts,
                url_fetcher=fetch) for s, text in zip(names, texts, strict=True)]


@contextmanager
def _kept_files():
    """WeasyPrint copies each ``@font-face`` file into a folder of its own as it parses a
    stylesheet, and Pango opens the copy whenever it needs the face. In a worker that
    folder must outlive the task's temporary folder (removed when each variant ends):
    it goes into the worker's scratch folder (:data:`memo.writers.SCRATCH`)."""
    import tempfile

    scratch = os.environ.get(SCRATCH)
    before = tempfile.tempdir
    if scratch and os.path.isdir(scratch):
        tempfile.tempdir = scratch
    try:
        yield
    finally:
        tempfile.tempdir = before


def prepare(theme: Theme) -> None:
    """In a worker, before its first PDF: WeasyPrint imported (about half a second, most
    of it cffi reading the C declarations), the fonts loaded and the theme's
    stylesheets parsed."""
    _stylesheets(theme, False, None, page_counter_css("Page {page} of {pages}"))


@contextmanager
def spoken_changes(on: bool):
    """While a redline's PDF is written: its insertions and deletions tagged as spans
    a screen reader announces ("inserted: …", "deleted: …", from ``data-label``).

    WeasyPrint 70 (pinned) tags an element it has no PDF role for (``ins``, ``del``) as
    /NonStruct, which assistive technology reads as plain text, so a deleted phrase
    would be read as if it stood. Its tag builder is wrapped for the one write: each
    ``ins`` and ``del`` becomes a /Span whose /ActualText says what it is, the text a
    screen reader speaks in its place (ISO 32000-1, 14.9.4); the page's text, which a
    reader copies or pdftotext extracts, does not change.
    """
    if not on:
        yield
        return
    import pydyf
    from weasyprint.formatting_structure.boxes import TextBox
    from weasyprint.pdf import tags

    build, role = tags._build_box_tree, tags._get_pdf_tag

    def spoken_role(tag):
        return "Span" if tag in ("ins", "del") else role(tag)

    def spoken_build(box, parent, *args):
        for element in build(box, parent, *args):
            el = getattr(box, "element", None)
            if getattr(box, "element_tag", None) in ("ins", "del") and el is not None \
                    and element.get("S") == "/Span":
                # this box's own words: an ins broken over two lines is two boxes
                words = " ".join("".join(b.text for b in box.descendants()
                                         if isinstance(b, TextBox)).split())
                element["ActualText"] = pydyf.String(f"{el.get('data-label', '')}: {words}")
            yield element

    tags._build_box_tree, tags._get_pdf_tag = spoken_build, spoken_role
    try:
        yield
    finally:
        tags._build_box_tree, tags._get_pdf_tag = build, role


def _layout_html(doc: Document) -> str:
    """The HTML WeasyPrint lays out: the document's own, but with its Korean words kept
    whole (:mod:`memo.writers.keepall`: WeasyPrint ignores ``word-break: keep-all``).
    A memo without Korean gets ``doc.html`` itself, so its PDF's bytes do not move."""
    import copy

    from lxml import html

    from memo.writers.keepall import is_korean, keep_korean_words

    if not any(is_korean(lang) for lang in doc.tree.xpath("//@lang")):
        return doc.html  # no copy of the tree for a memo with no Korean in it
    tree = copy.deepcopy(doc.tree)
    if not keep_korean_words(tree):
        return doc.html
    return html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")


def _fonts_used(rendered, theme: Theme) -> tuple[list, dict[str, dict]]:
    """The font files the PDF embeds faces of: the theme's, found by their bytes, and the
    system's, found among the faces fontconfig lists for the family by size and index.

    WeasyPrint (pinned) replaces ``Font.file_content`` with the subset it embeds; the
    HarfBuzz face it keeps still holds the whole file, whose size is read without copying
    20 MB of a CJK collection into Python.
    """
    from weasyprint.text.ffi import harfbuzz
    from weasyprint.text.fonts import get_hb_object_data

    records, places = [], {}
    theme_files = theme.files()
    for font in getattr(rendered, "fonts", {}).values():
        blob = harfbuzz.hb_face_reference_blob(font.hb_face)
        size = harfbuzz.hb_blob_get_length(blob)
        harfbuzz.hb_blob_destroy(blob)
        same_size = [(n, p) for n, p in theme_files.items() if p.stat().st_size == size]
        data = get_hb_object_data(font.hb_face) if same_size else None
        own = next(((n, p) for n, p in same_size if p.read_bytes() == data), None)
        if own is not None:  # an @font-face file of the theme's
            records.append(fonts_.describe(own[1], font.index, "theme", file=own[0]))
            continue
        face = fonts_.identify(font.family, font.index, size)
        if face is not None:
            record = fonts_.describe(face.path, face.index)
            places[record.key] = str(face.path)
        else:  # a face whose file fontconfig does not list: recorded by its bytes alone
            data = data or get_hb_object_data(font.hb_face)
            record = fonts_.FontFile(font.family, "", "", hashlib.sha256(data).hexdigest(),
                                     "system", font.index)
        records.append(record)
    return records, places


def _attachments(doc: Document, options: Options) -> list | None:
    """The memo's source files, for PDF/A-3 (which allows attachments, marked as the
    document's source), dated like the document so the bytes do not change."""
    if not options.sources or not options.pdf_variant.startswith("pdf/a-3"):
        return None
    from weasyprint import Attachment

    when = doc.created
    return [Attachment(string=data, name=name, description=f"memo source: {name}",
                       created=when, modified=when, relationship="Source")
            for name, data in options.sources
            if options.carries is None or name in options.carries]


def attached(data: bytes) -> dict[str, bytes]:
    """The files a PDF carries as attachments, by name (a PDF/A-3's content files): what
    :func:`_attachments` put in, read back. Raises pypdf's error for what is no PDF."""
    import io

    from pypdf import PdfReader

    return {name: blobs[0] for name, blobs in PdfReader(io.BytesIO(data)).attachments.items()
            if blobs}


def _check_glyphs(rendered) -> None:
    """Refuse a PDF that would show boxes ("tofu"): text no installed font could draw.

    WeasyPrint 70 (pinned) lists, per embedded font, the characters it had no glyph
    for in ``Font.missing``; a Korean memo on a machine without Noto CJK lands there.
    """
    missing: dict[str, set[str]] = {}
    for font in getattr(rendered, "fonts", {}).values():
        for codepoint in getattr(font, "missing", {}) or {}:
            missing.setdefault(font.family or "?", set()).add(chr(codepoint))
    if missing:
        chars = sorted(set().union(*missing.values()))
        shown = "".join(chars[:12]) + ("…" if len(chars) > 12 else "")
        raise MemoError(
            f"no font here has glyphs for {len(chars)} character(s) of the text ({shown}; "
            f"tried {', '.join(sorted(missing))}): install the fonts the stylesheet names "
            "(for Korean and Japanese, fonts-noto-cjk; ./dev installs it)")


# tinycss2: it re-serializes the theme's stylesheets when a profile sets the body size
WRITER = Writer("pdf", "application/pdf", write, ("weasyprint", "pydyf", "fonttools", "tinycss2"),
                STYLESHEETS, paged=True, prepare=prepare)
