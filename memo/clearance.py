"""Clearance: who drafted the memo, who must clear it and how they did, who approves.

Kept in ``memo.yaml`` and validated like the rest::

    clearance:
      drafted: {name: K. Morgan, office: S/P, phone: 202-647-2972}
      cleared:
        - {office: EAP/K, name: J. Lee, status: cleared, date: 2021-02-05}
        - {office: L/EAP, name: R. Ortiz, status: cleared-with-edits, date: 2021-02-06}
        - {office: PM, status: pending}
        - {office: EB, status: pending, required: false}   # for information only
      approved: {name: ..., office: S/P}

A template shows it as the office's clearance block (``sections/clearance.html.j2``);
``memo clearance`` lists it with what is outstanding, and ``memo release`` refuses a
memo while a required clearance is pending or refused (:func:`outstanding`). An
entry cleared with edits is tied to the review notes ``memo absorb`` brought back from
the same reviewer (:func:`notes_of`).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from memo.fields import Text, _Model

Status = Literal["pending", "cleared", "cleared-with-edits", "not-cleared"]
DONE = ("cleared", "cleared-with-edits")


class Person(_Model):
    name: Text
    office: Text
    phone: Text | None = None


class Clearer(_Model):
    office: Text = Field(description="The office that clears: EAP/K, L/EAP.")
    name: Text | None = Field(None, description="Who cleared (or must), once known.")
    status: Status = "pending"
    date: dt.date | None = Field(None, description="When it was cleared or refused.")
    required: bool = Field(True, description="false: consulted, but the memo may go "
                           "without it.")
    comment: Text | None = None

    @model_validator(mode="after")
    def _dated(self) -> Clearer:
        if self.status != "pending" and self.date is None:
            raise ValueError(f"status {self.status} needs the date it was given "
                             "(date: 2021-02-05)")
        if self.status == "pending" and self.date is not None:
            raise ValueError("a pending clearance has no date yet: give its status too")
        return self


class Clearance(_Model):
    drafted: Person = Field(description="Who drafted the memo: name, office, phone.")
    cleared: list[Clearer] = []
    approved: Person | None = Field(None, description="Who approves it for sending.")


def outstanding(clearance: Clearance | None) -> list[Clearer]:
    """The required clearances not given: pending or refused."""
    return [c for c in (clearance.cleared if clearance else []) if c.required
            and c.status not in DONE]


def notes_of(clearer: Clearer, notes) -> list:
    """The review notes (``memo.content.ReviewNote``) of this clearer: by name."""
    if clearer.name is None:
        return []
    return [n for n in notes if n.author.strip().casefold() == clearer.name.casefold()]


def state(clearance: Clearance | None, notes=()) -> list[dict]:
    """The clearance as the release manifest records it."""
    out = []
    for c in clearance.cleared if clearance else []:
        entry = {"office": c.office, "name": c.name, "status": c.status,
                 "date": c.date.isoformat() if c.date else None, "required": c.required}
        if c.status == "cleared-with-edits":
            entry["review_notes"] = len(notes_of(c, notes))
        out.append(entry)
    return out


def table(clearance: Clearance | None, notes=()) -> list[str]:
    """``memo clearance``: one line per office, then what is outstanding."""
    if clearance is None:
        return ["no clearance in memo.yaml (clearance: {drafted: ..., cleared: [...]})"]
    d = clearance.drafted
    lines = [f"drafted   {d.office:<8} {d.name}" + (f", {d.phone}" if d.phone else "")]
    for c in clearance.cleared:
        when = c.date.isoformat() if c.date else ""
        extra = "" if c.required else "  (not required)"
        if c.status == "cleared-with-edits":
            n = len(notes_of(c, notes))
            extra += f"  {n} review note{'s' if n != 1 else ''} from {c.name}"
        lines.append(f"cleared   {c.office:<8} {c.name or '':<14} {c.status:<19} "
                     f"{when:<10}{extra}".rstrip())
    if clearance.approved is not None:
        a = clearance.approved
        lines.append(f"approves  {a.office:<8} {a.name}")
    left = outstanding(clearance)
    lines.append("outstanding: " + ", ".join(f"{c.office} ({c.status})" for c in left)
                 if left else "all required clearances given")
    return lines
