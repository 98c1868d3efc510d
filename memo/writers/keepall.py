"""Korean words kept whole on the PDF's lines: ``word-break: keep-all`` by other means.

Korean is set with line breaks between words (the runs between spaces), never inside
them. Browsers do that from memo.css's ``word-break: keep-all``; WeasyPrint 70 (pinned)
accepts only ``normal`` and ``break-all``, drops the declaration, and lets Pango break
between any two Hangul syllables. So before WeasyPrint lays out a Korean memo, each
Korean word, with the space after it, goes into a ``<span style="white-space: nowrap">``:
nothing breaks inside a span, and the break after its space, between two spans, is
the parent's to allow (CSS Text 3, 5.1), so lines break between words only.

Why spans, not characters: a U+2060 WORD JOINER between syllables would also hold a word
together, but it lands in the PDF's text layer, so copying, searching and screen readers
would meet invisible characters inside every word. A span adds no character: the text
pdftotext (and a reader's copy and paste) takes from the PDF is the same as without it.
Why in the PDF writer: the HTML keeps memo.css's ``keep-all``, which browsers honour,
and the DOCX asks Word in its own terms (``w:wordWrap``, see the DOCX writer).
"""

from __future__ import annotations

import re

from lxml import etree

from memo.l10n import language

KEEP = "white-space: nowrap"
# An element inside a kept word that holds breakable text of its own (a word's note:
# its call sits in the word, its text in the footnote area; an em around two words
# and a suffix) gets its wrapping back, or it would inherit nowrap.
FREE = "white-space: normal"

HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]")
# The spaces a line may break at: HTML's white space, and the ideographic space. A
# no-break space stays inside its word, as it would anyway.
WS = " \t\n\r\f\u3000"
SPACE = re.compile(f"([{WS}]+)")

MAX_KEPT = 24
"""The longest word, in characters, kept whole. A nowrap span wider than its line would
run off the page (WeasyPrint applies no overflow-wrap to it); no character of the memo's
faces is wider than 1 em, and the narrowest measure Korean is set in, the 16pt title,
holds about 30 em. A longer run (a long compound with no spaces) breaks between its
syllables, as before, rather than overflow."""

SKIP = {"head", "title", "style", "script"}
# The inline elements of the memo subset (memo/document.py) that hold text: a word may
# run across their edges. Any other element (a block, an image) ends a word.
INLINE = {"em", "strong", "cite", "a", "span", "time", "ins", "del"}


def is_korean(lang: str | None) -> bool:
    return bool(lang) and language(lang).keeps_words


def keep_korean_words(root: etree._Element, lang: str | None = None) -> int:
    """Wrap each Korean word under ``root`` (in place) in a nowrap span; return how many.

    A word is a maximal run of text without white space, across inline element
    boundaries (``<em>협력</em>을`` is one word); a footnote span counts as part of the
    word it follows, since its call is printed there. Only words with a Hangul letter
    in them, in elements whose ``lang`` is Korean, change: Latin words and other
    languages (Japanese breaks between characters) keep their line breaking.
    """
    count = 0
    lang = root.get("lang") or lang
    if not isinstance(root.tag, str) or root.tag in SKIP:
        return 0
    for child in list(root):
        count += keep_korean_words(child, lang)
    if is_korean(lang):
        count += _keep_level(root)
    return count


def _is_note(el) -> bool:
    return el.tag == "span" and "footnote" in (el.get("class") or "").split()


def _visible(el) -> str:
    """The text ``el`` puts in the line: of a footnote, only its call (a number)."""
    if _is_note(el):
        return "1"
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str):
            parts.append(_visible(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _keep_level(el) -> int:
    """Group ``el``'s own text and children into words and wrap the Korean ones."""
    atoms: list = []  # a run of text without spaces, a run of spaces, or a child element
    for piece in [el.text, *(x for child in el for x in (child, child.tail))]:
        if isinstance(piece, str):
            atoms += [p for p in SPACE.split(piece) if p]
        elif piece is not None:
            atoms.append(piece)
    groups: list[list] = []
    for atom in atoms:
        if groups and _joins(groups[-1][-1], atom):
            groups[-1].append(atom)
        else:
            groups.append([atom])
    kept = [g for g in groups if _kept(g)]
    if not kept:
        return 0
    # WeasyPrint draws no text box that is only a space, so a space left alone between
    # two spans, or after an element, would be missing from the PDF's text (a gap a
    # reader's copy guesses at, not a character). Each space joins a neighbour's text:
    # the word before it (a line may still break after it: the break between it and
    # the next word is the parent's to allow), or the last text inside the element
    # before it (a bold lead-in), or, after a note's call or a link, the word after it,
    # which then cannot move to the next line without the note's word.
    for i, space in enumerate(groups):
        if i == 0 or not (isinstance(space[0], str) and _is_space(space[0])):
            continue  # a space is a group of its own: it never joins a word
        before, after = groups[i - 1], groups[i + 1] if i + 1 < len(groups) else None
        last = before[-1] if before else None
        if isinstance(last, str):
            if any(g is before for g in kept):
                before.append(space.pop())
        elif last is not None and _append_inside(last, space[0]):
            space.pop()
        elif after and isinstance(after[0], str):
            after[0] = space.pop() + after[0]
    groups = [g for g in groups if g]

    for child in list(el):
        child.tail = None
        el.remove(child)
    el.text = None
    for group in groups:
        target = el
        if any(g is group for g in kept):
            target = etree.SubElement(el, "span", style=KEEP)
        for atom in group:
            if isinstance(atom, str):
                _append_text(target, atom)
                continue
            if target is not el and (_is_note(atom) or SPACE.search(_visible(atom))):
                atom.set("style", FREE)
            target.append(atom)
    return len(kept)


def _kept(group: list) -> bool:
    """Whether ``group`` is a Korean word to keep whole: one element alone is not (the
    words inside it were kept there, its edges are spaces)."""
    if len(group) == 1 and not isinstance(group[0], str):
        return False
    text = "".join(a if isinstance(a, str) else _visible(a) for a in group)
    words = SPACE.split(text)[::2]
    return HANGUL.search(text) is not None and max(map(len, words)) <= MAX_KEPT


def _is_space(text: str) -> bool:
    return bool(text) and not text.strip(WS)


def _joins(prev, atom) -> bool:
    """Whether no line break belongs between ``prev`` and ``atom``: neither is a space,
    and an element's edge there is not a space either."""
    for a in (prev, atom):
        if _is_space(a) if isinstance(a, str) else a.tag not in INLINE:
            return False
    if not isinstance(prev, str):
        end = _visible(prev)
        if not end or _is_space(end[-1]):
            return False
    if not isinstance(atom, str):
        start = _visible(atom)
        if not start or _is_space(start[0]):
            return False
    return True


def _append_inside(el, space: str) -> bool:
    """Put ``space`` after the last text inside ``el``, in the same text node; not into
    a link (it would take the space into its underline) nor a note (its own flow)."""
    while el.tag in INLINE and el.tag != "a" and not _is_note(el):
        if len(el) and el[-1].tail:
            el[-1].tail += space
            return True
        if not len(el):
            if not el.text:
                return False
            el.text += space
            return True
        el = el[-1]
    return False


def _append_text(el, text: str) -> None:
    if len(el):
        el[-1].tail = (el[-1].tail or "") + text
    else:
        el.text = (el.text or "") + text
