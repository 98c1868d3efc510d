"""Word's tracked changes (ECMA-376 17.13.5): what the DOCX writer makes of a redline.

A redline document (:mod:`memo.changes`) marks changed text with ``<ins>``, ``<del>``
and ``span.restyled``, and whole blocks with ``data-change``. Word has an element for
each: runs inside ``w:ins`` / ``w:del`` (deleted text as ``w:delText``), runs inside
``w:moveFrom`` / ``w:moveTo`` between named ``w:move…RangeStart`` / ``End`` markers for
a moved block, a paragraph mark inserted or deleted (``w:ins`` / ``w:del`` in the
paragraph's ``w:rPr``, first, as CT_ParaRPr orders them), and ``w:rPrChange`` holding a
run's old properties when only its emphasis changed. Every revision carries a
``w:id`` unique in the document, the author and the date, so Word's Reviewing pane
lists them and Next steps through them one by one.
"""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

# The HTML of a redline -> Word's revision elements; inside a moved block, Word says
# moveFrom / moveTo where a plain change says del / ins.
KIND = {"inserted": "ins", "deleted": "del", "moved-from": "moveFrom", "moved-to": "moveTo"}
MOVED = {"ins": "moveTo", "del": "moveFrom"}
# CT_Settings: trackRevisions comes after these and before everything else.
_BEFORE_TRACK = {
    "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
    "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts",
    "embedSystemFonts", "saveSubsetFonts", "saveFormsData", "mirrorMargins",
    "alignBordersAndEdges", "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter",
    "gutterAtTop", "hideSpellingErrors", "hideGrammaticalErrors", "activeWritingStyle",
    "proofState", "formsDesign", "attachedTemplate", "linkStyles",
    "stylePaneFormatFilter", "stylePaneSortMethod", "documentType", "mailMerge",
    "revisionView", "trackRevisions"}


class Revisions:
    """Makes the revision elements of one document: ids, author, date."""

    def __init__(self, author: str, date: str, first_id: int = 1):
        self.author, self.date = author, date
        self.next_id = first_id
        self.count = 0  # revisions made, each a change Word lists on its own
        self._groups: dict = {}  # wrapper element -> the redline change it holds

    def element(self, kind: str, **extra) -> OxmlElement:
        el = OxmlElement(f"w:{kind}")
        el.set(qn("w:id"), str(self.next_id))
        self.next_id += 1
        el.set(qn("w:author"), self.author)
        el.set(qn("w:date"), self.date)
        for name, value in extra.items():
            el.set(qn(f"w:{name}"), value)
        return el

    def put(self, target, run, kind: str, group: object) -> None:
        """Append ``run`` to ``target`` inside a ``w:<kind>`` wrapper: the one ``target``
        ends with, if it holds the same change, else a new one."""
        if kind == "del":
            for t in run.iter(qn("w:t")):
                t.tag = qn("w:delText")
            for instr in run.iter(qn("w:instrText")):
                instr.tag = qn("w:delInstrText")
        last = target[-1] if len(target) else None
        if last is not None and last.tag == qn(f"w:{kind}") and self._groups.get(last) is group:
            last.append(run)
            return
        wrapper = self.element(kind)
        self.count += 1
        self._groups[wrapper] = group
        wrapper.append(run)
        target.append(wrapper)

    def restyle(self, run, was: str) -> None:
        """Record in ``run`` that its emphasis was ``was`` ("strong em", "plain")."""
        rpr = run.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            run.insert(0, rpr)
        change = self.element("rPrChange")
        self.count += 1
        old = OxmlElement("w:rPr")
        marks = set(was.split())
        if "strong" in marks:
            old.append(OxmlElement("w:b"))
        if marks & {"em", "cite"}:
            old.append(OxmlElement("w:i"))
        # the old properties are the run's own but for the emphasis
        for prop in rpr:
            if prop.tag not in (qn("w:b"), qn("w:i")):
                old.append(_clone(prop))
        change.append(old)
        rpr.append(change)

    def paragraph(self, p, how: str, move: str | None = None, part: int = 0) -> None:
        """Mark paragraph ``p``'s mark as inserted, deleted or moved; a moved paragraph's
        content also goes between the move's range markers."""
        kind = KIND[how]
        ppr = p.find(qn("w:pPr"))
        if ppr is None:
            ppr = OxmlElement("w:pPr")
            p.insert(0, ppr)
        rpr = ppr.find(qn("w:rPr"))
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            # CT_PPr: rPr comes after the paragraph properties, before sectPr/pPrChange
            after = next((c for c in ppr if c.tag in (qn("w:sectPr"), qn("w:pPrChange"))), None)
            if after is not None:
                after.addprevious(rpr)
            else:
                ppr.append(rpr)
        rpr.insert(0, self.element(kind))
        self.count += 0 if move else 1  # a moved paragraph is one change, its range's
        if move:
            name = f"move{move}" + (f"_{part}" if part else "")
            rng = "moveFromRange" if kind == "moveFrom" else "moveToRange"
            start = self.element(f"{rng}Start", name=name)
            self.count += 1 if kind == "moveTo" else 0
            end = OxmlElement(f"w:{rng}End")
            end.set(qn("w:id"), start.get(qn("w:id")))
            ppr.addnext(start)
            p.append(end)


def track_revisions(settings) -> None:
    """Turn on Track Changes in ``settings.xml``: a reviewer's edits to the redline are
    tracked too."""
    if settings.find(qn("w:trackRevisions")) is not None:
        return
    el = OxmlElement("w:trackRevisions")
    after = next((c for c in settings
                  if c.tag.rsplit("}", 1)[-1] not in _BEFORE_TRACK), None)
    if after is not None:
        after.addprevious(el)
    else:
        settings.append(el)


def _clone(el):
    from copy import deepcopy

    return deepcopy(el)
