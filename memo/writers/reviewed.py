"""Reading a DOCX back after review: each field's text as the reviewer left it.

The reader of what the DOCX writer made (:mod:`memo.writers.docx`, with its provenance
bookmarks, :mod:`memo.writers.provenance`), once Word or LibreOffice has been through
it. Walking the body and the notes in document order, it gives, for each bookmarked
field, its text with every tracked change in place (:class:`Piece`: kept, inserted or
deleted, and by whom), the note calls in it, the comments over it; and the text outside
any field (headings, labels, the routing block), where no edit can be taken back.
The package is read as untrusted input (:mod:`memo.writers.safexml`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from memo.writers import provenance
from memo.writers.safexml import open_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W14 = "{http://schemas.microsoft.com/office/word/2010/wordml}"
W15 = "{http://schemas.microsoft.com/office/word/2012/wordml}"
NOTE = "\ufffc"  # a note call whose source is not known yet
_INSERTED = {f"{W}ins", f"{W}moveTo"}
_DELETED = {f"{W}del", f"{W}moveFrom"}


@dataclass
class Piece:
    text: str
    state: str  # "=" as built, "+" inserted, "-" deleted (tracked)
    author: str = ""
    date: str = ""
    change: int | None = None  # the tracked change it belongs to (its w:id)
    note: str | None = None  # for a note call: the footnote's w:id


@dataclass
class Span:
    """The text of one field, or of the generated text between two fields."""

    name: str
    pieces: list[Piece] = field(default_factory=list)

    def text(self, accept: bool = True, notes: dict[str, str] | None = None) -> str:
        """The text with every change accepted (or, ``accept=False``, rejected); each
        note call as the character ``notes`` gives its footnote, else :data:`NOTE`."""
        drop = "-" if accept else "+"
        out = []
        for p in self.pieces:
            if p.state == drop:
                continue
            out.append((notes or {}).get(p.note or "", NOTE) if p.note is not None else p.text)
        return "".join(out)

    @property
    def changes(self) -> list[Piece]:
        return [p for p in self.pieces if p.state != "="]


@dataclass
class Comment:
    id: str
    author: str
    date: str
    text: str
    covered: str = ""  # the words it is anchored on
    fields: list[str] = field(default_factory=list)  # the bookmarks those words are in
    resolved: bool = False


@dataclass
class Reviewed:
    path: Path | bytes
    properties: dict[str, str]
    fields: dict[str, Span]  # bookmark name -> its text
    gaps: list[Span]  # the text between fields, named after the field before it
    notes: dict[str, Span]  # footnote w:id -> its text (named by its bookmark, if any)
    comments: list[Comment]
    sequence: list[tuple[Piece, tuple[str, ...]]] = field(default_factory=list)
    """Every piece of the body in reading order, with the fields it is in (``()`` for
    generated text): where one change ends and the next begins."""


def read(path: Path | bytes, where: str = "") -> Reviewed:
    """The reviewed DOCX at ``path`` (or its bytes), as above."""
    pkg = open_docx(path, where)
    body = pkg.xml("word/document.xml")
    custom = pkg.read("docProps/custom.xml", required=False)
    props = provenance.read_custom_properties(custom) if custom else {}
    fields: dict[str, Span] = {}
    gaps: list[Span] = []
    comments = _comments(pkg)
    sequence: list = []
    _walk(body.find(f"{W}body"), fields, gaps, {c.id: c for c in comments}, sequence)
    notes: dict[str, Span] = {}
    foot = pkg.xml("word/footnotes.xml", required=False)
    if foot is not None:
        for note in foot.iterfind(f"{W}footnote"):
            if note.get(f"{W}type") in ("separator", "continuationSeparator",
                                        "continuationNotice"):
                continue
            mark = next((mark_name(b) for b in note.iter(f"{W}bookmarkStart")
                         if mark_name(b).startswith(provenance.PREFIX)), "")
            notes[note.get(f"{W}id") or ""] = Span(mark, _note_pieces(note))
    return Reviewed(path, props, fields, gaps, notes, comments, sequence)


def mark_name(el) -> str:
    """A bookmark's name as memo gave it: LibreOffice 7.4 renames the bookmarks inside
    notes on saving a DOCX (``_m…_Copy_1``), having copied the notes' text once."""
    return re.sub(r"(_Copy_\d+)+$", "", el.get(f"{W}name") or "")


def _state(el) -> tuple[str, object]:
    for a in el.iterancestors():
        if a.tag in _INSERTED:
            return "+", a
        if a.tag in _DELETED:
            return "-", a
    return "=", None


def _piece(el, text: str, note: str | None = None) -> Piece:
    state, change = _state(el)
    if change is None:
        return Piece(text, state, note=note)
    return Piece(text, state, change.get(f"{W}author") or "", change.get(f"{W}date") or "",
                 int(change.get(f"{W}id") or -1), note)


def _walk(root, fields: dict[str, Span], gaps: list[Span], comments: dict,
          sequence: list) -> None:
    """Every piece of text under ``root`` into the field whose bookmark is open, or
    into the gap after the last field; comments learn what they cover."""
    open_marks: dict[str, str] = {}  # bookmark w:id -> name
    open_comments: set[str] = set()
    gap = Span("")
    gaps.append(gap)
    for el in root.iter():
        tag = el.tag
        if tag == f"{W}bookmarkStart":
            name = mark_name(el)
            if name.startswith(provenance.PREFIX):
                open_marks[el.get(f"{W}id") or ""] = name
                fields.setdefault(name, Span(name))
            continue
        if tag == f"{W}bookmarkEnd":
            name = open_marks.pop(el.get(f"{W}id") or "", None)
            if name is not None and not open_marks:
                gap = Span(name)
                gaps.append(gap)
            continue
        if tag == f"{W}commentRangeStart":
            open_comments.add(el.get(f"{W}id") or "")
            for cid in [el.get(f"{W}id") or ""]:
                if cid in comments:
                    comments[cid].fields += list(open_marks.values())
            continue
        if tag == f"{W}commentRangeEnd":
            open_comments.discard(el.get(f"{W}id") or "")
            continue
        if tag in (f"{W}t", f"{W}delText"):
            piece = _piece(el, el.text or "")
        elif tag in (f"{W}tab", f"{W}br", f"{W}cr"):
            piece = _piece(el, " ")
        elif tag == f"{W}footnoteReference":
            piece = _piece(el, NOTE, note=el.get(f"{W}id") or "")
        elif tag == f"{W}p" and el is not root:
            gap.pieces.append(Piece("\n", "="))
            sequence.append((gap.pieces[-1], ()))
            continue
        else:
            continue
        names = tuple(dict.fromkeys(open_marks.values()))
        for span in [fields[n] for n in names] or [gap]:
            span.pieces.append(piece)
        sequence.append((piece, names))
        for cid in open_comments:
            if cid in comments and piece.state != "-":
                comments[cid].covered += piece.text if piece.note is None else ""
                for name in open_marks.values():
                    if name not in comments[cid].fields:
                        comments[cid].fields.append(name)


def _note_pieces(note) -> list[Piece]:
    out = []
    for el in note.iter(f"{W}t", f"{W}delText"):
        out.append(_piece(el, el.text or ""))
    return out


def _comments(pkg) -> list[Comment]:
    root = pkg.xml("word/comments.xml", required=False)
    if root is None:
        return []
    done = _resolved(pkg)
    out = []
    for c in root.iterfind(f"{W}comment"):
        paras = c.findall(f"{W}p")
        text = "\n".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in paras)
        last = paras[-1].get(f"{W14}paraId") if paras else None
        out.append(Comment(c.get(f"{W}id") or "", c.get(f"{W}author") or "",
                           c.get(f"{W}date") or "", text.strip(),
                           resolved=bool(last and done.get(last))))
    return out


def _resolved(pkg) -> dict[str, bool]:
    """Word marks a resolved comment in commentsExtended.xml (``w15:done``)."""
    root = pkg.xml("word/commentsExtended.xml", required=False)
    if root is None:
        return {}
    return {ex.get(f"{W15}paraId") or "": ex.get(f"{W15}done") == "1"
            for ex in root.iterfind(f"{W15}commentEx")}
