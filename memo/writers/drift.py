"""What editors do to a DOCX's bookmarks when they save it, undone for ``memo absorb``.

A field's text is what lies between its bookmark's start and end
(:mod:`memo.writers.provenance`). LibreOffice 7.4, saving a DOCX, moves the end of a
bookmark that closes its paragraph before the paragraph's last character, and puts the
words a replacement at a field's end inserts after that end; and it splits one
replacement across a bookmark into several tracked changes, each with its own id.
:func:`undrift` gives the field its characters back; :func:`crossing` tells one change
that runs across two fields (or into generated text) from two changes side by side.
"""

from __future__ import annotations


def undrift(before, after, calls_before: dict, calls_after: dict) -> None:
    """A bookmark an editor moved by a character or two at its field's end (LibreOffice
    7.4 saves the end of one that closes its paragraph before the paragraph's last
    character): those characters back into the field, out of the generated text. And
    the words a replacement at the field's end inserted, which LibreOffice puts after
    the bookmark's end: into the field too, with the deletion they replace."""
    from memo.writers.reviewed import Piece

    gaps_before = {g.name: g for g in before.gaps}
    for gap in after.gaps:
        name = gap.name
        if name not in after.fields or name not in before.fields:
            continue
        span = after.fields[name]
        if span.pieces and span.pieces[-1].state != "=":
            taken = set()
            while gap.pieces and gap.pieces[0].state == "+" and gap.pieces[0].text != "\n":
                taken.add(id(gap.pieces[0]))
                span.pieces.append(gap.pieces.pop(0))
            after.sequence[:] = [(p, (name,) if id(p) in taken else names)
                                 for p, names in after.sequence]
        field_was = before.fields[name].text(notes=calls_before)
        gap_was = gaps_before.get(name)
        gap_was = gap_was.text() if gap_was is not None else ""
        moved = gap.text()
        for n in (3, 2, 1):
            lead = moved.lstrip("\n")[:n]
            if lead and not lead.isspace() and field_was.endswith(lead) and \
                    not gap_was.lstrip("\n").startswith(lead) and \
                    not after.fields[name].text(notes=calls_after).endswith(lead):
                take_chars(gap, len(lead), after.fields[name], Piece)
                break


def take_chars(gap, n: int, span, piece_type) -> None:
    """The first ``n`` visible characters of ``gap``'s kept text, moved to ``span``."""
    while n and gap.pieces:
        p = gap.pieces[0]
        if p.text == "\n" or p.state == "-":
            gap.pieces.pop(0)
            continue
        take = p.text[:n]
        span.pieces.append(piece_type(take, p.state, p.author, p.date, p.change, p.note))
        rest = p.text[len(take):]
        if rest:
            gap.pieces[0] = piece_type(rest, p.state, p.author, p.date, p.change, p.note)
        else:
            gap.pieces.pop(0)
        n -= len(take)


def crossing(sequence) -> set[str]:
    """The fields in a change that runs across two fields, or into generated text: the
    changed pieces in reading order, with nothing visible left as it was between them,
    are one change, however an editor split it into tracked changes (LibreOffice makes a
    replacement across a bookmark four, each with its own id)."""
    bad: set[str] = set()
    homes: set = set()
    changed = False
    for piece, names in [*sequence, (None, ())]:
        if piece is None or piece.state == "=" and piece.text.strip():
            if changed and len(homes) > 1:
                bad |= {h for h in homes if h}
            homes, changed = set(), False
            continue
        if piece.state != "=":
            changed = True
            homes.add(names[-1] if names else "")
    return bad
