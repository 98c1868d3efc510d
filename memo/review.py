"""Review notes: the comments reviewers left in a DOCX, kept beside the content.

``memo absorb`` takes each comment of a reviewed DOCX (its author, date, text, the
words it is anchored on, whether it was resolved) into ``review.yaml`` in the content
folder, tied to the field those words are in::

    notes:
      - field: precedents.yaml:precedents.reagan-1983.summary
        lang: en
        author: Dana Reviewer
        date: 2021-02-10T09:00:00Z
        quote: the first official visit by a Japanese prime minister
        text: Cite the Monitor's report here too?
        resolved: false
        from: staff-en.docx

``memo check`` reads it (its model is :class:`memo.content.ReviewNote`; a note on a
field that no longer exists is a problem, located);
``memo serve`` shows each note beside its field; ``memo build --review-notes`` puts the
open ones back into the DOCX as Word comments, for the next reviewer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

FILE = "review.yaml"
HEADER = ("# Review notes: comments reviewers left in the DOCX, brought back by memo absorb.\n"
          "# Each is tied to the field its words are in (memo.marks keys). Set resolved:\n"
          "# true once dealt with; memo build --review-notes shows the others in Word.\n"
          "notes:\n")


CLASS = "review-note"


def attach(tree, notes: list[Any], lang: str) -> list[Any]:
    """Each open note in ``lang`` into ``tree`` (a document rendered with marks), as a
    ``span.review-note`` naming its field, author and date, at the end of the paragraph
    (or item, or heading) that holds the field's first ``span.field``: the HTML shows it
    there, out of the sentence; the DOCX makes it a Word comment on the field's words.
    The notes that found no field in this view are returned."""
    from lxml import etree

    first: dict[str, object] = {}
    for span in tree.iter("span"):
        if span.get("class") == "field":
            first.setdefault(span.get("data-field"), span)
    missed = []
    for note in notes:
        if note.resolved or note.lang != lang:
            continue
        span = first.get(note.field)
        if span is None:
            missed.append(note)
            continue
        el = etree.Element("span", {"class": CLASS, "role": "note", "data-field": note.field,
                                    "data-author": note.author})
        if note.date:
            el.set("data-date", note.date)
        el.text = note.text
        block = next(a for a in span.iterancestors() if a.tag in _BLOCKS)
        inner = next((c for c in block if c.tag in _BLOCKS), None)
        if inner is not None:  # an item's own text, before its paragraphs or sub-list
            inner.addprevious(el)
        else:
            block.append(el)
    return missed


_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "td", "th", "dd", "dt", "figcaption",
           "blockquote", "ul", "ol", "section", "article", "body"}


def entries(notes: list[dict]) -> str:
    """New notes as YAML list items, to append after ``notes:``."""
    import yaml

    out = []
    for note in notes:
        item = yaml.safe_dump([note], allow_unicode=True, sort_keys=False, width=88)
        out.append("".join("  " + line if line.strip() else line
                           for line in item.splitlines(keepends=True)))
    return "".join(out)


def _same(note: dict) -> tuple:
    return (note.get("field"), note.get("author"), str(note.get("date")), note.get("text"))


def fresh(path: Path, notes: list[dict]) -> list[dict]:
    """The ``notes`` that ``review.yaml`` does not have yet (same field, author, date
    and text: a comment memo put back into the DOCX comes back as the same note)."""
    import yaml

    have = yaml.safe_load(path.read_text("utf-8")) if path.is_file() else None
    known = {_same(n) for n in (have or {}).get("notes") or [] if isinstance(n, dict)}
    return [n for n in notes if _same(n) not in known]


def updated(path: Path, notes: list[dict]) -> str:
    """The text of ``review.yaml`` with the fresh ``notes`` appended, and a known note
    the reviewer resolved (or reopened) marked so in place; the rest of the file's text
    kept as it is."""
    import yaml

    from memo.yamledit import EditError, replace

    text = path.read_text("utf-8") if path.is_file() else HEADER
    have = yaml.safe_load(text) or {}
    index = {_same(n): i for i, n in enumerate(have.get("notes") or [])
             if isinstance(n, dict)}
    for note in notes:
        i = index.get(_same(note))
        was = (have["notes"][i] if i is not None else {}).get("resolved")
        if i is not None and isinstance(was, bool) and was != note["resolved"]:
            try:
                text = replace(text, ("notes", i, "resolved"), note["resolved"])
            except EditError:
                pass  # a hand-made entry it cannot edit in place: left as it is
    new = [n for n in notes if _same(n) not in index]
    if not new:
        return text
    if not text.endswith("\n"):
        text += "\n"
    if "notes:" not in text or have.get("notes") is None and "notes: []" in text:
        text = text.replace("notes: []", "notes:") if "notes: []" in text else text + "notes:\n"
    return text + entries(new)
