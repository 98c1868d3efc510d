"""What a word processor makes of a merged article (:mod:`memo.changes`): the tracked
changes it lists, and the text it gives after Accept All or Reject All."""

from __future__ import annotations

import copy

from lxml import etree

from memo.changes import is_leaf


def revisions(article) -> int:
    """How many tracked changes a word processor lists for ``article`` (a merged one):
    each maximal stretch of the text inserted, deleted, moved or restyled, paragraph
    marks included (a stretch runs on across the paragraphs a block change spans), in
    the body and in each note. What the DOCX writer makes of the article, counted on
    the article, so the list of changes can say it before any format is written."""
    body: list = []
    notes: list = []
    _walk_blocks(article, body, notes)
    total = _stretches(body)
    for note in notes:
        total += _stretches(note)
    return total


def _stretches(atoms: list) -> int:
    count, last = 0, None
    for kind in atoms:
        if kind is not None and kind != last:
            count += 1
        last = kind
    return count


def _walk_blocks(el, body: list, notes: list) -> None:
    for child in el:
        if not isinstance(child.tag, str):
            continue
        cls = (child.get("class") or "").split()
        if child.tag == "section" and "changes" in cls or child.tag == "p" and "marking" in cls:
            continue
        if child.tag == "ul" and "decision" in cls:  # one paragraph, as the DOCX writer makes
            for li in child:
                how = _KINDS.get(li.get("data-change"))
                body.append(how)  # its "______ " prefix
                _inline_atoms(li, body, notes, None, bool(li.get("data-move")))
            body.append(_KINDS.get(child[0].get("data-change")) if len(child) else None)
        elif child.tag == "dt":
            continue  # the label of the next routing line, part of its paragraph
        elif is_leaf(child):
            how = _KINDS.get(child.get("data-change"))
            if child.tag == "dd":
                body.append(how)
            if child.tag == "img":
                body.append(how)
            else:
                _inline_atoms(child, body, notes, None, bool(child.get("data-move")))
            body.append(how)  # the paragraph mark
        else:
            _walk_blocks(child, body, notes)


_KINDS = {"inserted": "ins", "deleted": "del", "moved-from": "move-del", "moved-to": "move-ins"}


def _inline_atoms(el, body: list, notes: list, kind, moved: bool) -> None:
    if el.text:
        body.append(kind)
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if child.tag in ("p", "ul", "ol"):
            continue
        if child.tag in ("ins", "del"):
            inner = ("move-" if moved else "") + child.tag
            _inline_atoms(child, body, notes, inner, moved)
        elif child.tag == "span" and child.get("class") == "restyled":
            _inline_atoms(child, body, notes, kind or "fmt", moved)
        elif child.tag == "span" and child.get("class") == "footnote":
            body.append(kind)  # the note's call
            story: list = []
            # a note added or removed is so in its text too; a moved one is not
            _inline_atoms(child, story, [], kind if kind in ("ins", "del") else None, False)
            notes.append(story)
        else:
            _inline_atoms(child, body, notes, kind, moved)
        if child.tail:
            body.append(kind)


def resolved(article, accept: bool):
    """A copy of a merged article with every change accepted (the new text) or rejected
    (the old): what a reader gets from Word's Accept All or Reject All."""
    out = copy.deepcopy(article)
    gone = ("deleted", "moved-from") if accept else ("inserted", "moved-to")
    for li in list(out.iter("li")):  # an item of paragraphs goes when they all do
        blocks = [c for c in li if c.tag in ("p", "ul", "ol")]
        if blocks and all(c.get("data-change") in gone for c in blocks):
            _remove(li)
    for el in list(out.iter()):
        if isinstance(el.tag, str) and el.get("data-change") in gone:
            _remove(el)
    drop, keep = ("del", "ins") if accept else ("ins", "del")
    for el in list(out.iter(drop)):
        _remove(el)
    for el in out.iter("span"):
        if el.get("class") == "restyled":
            el.tag = keep
    etree.strip_tags(out, keep)
    return out


def _remove(el) -> None:
    """``el`` out of its tree, its tail kept."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)
