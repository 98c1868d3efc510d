"""Inline Markdown for prose fields, with ``[@id]`` citations that become footnotes.

Only the inline subset is on: emphasis, strong, links, backslash escapes and entities.
Raw HTML stays text (markdown-it escapes it), so content cannot inject markup. A
citation ``[@id]`` or ``[@id, p. 4]`` becomes ``<span class="footnote">…</span>``,
which the PDF writer floats to the page foot and the DOCX writer turns into a Word
footnote.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

# The citation syntax, ``[@id]`` or ``[@id, locator]``: the grammar's own, and what the
# content checks (:mod:`memo.content`) look for when they verify every id is a source.
CITATION = re.compile(r"\[@([A-Za-z0-9_.:-]+)(?:,\s*([^\]]+))?\]")


def _citation_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[@", state.pos):
        return False
    m = CITATION.match(state.src, state.pos)
    if not m:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"id": m.group(1), "locator": (m.group(2) or "").strip()}
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

# Called with (source id, locator) and returns the footnote's inner HTML.
Cite = Callable[[str, str], str]


def render(text: str, cite: Cite, *, sourced: bool = False) -> str:
    """Render one prose field to inline HTML; each citation is passed to ``cite``. With
    ``sourced``, each note also says what it cites (``data-cite="id|locator"``): a
    redline tells a changed citation from a note renumbered or reworded (Ibid.)."""
    env: dict = {}
    tokens = _MD.parseInline(text, env)
    out = []
    for block in tokens:
        for tok in block.children or []:
            if tok.type == "citation":
                what = f'{tok.meta["id"]}|{tok.meta["locator"]}'
                attr = f' data-cite="{escape(what)}"' if sourced else ""
                out.append(f'<span class="footnote"{attr}>'
                           f'{cite(tok.meta["id"], tok.meta["locator"])}</span>')
            else:
                out.append(_MD.renderer.renderInline([tok], _MD.options, env))
    return _attach_notes("".join(out).replace("\n", " "))


# One note: its text never holds "</span>" (inline markup inside a note is em, strong,
# cite or a link), so a match cannot run on into the text after it and into the next note.
_NOTE = r'<span class="footnote"[^>]*>(?:(?!</span>).)*</span>'


def _attach_notes(text: str) -> str:
    """Footnote calls sit against the word before them and after a following punctuation
    mark, as in print: ``ally [@x].`` becomes ``ally.¹``, not ``ally ¹.``."""
    text = re.sub(r"\s+(" + _NOTE + ")", r"\1", text)
    return re.sub(r"((?:" + _NOTE + r")+)([.,;:])", r"\2\1", text)
