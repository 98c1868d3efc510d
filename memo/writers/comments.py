"""Word comments: a reviewer's open notes (``review.yaml``) back on the words they are on.

``memo build --review-notes`` renders each open note after its field
(:func:`memo.review.attach`); the DOCX writer makes it a comment anchored on that
field's runs, with the note's author, initials and date, so the next reviewer sees the
thread where it was left and ``memo absorb`` recognises it when it comes back.
python-docx adds the comments part and each comment; the range (``w:commentRangeStart``
before the field's first run, ``w:commentRangeEnd`` and the reference run after its
last) is placed here, because the walker builds runs as XML, not python-docx objects.
"""

from __future__ import annotations

from datetime import datetime, timezone

from docx.oxml import OxmlElement
from docx.oxml.ns import qn


def initials(author: str) -> str:
    """``"Dana Reviewer"`` -> ``"DR"``: what Word shows in a comment's balloon."""
    return "".join(w[0] for w in author.split() if w[:1].isalnum())[:4].upper()


def when(date: str | None, created: datetime) -> datetime:
    """A note's ISO 8601 date as a datetime; the document's own date when it has none or
    an unreadable one: a comment is never stamped with the clock."""
    if date:
        try:
            value = datetime.fromisoformat(date.replace("Z", "+00:00"))
        except ValueError:
            return created
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return created


def add(word, anchor: list, note, created: datetime) -> None:
    """A comment with ``note``'s text (a ``span.review-note`` element) on the elements
    ``anchor`` (the field's runs, in one paragraph, in order), its reference after them."""
    author = note.get("data-author") or "Reviewer"
    comment = word.comments.add_comment(text=" ".join((note.text or "").split()),
                                        author=author, initials=initials(author))
    # python-docx stamps the clock; the note's own date keeps the bytes reproducible
    comment._comment_elm.date = when(note.get("data-date"), created).replace(microsecond=0)
    cid = str(comment.comment_id)
    first, last = anchor[0], anchor[-1]
    first.addprevious(OxmlElement("w:commentRangeStart", attrs={qn("w:id"): cid}))
    ref = OxmlElement("w:r")  # unstyled: the reference docx has no comment styles
    ref.append(OxmlElement("w:commentReference", attrs={qn("w:id"): cid}))
    last.addnext(ref)
    last.addnext(OxmlElement("w:commentRangeEnd", attrs={qn("w:id"): cid}))
