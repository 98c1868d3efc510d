"""Inline Markdown for prose fields, with pandoc-style citations that become footnotes.

Only the inline subset is on: emphasis, strong, links, backslash escapes and entities.
Raw HTML stays text (markdown-it escapes it), so content cannot inject markup. A
citation, in pandoc's syntax (``[@id]``, ``[see @id, p. 4; -@other]``), becomes
``<span class="footnote">…</span>`` under a note style, which the PDF writer floats to
the page foot and the DOCX writer turns into a Word footnote; the CSL processor
(:mod:`memo.citeproc`) formats it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

# Pandoc's citation syntax (what pandoc and Quarto users write): a bracketed cluster of
# one or more items split by ";", each an optional prefix, "@id" ("-@id" leaves out the
# author the sentence already names) and, after a comma, a locator and a suffix:
# ``[@id]``, ``[@id, p. 12]``, ``[see @a, chap. 3; -@b, 4-5 and passim]``.
_KEY = r"[A-Za-z0-9_](?:[A-Za-z0-9_.:/#+-]*[A-Za-z0-9_])?"
_ITEM = rf"(?:[^\[\]@;]*\s)?-?@{_KEY}(?:,[^\[\];]*)?"
# A whole cluster, as the content checks (:mod:`memo.content`) find them; not one
# followed by "(", which is a link's text.
CITATION = re.compile(rf"\[{_ITEM}(?:;\s*{_ITEM})*\](?!\()")
_PARTS = re.compile(rf"(?P<prefix>(?:[^\[\]@;]*\s)?)(?P<minus>-?)@(?P<id>{_KEY})"
                    r"(?:,\s*(?P<rest>[^\[\];]*))?\s*$")

# Locator labels as pandoc reads them in English, to their CSL locator types. A locator
# with no label is a page, as in pandoc.
LABELS = {
    "p.": "page", "pp.": "page", "page": "page", "pages": "page",
    "chap.": "chapter", "chaps.": "chapter", "chapter": "chapter", "chapters": "chapter",
    "sec.": "section", "secs.": "section", "section": "section", "sections": "section",
    "§": "section", "§§": "section",
    "para.": "paragraph", "paras.": "paragraph", "paragraph": "paragraph",
    "n.": "note", "nn.": "note", "note": "note", "notes": "note",
    "vol.": "volume", "vols.": "volume", "volume": "volume",
    "fig.": "figure", "figs.": "figure", "figure": "figure",
    "l.": "line", "ll.": "line", "line": "line", "lines": "line",
    "pt.": "part", "pts.": "part", "part": "part",
    "bk.": "book", "bks.": "book", "book": "book",
    "art.": "article-locator", "arts.": "article-locator", "article": "article-locator",
    "col.": "column", "cols.": "column", "column": "column",
}
# a locator's value: numbers or roman numerals, ranges and lists of them (12, 12-14, iv, vi-xi)
_VALUE = r"(?:[0-9]+[a-z]?|[ivxlcdm]+|[IVXLCDM]+)"
_LOCATOR = re.compile(
    rf"(?:(?P<label>{'|'.join(re.escape(k) for k in sorted(LABELS, key=len, reverse=True))})"
    rf"\s*)?(?P<value>{_VALUE}(?:\s*[-–—,]\s*{_VALUE})*)(?=\s|$)")


@dataclass(frozen=True)
class Cite:
    """One item of a citation cluster, as CSL's cite-item has it."""

    id: str
    prefix: str = ""
    label: str = ""  # a CSL locator type: "page", "chapter"; "" for no locator
    locator: str = ""
    suffix: str = ""
    suppress_author: bool = False

    def key(self) -> str:
        """What a note says it cites (``data-cite``): ``id|locator``."""
        where = f"{self.label} {self.locator}" if self.label not in ("", "page") else \
            self.locator
        return f"{self.id}|{where}"


def parse_cluster(text: str) -> list[Cite]:
    """The items of one cluster ``[...]`` (text matched by :data:`CITATION`)."""
    out = []
    for part in text.strip()[1:-1].split(";"):
        m = _PARTS.match(part.strip())
        if m is None:  # CITATION matched, so every part is an item
            raise ValueError(f"not a citation: {part!r}")
        rest, label, locator = (m.group("rest") or "").strip(), "", ""
        loc = _LOCATOR.match(rest)
        if loc:
            label = LABELS[loc.group("label")] if loc.group("label") else "page"
            locator, rest = loc.group("value"), rest[loc.end():].strip()
        out.append(Cite(m.group("id"), m.group("prefix").strip(), label, locator, rest,
                        bool(m.group("minus"))))
    return out


def cited_ids(text: str) -> list[str]:
    """Every source id ``text`` cites, in order, repeats kept."""
    return [c.id for m in CITATION.finditer(text) for c in parse_cluster(m.group())]


def _citation_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[", state.pos):
        return False
    m = CITATION.match(state.src, state.pos)
    if not m:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"cites": parse_cluster(m.group())}
    state.pos = m.end()
    return True


def make_parser() -> MarkdownIt:
    md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
    md.enable(["emphasis", "link", "escape", "entity"])
    md.inline.ruler.before("link", "citation", _citation_rule)
    return md


_MD = make_parser()

# For checking content: the same grammar, but every link target is let through to be
# judged by :func:`bad_links`, where the renderer's own check would turn it into text.
_LAX = make_parser()
_LAX.validateLink = lambda url: True
LINK_SCHEMES = ("http", "https", "mailto")


def bad_links(text: str) -> list[tuple[str, str]]:
    """The links in ``text`` a memo may not carry, each with the reason: only absolute
    ``http:``, ``https:`` and ``mailto:`` links (no ``javascript:``, ``file:``, relative)."""
    out = []
    for block in _LAX.parseInline(text, {}):
        for tok in block.children or []:
            if tok.type != "link_open":
                continue
            href = str(tok.attrs.get("href", ""))
            scheme = href.split(":", 1)[0].lower() if ":" in href else ""
            if scheme not in LINK_SCHEMES:
                why = f"scheme '{scheme}:'" if scheme else "a relative link"
                out.append((href, f"{why} is not allowed; links must be "
                                  f"{', '.join(s + ':' for s in LINK_SCHEMES)}"))
    return out

# Called with a cluster's items; returns what stands for it: a note's inner HTML, or
# the text of an in-text citation (:mod:`memo.citations`).
CiteFn = Callable[[list[Cite]], str]


def render(text: str, cite: CiteFn, *, sourced: bool = False, notes: bool = True) -> str:
    """Render one prose field to inline HTML; each citation cluster is passed to
    ``cite``. With ``notes`` (a note style), a cluster becomes a footnote
    (``span.footnote``) whose call attaches to the word before it; otherwise it stays in
    the text (``span.citation``). With ``sourced``, each says what it cites
    (``data-cite="id|locator"``, ``;`` between items): a redline tells a changed citation
    from a note renumbered or reworded (Ibid.)."""
    env: dict = {}
    tokens = _MD.parseInline(text, env)
    out = []
    cls = "footnote" if notes else "citation"
    for block in tokens:
        for tok in block.children or []:
            if tok.type == "citation":
                what = ";".join(c.key() for c in tok.meta["cites"])
                attr = f' data-cite="{escape(what)}"' if sourced else ""
                out.append(f'<span class="{cls}"{attr}>{cite(tok.meta["cites"])}</span>')
            else:
                out.append(_MD.renderer.renderInline([tok], _MD.options, env))
    html = "".join(out).replace("\n", " ")
    return _attach_notes(html) if notes else html


# One note: its text never holds "</span>" (inline markup inside a note is em, strong,
# cite or a link), so a match cannot run on into the text after it and into the next note.
_NOTE = r'<span class="footnote"[^>]*>(?:(?!</span>).)*</span>'


def _attach_notes(text: str) -> str:
    """Footnote calls sit against the word before them and after a following punctuation
    mark, as in print: ``ally [@x].`` becomes ``ally.¹``, not ``ally ¹.``."""
    text = re.sub(r"\s+(" + _NOTE + ")", r"\1", text)
    return re.sub(r"((?:" + _NOTE + r")+)([.,;:])", r"\2\1", text)
