"""Make ``templates/reference.docx``, the Word styles the DOCX writer maps the memo onto.

Run ``python -m memo.writers.reference templates/reference.docx`` to regenerate it. A user
may instead restyle the committed file in Word (fonts, colours, spacing): the writer only
needs every style in :data:`STYLES` to exist, and says which is missing if one does not.
The file also carries an empty footnotes part (separators only), which python-docx cannot
create, so the writer has somewhere to put the notes; and, unlike python-docx's template,
no ``stylesWithEffects.xml`` (:func:`memo.writers.oxml.drop_styles_with_effects`).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from memo import style

# Every style the DOCX writer uses; memo/document.py lists what each stands for.
PARAGRAPH_STYLES = (
    "Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Body Text",
    "List Bullet", "List Number", "List Continue", "Memo Kind", "Memo Routing",
    "BLUF", "BLUF Heading", "Lesson", "Rationale", "Source Entry", "Decision Line",
    "Marking", "Header", "Footer", "Footnote Text", "Figure", "Caption",
)
CHARACTER_STYLES = ("Footnote Reference", "Hyperlink")
STYLES = PARAGRAPH_STYLES + CHARACTER_STYLES

SERIF, SANS = "Noto Serif", "Noto Sans"
ACCENT, INK, MUTED, MARK, RULE, TINT = (style.hex_(c) for c in (
    style.ACCENT, style.INK, style.MUTED, style.MARK, style.RULE, style.TINT))
TEXT_WIDTH_IN = style.TEXT_WIDTH_IN


def _font(style, name=None, size=None, bold=None, italic=None, color=None):
    from docx.shared import Pt, RGBColor

    f = style.font
    if name:
        f.name = name
        rpr = f.element.get_or_add_rPr()
        rpr.get_or_add_rFonts().set(_w("eastAsia"), name)
    if size:
        f.size = Pt(size)
    if bold is not None:
        f.bold = bold
    if italic is not None:
        f.italic = italic
    if color:
        f.color.rgb = RGBColor.from_string(color)


def _w(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(f"w:{tag}")


def _spacing(style, before=0, after=6, line=None):
    """Space before and after in points; ``line``, the line pitch in points (at least).

    Points, not a multiple: Noto's tall ascenders make "single" spacing loose, and the
    PDF sets the same pitch in CSS.
    """
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    pf = style.paragraph_format
    pf.space_before, pf.space_after = Pt(before), Pt(after)
    if line:
        pf.line_spacing = Pt(line)
        pf.line_spacing_rule = WD_LINE_SPACING.AT_LEAST


def _ppr_child(style, xml: str):
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    ppr = style.element.get_or_add_pPr()
    el = parse_xml(re.sub(r"^<(w:\w+)", rf"<\1 {nsdecls('w')}", xml))
    existing = ppr.find(el.tag)
    if existing is not None:
        ppr.remove(existing)
    ppr.append(el)
    # keep schema order well enough for Word: pBdr and shd before spacing/ind
    order = ["keepNext", "keepLines", "numPr", "pBdr", "shd", "tabs", "spacing", "ind",
             "contextualSpacing", "jc", "outlineLvl"]
    kids = sorted(ppr, key=lambda k: order.index(k.tag.split("}")[1])
                  if k.tag.split("}")[1] in order else len(order))
    for k in kids:
        ppr.remove(k)
        ppr.append(k)


def _style(doc, name, kind, base=None):
    from docx.enum.style import WD_STYLE_TYPE

    try:
        s = doc.styles[name]
    except KeyError:
        s = doc.styles.add_style(
            name, WD_STYLE_TYPE.PARAGRAPH if kind == "p" else WD_STYLE_TYPE.CHARACTER)
    if base:
        s.base_style = doc.styles[base]
    s.hidden = False
    s.unhide_when_used = False
    s.quick_style = True
    return s


def build(path: Path) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml
    from docx.shared import Inches

    doc = docx.Document()
    body = doc.element.body
    for child in list(body):
        if not child.tag.endswith("sectPr"):
            body.remove(child)
    # the stock template's thumbnail shows someone else's page: drop it
    for rid, rel in list(doc.part.package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            doc.part.package.rels.pop(rid)
    from memo.writers.oxml import drop_styles_with_effects

    drop_styles_with_effects(doc)  # the styles below would leave its copy stale

    sec = doc.sections[0]
    sec.page_width, sec.page_height = Inches(style.PAGE_WIDTH_IN), Inches(style.PAGE_HEIGHT_IN)
    sec.top_margin = Inches(style.MARGIN_TOP_IN)
    sec.bottom_margin = Inches(style.MARGIN_BOTTOM_IN)
    sec.left_margin = sec.right_margin = Inches(style.MARGIN_SIDE_IN)
    sec.header_distance = sec.footer_distance = Inches(0.4)

    normal = _style(doc, "Normal", "p")
    _font(normal, SERIF, 10.5, color=INK)
    _spacing(normal, 0, 5, 14)

    title = _style(doc, "Title", "p", "Normal")
    _font(title, SANS, 16, bold=True, color=ACCENT)
    _spacing(title, 0, 8, 19)
    _ppr_child(title, "<w:pBdr/>")  # the stock Title has a rule under it; ours is on Routing

    for level, size, before in ((1, 12, 12), (2, 10.5, 9), (3, 10.5, 6)):
        h = _style(doc, f"Heading {level}", "p", "Normal")
        _font(h, SANS, size, bold=True, italic=False, color=ACCENT if level == 1 else INK)
        _spacing(h, before, 4, size * 1.25)
        h.paragraph_format.keep_with_next = True

    _spacing(_style(doc, "Body Text", "p", "Normal"), 0, 6)
    for name in ("List Bullet", "List Number", "List Continue"):
        s = _style(doc, name, "p", "Normal")
        _spacing(s, 0, 4)
        s.paragraph_format.left_indent = Inches(0.3)
        s.paragraph_format.first_line_indent = Inches(-0.2) if name != "List Continue" else None
        pf = s.element.get_or_add_pPr()
        cs = pf.find(_w("contextualSpacing"))
        if cs is not None:
            pf.remove(cs)

    kind = _style(doc, "Memo Kind", "p", "Normal")
    _font(kind, SANS, 9, bold=True, color=ACCENT)
    kind.font.all_caps = True
    _spacing(kind, 0, 3)

    routing = _style(doc, "Memo Routing", "p", "Normal")
    _spacing(routing, 0, 2, 14)
    routing.paragraph_format.tab_stops.add_tab_stop(Inches(0.85), WD_TAB_ALIGNMENT.LEFT)
    routing.paragraph_format.left_indent = Inches(0.85)
    routing.paragraph_format.first_line_indent = Inches(-0.85)

    bluf = _style(doc, "BLUF", "p", "Normal")
    _ppr_child(bluf, f'<w:pBdr><w:left w:val="single" w:sz="24" w:space="8" w:color="{ACCENT}"/>'
                     "</w:pBdr>")
    _ppr_child(bluf, f'<w:shd w:val="clear" w:color="auto" w:fill="{TINT}"/>')
    bluf.paragraph_format.left_indent = Inches(0.15)
    _spacing(bluf, 0, 0, 14.5)
    bluf_h = _style(doc, "BLUF Heading", "p", "Heading 1")
    _ppr_child(bluf_h, f'<w:pBdr><w:left w:val="single" w:sz="24" w:space="8" '
                       f'w:color="{ACCENT}"/></w:pBdr>')
    _ppr_child(bluf_h, f'<w:shd w:val="clear" w:color="auto" w:fill="{TINT}"/>')
    _font(bluf_h, SANS, 10, bold=True, color=ACCENT)
    bluf_h.font.all_caps = True
    bluf_h.paragraph_format.left_indent = Inches(0.15)
    _spacing(bluf_h, 6, 0, 14.5)

    lesson = _style(doc, "Lesson", "p", "Body Text")
    _ppr_child(lesson, f'<w:pBdr><w:top w:val="single" w:sz="4" w:space="3" w:color="{RULE}"/>'
                       "</w:pBdr>")
    rationale = _style(doc, "Rationale", "p", "List Continue")
    _font(rationale, size=9.5)
    # a bibliography entry: unnumbered (the style orders and labels it), hanging indent
    src = _style(doc, "Source Entry", "p", "Normal")
    _font(src, size=9)
    src.paragraph_format.left_indent = Inches(0.3)
    src.paragraph_format.first_line_indent = Inches(-0.3)
    _spacing(src, 0, 3)
    figure = _style(doc, "Figure", "p", "Normal")
    _spacing(figure, 6, 2)
    figure.paragraph_format.keep_with_next = True
    caption = _style(doc, "Caption", "p", "Normal")
    _font(caption, SANS, 8, color=MUTED)
    _spacing(caption, 0, 8, 10.5)
    decision = _style(doc, "Decision Line", "p", "Normal")
    for stop in (3.1, 4.9):
        decision.paragraph_format.tab_stops.add_tab_stop(Inches(stop), WD_TAB_ALIGNMENT.LEFT)

    for name in ("Header", "Footer", "Marking"):
        s = _style(doc, name, "p", "Normal")
        _font(s, SANS, 7.5 if name == "Marking" else 8, color=MARK if name == "Marking" else MUTED)
        _spacing(s, 0, 0, 10)
        stops = s.paragraph_format.tab_stops
        for stop in list(stops):
            stops._pPr.tabs.remove(stop._tab)
        stops.add_tab_stop(Inches(TEXT_WIDTH_IN / 2), WD_TAB_ALIGNMENT.CENTER)
        stops.add_tab_stop(Inches(TEXT_WIDTH_IN), WD_TAB_ALIGNMENT.RIGHT)
    marking = doc.styles["Marking"]
    marking.font.bold = True
    marking.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    fn = _style(doc, "Footnote Text", "p", "Normal")
    _font(fn, size=8)
    _spacing(fn, 0, 1, 10)
    ref = _style(doc, "Footnote Reference", "c")
    ref.font.superscript = True
    link = _style(doc, "Hyperlink", "c")
    _font(link, color=ACCENT)

    doc.core_properties.title = "Memo reference styles"
    doc.core_properties.author = "memo"
    doc.core_properties.comments = "Word styles for memo's DOCX writer; restyle freely."

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    footnotes = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes xmlns:w="{w}" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" '
        'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing '
        'w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/>'
        "</w:r></w:p></w:footnote></w:footnotes>"
    ).encode()
    part = Part(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, footnotes, doc.part.package)
    doc.part.relate_to(part, RT.FOOTNOTES)
    settings = doc.settings.element
    pr = parse_xml(f'<w:footnotePr xmlns:w="{w}"><w:footnote w:id="-1"/><w:footnote w:id="0"/>'
                   "</w:footnotePr>")
    settings.append(pr)
    _order_settings(settings)
    import io
    from datetime import datetime, timezone

    from memo.writers.oxml import reproducible_zip

    buf = io.BytesIO()
    doc.save(buf)  # stamped with the clock: re-zipped, so that the theme's file is the
    # same whoever regenerates it
    path.write_bytes(reproducible_zip(buf.getvalue(), datetime(1980, 1, 1, tzinfo=timezone.utc)))


def _order_settings(settings) -> None:
    """Word validates child order in settings.xml; footnotePr comes before compat."""
    pr = settings.find(_w("footnotePr"))
    anchor = None
    for tag in ("endnotePr", "compat", "docVars", "rsids", "mathPr", "themeFontLang",
                "clrSchemeMapping", "shapeDefaults", "decimalSymbol", "listSeparator"):
        anchor = settings.find(_w(tag))
        if anchor is not None:
            break
    if anchor is not None:
        settings.remove(pr)
        anchor.addprevious(pr)


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "templates/reference.docx"))
