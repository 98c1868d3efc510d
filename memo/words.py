"""Word by word: one block's text as units, two lists of units compared, and the merged
inline content a redline shows (:mod:`memo.changes` compares the blocks around them).

A unit is a word of letters and digits, a space, any other character, or one
character of Korean or Japanese, whose words are not space-separated units; a note is
one unit, known by the source it cites, and an image one unit. Two lists are compared
with diff-match-patch on one symbol per unit, with its semantic cleanup, so changes
read as phrases rather than scattered letters; a unit whose only change is its emphasis
is *restyled*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

EMPHASIS = {"strong", "em", "cite"}
# One unit of comparison: a space run; one CJK character (Hangul, kana, kanji, their
# punctuation); a word of letters and digits; any other single character.
_CJK = ("\u1100-\u11ff\u3000-\u303f\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff"
        "\ua960-\ua97f\uac00-\ud7af\uf900-\ufaff\uff00-\uffef")
_UNIT = re.compile(rf"\s+|[{_CJK}]|[^\W_]+(?:['’][^\W_]+)*|.", re.S)


def text_of(el) -> str:
    return " ".join("".join(el.itertext()).split())


def count(text: str) -> int:
    """Words in ``text``, a CJK character counting as one (as memo.l10n counts)."""
    return len(re.findall(rf"[{_CJK}]|[^\W_]+", text))


@dataclass
class Tok:
    """One unit of a block's text, with the inline elements it sits in."""

    kind: str  # "w" a word or character, "s" a space, "n" a note, "x" an atom (image)
    text: str  # the word, " ", a note's citation, an atom's identity
    style: tuple = ()  # ((tag, attributes), ...) from the block down, notes excluded
    field: str | None = None  # the content field it came from (memo.marks)
    inner: list | None = None  # a note's own tokens
    attrs: dict | None = None  # a note's or atom's attributes

    @property
    def ident(self) -> tuple:
        return (self.kind, self.text)


def tokens(el, lang: str, style: tuple = (), fld: str | None = None) -> list[Tok]:
    """``el``'s inline content as units (words, spaces, notes), without the spaces at
    either end, which a reader does not see."""
    out = _tokens(el, style, fld)
    while out and out[0].kind == "s":
        out.pop(0)
    while out and out[-1].kind == "s":
        out.pop()
    return out


def _tokens(el, style: tuple, fld: str | None) -> list[Tok]:
    out: list[Tok] = []
    if el.tag == "img":
        return [Tok("x", el.get("src") or "", style, fld, attrs=dict(el.attrib))]
    _words(el.text, style, fld, out)
    for child in el:
        if not isinstance(child.tag, str):
            _words(child.tail, style, fld, out)
            continue
        tag, cls = child.tag, child.get("class") or ""
        if tag in ("p", "ul", "ol"):
            pass  # a list item's paragraphs are blocks of their own
        elif tag == "span" and cls == "field":
            out += _tokens(child, style, child.get("data-field"))
        elif tag == "span" and cls == "footnote":
            out.append(Tok("n", child.get("data-cite") or text_of(child), style, fld,
                           inner=_tokens(child, (), fld), attrs=dict(child.attrib)))
        elif tag == "img":
            out.append(Tok("x", child.get("src") or "", style, fld, attrs=dict(child.attrib)))
        else:
            out += _tokens(child, style + ((tag, tuple(sorted(child.attrib.items()))),), fld)
        _words(child.tail, style, fld, out)
    return out


def _words(text: str | None, style: tuple, fld: str | None, out: list[Tok]) -> None:
    for m in _UNIT.finditer(text or ""):
        unit = m.group()
        if unit.isspace():
            if not (out and out[-1].kind == "s" and out[-1].style == style):
                out.append(Tok("s", " ", style, fld))
        else:
            out.append(Tok("w", unit, style, fld))


def diff(old: list[Tok], new: list[Tok]) -> list[tuple[str, Tok, Tok | None]]:
    """The merged stream of two token lists: ``=`` unchanged, ``-`` deleted, ``+``
    inserted, ``~`` restyled (the old token kept beside it); a note present in both
    with other text has its own merged stream."""
    from diff_match_patch import diff_match_patch

    table: dict[tuple, str] = {}

    def encode(toks: list[Tok]) -> str:
        return "".join(table.setdefault(t.ident, chr(0xF0000 + len(table))) for t in toks)

    a, b = encode(old), encode(new)
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # exact: the result must not depend on the machine's speed
    ops = dmp.diff_main(a, b, False)
    dmp.diff_cleanupSemantic(ops)
    out: list[tuple[str, Tok, Tok | None]] = []
    i = j = 0
    for op, text in ops:
        n = len(text)
        if op == 0:
            for o, t in zip(old[i:i + n], new[j:j + n], strict=True):
                if t.kind == "n":
                    inner = diff(o.inner or [], t.inner or [])
                    out.append(("n=", t, inner) if any(x[0] != "=" for x in inner)
                               else ("=", t, o))
                elif _others(o.style) != _others(t.style):  # another link, say
                    out += [("-", o, None), ("+", t, None)]
                elif t.kind == "w" and _emphasis(o.style) != _emphasis(t.style):
                    out.append(("~", t, o))
                else:
                    out.append(("=", t, o))
            i += n
            j += n
        elif op == -1:
            out += [("-", t, None) for t in old[i:i + n]]
            i += n
        else:
            out += [("+", t, None) for t in new[j:j + n]]
            j += n
    return out


def _emphasis(style: tuple) -> tuple:
    return tuple(tag for tag, _ in style if tag in EMPHASIS)


def _others(style: tuple) -> tuple:
    return tuple((tag, attrs) for tag, attrs in style if tag not in EMPHASIS)


def flatten(stream):
    """Every changed token of a merged stream; those inside a note that still cites
    the same source as ``n+``, ``n-``, ``n~``."""
    for state, tok, extra in stream:
        if state == "n=":
            for inner, t in flatten(extra):
                yield ("n" + inner if not inner.startswith("n") else inner), t
        elif state != "=":
            yield state, tok


# -- building the merged inline content --------------------------------------------------

def emit(parent, stream) -> None:
    """Append the merged stream's content to ``parent``: runs of one state in
    ``<ins>``, ``<del>`` or ``span.restyled``, each token in its inline elements."""
    groups: list[tuple[str, list]] = []
    for item in stream:
        state = item[0] if item[0] in ("+", "-", "~") else "="
        was = _emphasis(item[2].style) if item[0] == "~" else None
        key = (state, was)
        if groups and groups[-1][0] == key:
            groups[-1][1].append(item)
        else:
            groups.append((key, [item]))
    for (state, was), items in groups:
        if state == "=":
            _lay(parent, items)
            continue
        tag = {"+": "ins", "-": "del", "~": "span"}[state]
        wrapper = etree.SubElement(parent, tag)
        if state == "~":
            wrapper.set("class", "restyled")
            wrapper.set("data-was", " ".join(was) if was else "plain")
        _lay(wrapper, items)


def _lay(parent, items) -> None:
    """Tokens into ``parent`` with their inline elements, opening and closing as few as
    their styles need."""
    stack: list[tuple[tuple, etree._Element]] = []  # (style entry, element)

    def here():
        return stack[-1][1] if stack else parent

    for state, tok, extra in items:
        style = tok.style
        keep = 0
        while keep < len(stack) and keep < len(style) and stack[keep][0] == style[keep]:
            keep += 1
        del stack[keep:]
        for entry in style[keep:]:
            tag, attrs = entry
            el = etree.SubElement(here(), tag, dict(attrs))
            stack.append((entry, el))
        target = here()
        if tok.kind == "n":
            note = etree.SubElement(target, "span", dict(tok.attrs or {"class": "footnote"}))
            if state == "n=":
                emit(note, extra)
            else:
                _lay(note, [("=", t, None) for t in tok.inner or []])
            continue
        if tok.kind == "x":
            etree.SubElement(target, "img", dict(tok.attrs or {}))
            continue
        _append_text(target, tok.text)


def _append_text(el, text: str) -> None:
    if len(el):
        last = el[-1]
        last.tail = (last.tail or "") + text
    else:
        el.text = (el.text or "") + text


def strip_marks(el) -> None:
    """The provenance marks have done their work: the merged document carries none."""
    for span in el.iter("span"):
        if span.get("class") == "field":
            span.tag = "memo-field"
        elif span.get("class") == "footnote":
            span.attrib.pop("data-cite", None)
    etree.strip_tags(el, "memo-field")
