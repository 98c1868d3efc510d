"""A variant's notes and sources list, formatted by its CSL style.

The template pass cannot format a note when it meets its citation: "Ibid." or a short
form depends on the notes before it, and the sources list may stand before the last
note. So the pass leaves a placeholder for each cluster and for the list
(:class:`Citations`), and :meth:`Citations.resolve` sends the whole sequence to the CSL
processor (:mod:`memo.citeproc`) once, then puts the formatted strings in their places.
Every writer reads the same strings: DOCX, PDF and HTML notes cannot differ.

The style is the theme's ``csl/`` default (Chicago notes and bibliography, 17th edition,
with Ibid.) or the CSL file ``memo.yaml`` names in ``citation_style``. The theme's
``csl/locales.xml`` corrects the CSL locale terms memo's languages need (Korean
"위의 글" for ibid., not the English; "and" between romanized names) and gives the
locator labels pandoc reads in each language; a Japanese note ends with "。" (the label
``note-end``), which CSL 1.0.2 would say with a locale-specific layout, and pandoc does
not read those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from html import escape
from pathlib import Path

from lxml import etree

from memo import citeproc
from memo.errors import ContentError, Problem
from memo.inline import LABELS, Cite
from memo.marks import sourced

CSL = "{http://purl.org/net/xbiblio/csl}"
DEFAULT_STYLE = "chicago-notes-bibliography-subsequent-ibid-17th-edition"
_NOTE = re.compile("\ue0f0([0-9]+)\ue0f1")
BIBLIOGRAPHY = "\ue0f2"
# the English label pandoc reads for each locator type: the first LABELS names
ENGLISH = {kind: label for label, kind in reversed(LABELS.items())}


@dataclass(frozen=True)
class Style:
    """A CSL style: its XML text, and whether it puts citations in notes."""

    xml: str
    note: bool
    locales: str = ""  # the theme's locale corrections, <locale> elements

    def for_language(self, lang: str, note_end: str) -> str:
        """The style as run for ``lang``: the theme's locale corrections added after
        ``<info>``, and a note's closing "." made ``note_end``."""
        text = self.xml
        at = text.find("</info>")
        if self.locales and at >= 0:
            at += len("</info>")
            text = text[:at] + self.locales + text[at:]
        if self.note and note_end != ".":
            cite = text.find("<citation")
            layout = text.find("<layout", cite)
            end = text.find(">", layout)
            if cite >= 0 and layout >= 0:
                text = text[:layout] + text[layout:end].replace(
                    'suffix="."', f'suffix="{escape(note_end)}"') + text[end:]
        return text

    def terms(self, lang: str) -> dict[str, str]:
        """The locator labels pandoc reads in ``lang``, by locator type."""
        return _terms(self.locales, lang) or ENGLISH


@cache
def _terms(locales: str, lang: str) -> dict[str, str]:
    if not locales:
        return {}
    root = etree.fromstring(f'<x xmlns="{CSL[1:-1]}">{locales}</x>')
    out = {}
    for loc in root.iter(f"{CSL}locale"):
        if (loc.get("{http://www.w3.org/XML/1998/namespace}lang") or "").split("-")[0] != lang:
            continue
        for term in loc.iter(f"{CSL}term"):
            if term.get("form") == "short" and term.get("name") in ENGLISH:
                single = term.find(f"{CSL}single")
                out[term.get("name")] = (single.text if single is not None else term.text) or ""
    return out


def load_style(path: Path, where: Problem | None = None, locales: Path | None = None) -> Style:
    """The CSL style in ``path``; a file that is not one is a problem at ``where``."""
    try:
        text = path.read_text(encoding="utf-8")
        root = etree.fromstring(text.encode())
        if root.tag != f"{CSL}style":
            raise ValueError("its root is not a CSL <style>")
    except (OSError, ValueError, etree.XMLSyntaxError) as exc:
        raise ContentError([replace(where or Problem(str(path), 1, 1, "", ""),
                                    message=f"citation style {path}: {exc}")]) from None
    extra = locales.read_text(encoding="utf-8") if locales and locales.is_file() else ""
    extra = re.sub(r"<\?xml[^>]*\?>|<!--.*?-->", "", extra, flags=re.S).strip()
    return Style(text, root.get("class") == "note", extra)


class Citations:
    """One variant's citations: collected in reading order during the template pass
    (each call returns a placeholder), formatted together by :meth:`resolve`."""

    def __init__(self, items: list[dict], style: Style, lang: str, note_end: str = "."):
        self.items, self.style, self.lang, self.note_end = items, style, lang, note_end
        self.clusters: list[list[Cite]] = []

    @property
    def notes(self) -> bool:
        """Whether the style puts citations in notes (else in the text)."""
        return self.style.note

    def __call__(self, cites: list[Cite]) -> str:
        self.clusters.append(cites)
        return f"\ue0f0{len(self.clusters) - 1}\ue0f1"

    def resolve(self, text: str, marks: bool = False) -> str:
        """``text`` with every placeholder replaced by its formatted citation, and the
        sources list by the bibliography of every source cited."""
        if not self.clusters:
            return text.replace(BIBLIOGRAPHY, "")
        done = citeproc.run(self.items, self.clusters,
                            self.style.for_language(self.lang, self.note_end), self.lang,
                            self.style.terms(self.lang), self.style.note)
        text = _NOTE.sub(lambda m: done.citations[int(m.group(1))], text)
        annotes = {str(it.get("id")): it.get("annote") for it in self.items}
        entries = []
        for sid, html in done.bibliography:
            if annotes.get(sid):
                html += " " + escape(annotes[sid], quote=False)
            key = f"sources.yaml:sources.{sid}" if marks else None
            entries.append(f"<li>{sourced(html, key)}</li>")
        return text.replace(BIBLIOGRAPHY, "".join(entries))


def style_for(project, theme) -> Style:
    """The project's citation style: ``memo.yaml``'s ``citation_style`` (a ``.csl`` file
    relative to it, or a name in the theme's ``csl/`` folder), else the theme's default."""
    name = project.memo.citation_style or DEFAULT_STYLE
    src = project.files.get("memo.yaml")
    here = src.problem(("citation_style",), "") if src and project.memo.citation_style \
        else Problem("memo.yaml", 1, 1, "citation_style", "")
    own = name.endswith(".csl")
    path = project.folder / name if own else theme.find(f"csl/{name}.csl")
    if path is None or not path.is_file():
        shown = path if own else f"csl/{name}.csl (in {theme.where()})"
        raise ContentError([replace(here, message=f"citation style not found: {shown}")])
    locales = theme.find("csl/locales.xml")
    return _load(path, _stamp(path), locales, _stamp(locales), here)


def _stamp(path: Path | None) -> tuple[int, int] | None:
    """What tells a changed file (``memo serve`` keeps the process): time and size."""
    if path is None or not path.is_file():
        return None
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


@cache
def _load(path: Path, stamp, locales: Path | None, locales_stamp, where: Problem) -> Style:
    return load_style(path, where, locales)
