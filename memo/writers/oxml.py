"""Small OOXML helpers for what python-docx has no API for: footnotes, hyperlinks, fields,
numbering restarts, and a reproducible zip.

Each builds plain ``w:`` elements; tests read the results back from the saved file.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn


def run(text: str, *, bold=False, italic=False, color: str | None = None) -> OxmlElement:
    """A ``w:r`` holding ``text`` (tabs become ``w:tab``)."""
    r = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    if bold:
        rpr.append(OxmlElement("w:b"))
    if italic:
        rpr.append(OxmlElement("w:i"))
    if color:
        el = OxmlElement("w:color")
        el.set(qn("w:val"), color)
        rpr.append(el)
    if len(rpr):
        r.append(rpr)
    for i, piece in enumerate(text.split("\t")):
        if i:
            r.append(OxmlElement("w:tab"))
        if piece:
            t = OxmlElement("w:t")
            t.text = piece
            t.set(qn("xml:space"), "preserve")
            r.append(t)
    return r


def bookmark(target, bid: int, name: str) -> OxmlElement:
    """Append a ``w:bookmarkStart`` named ``name`` to ``target``; return its
    ``w:bookmarkEnd``, to append where the bookmark ends."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bid))
    start.set(qn("w:name"), name)
    target.append(start)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bid))
    return end


def hyperlink(part, url: str, runs: list) -> OxmlElement:
    """A ``w:hyperlink`` to an external ``url``, its relationship added to ``part``."""
    rid = part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    link.set(qn("w:history"), "1")
    for r in runs:
        link.append(r)
    return link


def field(instr: str, placeholder: str) -> OxmlElement:
    """A simple field such as ``PAGE`` or ``NUMPAGES``, with text shown until it updates."""
    fld = parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr=" {instr} "/>')
    fld.append(run(placeholder))
    return fld


class Footnotes:
    """Appends native footnotes to the ``footnotes.xml`` part that reference.docx carries."""

    def __init__(self, document):
        part = next((rel.target_part for rel in document.part.rels.values()
                     if rel.reltype == RT.FOOTNOTES), None)
        if part is None:
            raise LookupError("footnotes part")
        self.part = part
        self.root = parse_xml(part.blob)
        ids = [int(f.get(qn("w:id"))) for f in self.root.iterfind(qn("w:footnote"))]
        self.next_id = max([0, *ids]) + 1

    def add(self, runs: list, style: str = "FootnoteText", ref_style: str = "FootnoteReference"):
        """Add a footnote holding ``runs``; return the ``w:r`` that calls it from the text."""
        fid = self.next_id
        self.next_id += 1
        note = parse_xml(
            f'<w:footnote {nsdecls("w")} w:id="{fid}"><w:p><w:pPr><w:pStyle w:val="{style}"/>'
            f'</w:pPr><w:r><w:rPr><w:rStyle w:val="{ref_style}"/></w:rPr><w:footnoteRef/></w:r>'
            '<w:r><w:t xml:space="preserve"> </w:t></w:r></w:p></w:footnote>')
        para = note[0]
        for r in runs:
            para.append(r)
        self.root.append(note)
        call = parse_xml(f'<w:r {nsdecls("w")}><w:rPr><w:rStyle w:val="{ref_style}"/></w:rPr>'
                         f'<w:footnoteReference w:id="{fid}"/></w:r>')
        return call

    def save(self) -> None:
        from lxml import etree

        self.part._blob = etree.tostring(self.root, xml_declaration=True, encoding="UTF-8",
                                         standalone=True)


class Numbering:
    """Gives each list its own ``w:num`` so that numbering restarts at 1 in every list."""

    def __init__(self, document):
        self.document = document
        self.root = document.part.numbering_part.element

    def abstract_for(self, style) -> str | None:
        while style is not None:
            num = style.element.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
            if num is not None:
                for n in self.root.iterfind(qn("w:num")):
                    if n.get(qn("w:numId")) == num.get(qn("w:val")):
                        return n.find(qn("w:abstractNumId")).get(qn("w:val"))
            style = style.base_style
        return None

    def restart(self, style) -> int | None:
        """A new numbering instance for ``style``'s list, starting at 1."""
        abstract = self.abstract_for(style)
        if abstract is None:
            return None
        num_id = max(int(n.get(qn("w:numId"))) for n in self.root.iterfind(qn("w:num"))) + 1
        self.root.append(parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract}"/>'
            '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'))
        return num_id


def set_num(paragraph, num_id: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    numpr = parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/>'
                      "</w:numPr>")
    style = ppr.find(qn("w:pStyle"))
    if style is not None:
        style.addnext(numpr)
    else:
        ppr.insert(0, numpr)


STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def drop_styles_with_effects(document) -> None:
    """Leave out ``word/stylesWithEffects.xml``, Word 2010's second copy of the styles.

    Word checks the copy against ``styles.xml`` and offers to repair the file when their
    styles or ``docDefaults`` differ, and python-docx edits only ``styles.xml``: so any
    copy a reference document brings (python-docx's own template, a file saved by Word
    2010) is stale once the writer has run. The part is optional: Word reads the styles
    from ``styles.xml`` without it, and pandoc's reference document has none. python-docx
    saves only the parts still related, with their content types.
    """
    for rid, rel in list(document.part.rels.items()):
        if rel.reltype == STYLES_WITH_EFFECTS:
            document.part.rels.pop(rid)


def reproducible_zip(data: bytes, when: datetime) -> bytes:
    """Rewrite a DOCX zip with every entry stamped ``when``, in a fixed order.

    python-docx stamps each entry with the time of saving, so two saves of the same
    document differ; Word does not care about entry order, but "[Content_Types].xml"
    first is what Office itself writes.
    """
    from memo.output import reproducible_zip as zipped

    src = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(src.namelist(), key=lambda n: (n != "[Content_Types].xml", n))
    return zipped(((n, src.read(n)) for n in names), when)


def default_rpr(styles):
    """The run properties every style starts from (``w:docDefaults/w:rPrDefault/w:rPr``)
    in a ``styles.xml`` root; None when the file has none."""
    return styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
