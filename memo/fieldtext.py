"""A field's source and the text a reader sees of it: a reviewer's edit to the one, put
back into the other with its markup.

A prose field is inline Markdown with ``[@id]`` citations (:mod:`memo.inline`); a
reader of the DOCX sees its text, with a note call where each citation was. When a
reviewer changes that text, :func:`apply` carries the change into the source: the
words they changed change, emphasis and links stay around the words they kept, a
citation stays while its note call stays and goes with it. The text a source shows
(:func:`shown`) comes from memo's own renderer, so the two cannot disagree; and every
result is rendered once more and must show exactly the reviewer's text, or
:func:`apply` says it cannot (an edit that cuts a link's text in two, say).

In the text, each note call is one character: :func:`note_char` of the source it
cites, so that a note kept, moved or deleted is told apart from another note.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from lxml import html as lxml_html

from memo.inline import CITATION, parse_cluster, render

_SPACE = re.compile(r"\s+")
_ESCAPE = re.compile(r"\\[!-/:-@\[-`{-~]")
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_ATTACHES = ".,;:"  # the punctuation a note call moves in front of (memo.inline)
_MARKDOWN = re.compile(r"([\\*_\[\]`<>&])")


class Unmappable(ValueError):
    """The reviewer's text cannot be written back into the field's markup."""


def note_char(source: str, table: dict[str, str]) -> str:
    """The one character that stands for a note citing ``source`` (PUA plane 16)."""
    return table.setdefault(source, chr(0x100000 + len(table)))


def normalize(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def shown(source: str, table: dict[str, str]) -> str:
    """The text a reader sees of a field whose source is ``source``: memo's rendering,
    each note call as its :func:`note_char`, white space as HTML shows it."""
    # a note stands for its cluster's first source, as its bookmark names it (provenance)
    rendered = render(source, lambda cites: f"\ue010{note_char(cites[0].id, table)}\ue011")
    tree = lxml_html.fragment_fromstring(f"<p>{rendered}</p>")
    for note in tree.iterfind(".//span[@class='footnote']"):
        note.text = re.sub("\ue010|\ue011", "", "".join(note.itertext()))
        for child in list(note):
            note.remove(child)
    return normalize("".join(tree.itertext()))


@dataclass
class _Tok:
    src: str  # the source characters
    plain: str  # what it shows, if it is text (a markup character shows nothing)
    cite: str | None = None  # the source a citation cites
    moved: bool = False  # punctuation shown before the citation it follows


def _tokens(source: str, table: dict[str, str]) -> list[_Tok]:
    out: list[_Tok] = []
    pos = 0
    pattern = re.compile(rf"\s*{CITATION.pattern}|{_ESCAPE.pattern}|{_ENTITY.pattern}|\s+|.",
                         re.S)
    for m in pattern.finditer(source, pos):
        piece = m.group()
        if CITATION.fullmatch(piece.strip()):
            sid = parse_cluster(piece.strip())[0].id
            out.append(_Tok(piece, note_char(sid, table), cite=sid))
        elif _ESCAPE.fullmatch(piece):
            out.append(_Tok(piece, piece[1]))
        elif _ENTITY.fullmatch(piece):
            out.append(_Tok(piece, html.unescape(piece)))
        elif piece.isspace():
            out.append(_Tok(piece, " "))
        else:
            out.append(_Tok(piece, piece))
    # a note's call stands after the punctuation that follows its citation (memo.inline)
    for i in range(len(out) - 1):
        if out[i].cite and not out[i + 1].cite and out[i + 1].src in _ATTACHES:
            out[i], out[i + 1] = out[i + 1], out[i]
            out[i].moved = True
    return out


def _shown_tokens(tokens: list[_Tok], text: str) -> None:
    """Mark each token that shows nothing of ``text`` (emphasis marks, a link's
    target) as markup: align the tokens' characters with the text a reader sees."""
    from diff_match_patch import diff_match_patch

    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0
    joined = "".join(t.plain for t in tokens)
    owner = [i for i, t in enumerate(tokens) for _ in t.plain]
    shown_at = [False] * len(joined)
    a = 0
    for op, chunk in dmp.diff_main(joined, text, False):
        if op == 0:
            for k in range(a, a + len(chunk)):
                shown_at[k] = True
            a += len(chunk)
        elif op == -1:
            a += len(chunk)
    seen: dict[int, bool] = {}
    for k, i in enumerate(owner):
        seen[i] = seen.get(i, False) or shown_at[k]
    for i, t in enumerate(tokens):
        if t.plain and not seen.get(i, False):
            t.plain = ""  # markup: it shows nothing
        elif t.plain == " " and not seen.get(i, True):
            t.plain = ""


def apply(source: str, old: str, new: str, table: dict[str, str]) -> str:
    """``source`` changed as its text went from ``old`` to ``new`` (both as
    :func:`shown` gives them). Raises :class:`Unmappable` when the result would not
    show exactly ``new``."""
    from diff_match_patch import diff_match_patch

    old, new = normalize(old), normalize(new)
    if shown(source, table) != old:
        raise Unmappable("the field's text in the document is not what its source shows")
    tokens = _tokens(source, table)
    _shown_tokens(tokens, old)
    # each character of the old text, and the token that shows it
    owner = [i for i, t in enumerate(tokens) for _ in t.plain]
    if "".join(t.plain for t in tokens) != old:
        raise Unmappable("the field's markup is more than memo can map back")
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0
    ops = dmp.diff_main(old, new, False)
    dmp.diff_cleanupSemantic(ops)
    known = {c: s for s, c in table.items()}
    out: list[tuple[str, bool]] = []  # (source, whether it shows text)
    t = 0  # the next token to emit
    j = 0  # the next character of the old text
    for op, chunk in ops:
        if op == 1:
            out.append((_escape_inserted(chunk, known), True))
            continue
        last = owner[j + len(chunk) - 1]
        while t <= last:
            tok = tokens[t]
            if not tok.plain:  # markup stays; emphasis it no longer holds goes, below
                out.append((tok.src, False))
            elif op == 0:
                out.append((f"\ue020{tok.src}\ue021" if tok.moved else tok.src, True))
            t += 1
        j += len(chunk)
    out += [(tok.src, bool(tok.plain)) for tok in tokens[t:]]
    result = _restore_order(_spaces("".join(src for src, _ in _drop_empty(out))))
    if shown(result, table) != new:
        raise Unmappable("the edit does not map into the field's markup (it cuts into a "
                         "link or emphasis, say)")
    return result


def _drop_empty(out: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Without the emphasis marks left around nothing (``*gone*`` deleted whole)."""
    changed = True
    while changed:
        changed = False
        marks = [i for i, (src, shows) in enumerate(out) if not shows and src in "*_"]
        for a, b in zip(marks, marks[1:], strict=False):
            between = out[a + 1:b]
            if out[a][0] == out[b][0] and not any(shows for _, shows in between) and \
                    all(src.isspace() or src in "*_" for src, _ in between):
                del out[b]
                del out[a]
                changed = True
                break
    return out


def _escape_inserted(text: str, known: dict[str, str]) -> str:
    """Text a reviewer typed, as Markdown that shows it as typed; a note call of a
    known source becomes its citation again."""
    out = []
    for ch in text:
        if ch in known:  # marked: put before the punctuation it follows, below
            out.append(f"\ue022 [@{known[ch]}]")
        elif 0x100000 <= ord(ch) <= 0x10FFFF:
            raise Unmappable("a note the reviewer added has no source: add the source to "
                             "sources.yaml and cite it in the field")
        else:
            out.append(_MARKDOWN.sub(r"\\\1", ch))
    return "".join(out)


def _spaces(text: str) -> str:
    """Spaces a deletion doubled become one; none at either end."""
    return re.sub(r" {2,}", " ", text).strip()


def _restore_order(text: str) -> str:
    """Each citation back before the punctuation it was written before
    (``ally [@x].``): the mapping had put that punctuation first, marked."""
    text = re.sub(rf"\ue020([{re.escape(_ATTACHES)}])\ue021(\s*{CITATION.pattern})",
                  lambda m: f"{m.group(2)}{m.group(1)}", text)
    # a citation the reviewer moved (its call typed after a full stop) is written the
    # way the content writes them, before it
    text = re.sub(rf"([{re.escape(_ATTACHES)}])\s*\ue022(\s*{CITATION.pattern})",
                  lambda m: f"{m.group(2)}{m.group(1)}", text)
    return text.replace("\ue020", "").replace("\ue021", "").replace("\ue022", "").strip()
