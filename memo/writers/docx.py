"""DOCX: walks the rendered document and maps each element and class to a Word style.

The styles come from the theme's ``reference.docx`` (see :mod:`memo.writers.reference`), so
a user can restyle the memo in Word without touching code. Citations become native Word
footnotes, links real hyperlinks, every list restarts its own numbering, and the
document properties carry the memo's title, authors, language and date.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

from memo.errors import MemoError
from memo.l10n import language
from memo.theme import Theme, as_theme
from memo.writers import DEFAULT, Options, Output, Writer, lazy_module
from memo.writers.reference import ACCENT, MARK, SANS, SERIF, STYLES, TEXT_WIDTH_IN

if TYPE_CHECKING:
    from memo.document import Document

# python-docx loads when the writer first writes, not when the build asks what it is
oxml = lazy_module("memo.writers.oxml")

HEADING = {"h2": "Heading 1", "h3": "Heading 2"}
P_CLASS = {"lesson": "Lesson", "rationale": "Rationale", "memo-kind": "Memo Kind"}


def write(doc: Document, templates: Theme | Path | None, options: Options = DEFAULT) -> Output:
    import docx

    ref = as_theme(templates).path("reference.docx")
    try:
        word = docx.Document(str(ref))
    except Exception as exc:  # python-docx raises several types for a bad package
        raise MemoError(f"{ref}: cannot open the Word reference document: {exc}") from None
    _check_styles(word, ref)
    oxml.drop_styles_with_effects(word)  # a project's own reference.docx may carry one
    try:
        notes = oxml.Footnotes(word)
    except LookupError:
        raise MemoError(f"{ref}: has no footnotes part; regenerate it with "
                        "python -m memo.writers.reference") from None
    body = word.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)

    w = _Walker(word, notes, doc.label("routing-end", ":"), doc.figures)
    for el in doc.article:
        w.block(el)
    _header_footer(word, w.marking, doc.label("page", "Page {page} of {pages}"))
    notes.save()
    _properties(word, doc)

    buf = io.BytesIO()
    word.save(buf)
    return Output.of(doc, oxml.reproducible_zip(buf.getvalue(), doc.created))


def _check_styles(word, ref: Path) -> None:
    from docx.enum.style import WD_STYLE_TYPE

    missing = []
    for name in STYLES:
        try:
            style = word.styles[name]
        except KeyError:
            missing.append(name)
            continue
        if style.type not in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER):
            missing.append(name)
    if missing:
        raise MemoError(f"{ref} lacks the Word style(s) {', '.join(repr(m) for m in missing)}; "
                        "add them in Word (Styles pane, New Style) or regenerate the file with "
                        "python -m memo.writers.reference")


def _properties(word, doc: Document) -> None:
    cp = word.core_properties
    when = doc.created
    cp.title = _prop(doc.title)
    cp.author = _prop(doc.meta("author"))
    cp.last_modified_by = _prop(doc.meta("author"))
    cp.subject = _prop(doc.meta("description"))
    cp.keywords = _prop(doc.meta("keywords"))
    cp.comments = ""
    cp.category = _prop(doc.article.findtext(".//p[@class='memo-kind']") or "Memorandum")
    cp.language = language(doc.lang).tag
    cp.created = cp.modified = when.replace(tzinfo=None)
    cp.last_printed = when.replace(tzinfo=None)
    cp.revision = 1
    cp.version = _prop(doc.meta("generator"))
    # the language Word spell-checks in and screen readers speak in
    from docx.oxml.ns import qn

    styles = word.styles.element
    rpr = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr is not None:
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            from docx.oxml import OxmlElement

            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), language(doc.lang).tag)
        lang.set(qn("w:eastAsia"), language(doc.lang).tag)
    _east_asian_fonts(styles, doc.lang.split("-")[0])
    if language(doc.lang).keeps_words:
        _word_level_breaks(styles)


def _east_asian_fonts(styles, lang: str) -> None:
    """Point every w:eastAsia font at the Noto CJK face for ``lang`` (Korean, Japanese):
    Word picks a run's East Asian font from w:eastAsia, which Font.name does not set."""
    from docx.oxml.ns import qn

    region = language(lang).cjk
    if region is None:
        return
    for fonts in styles.iter(qn("w:rFonts")):
        face = fonts.get(qn("w:eastAsia")) or fonts.get(qn("w:ascii"))
        if face in (SERIF, SANS):
            fonts.set(qn("w:eastAsia"), f"{face} CJK {region}")
    defaults = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if defaults is not None:
        fonts = defaults.find(qn("w:rFonts"))
        if fonts is None:
            from docx.oxml import OxmlElement

            fonts = OxmlElement("w:rFonts")
            defaults.insert(0, fonts)
        fonts.set(qn("w:eastAsia"), f"{SERIF} CJK {region}")


def _word_level_breaks(styles) -> None:
    """Korean lines break between words: ``w:wordWrap`` on in the paragraph defaults
    (ECMA-376 17.3.1.45: a word that does not fit moves to the next line whole; off,
    it is broken between characters). Said explicitly, since what Word does unsaid
    depends on its version and options; a style of a project's reference.docx that
    turns it off is the project's choice. LibreOffice (7.4) only carries the setting
    through to save it again; it breaks Korean between words on its own, but also after
    a middle dot inside one (핵·미사일)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        return
    ppr_default = defaults.find(qn("w:pPrDefault"))
    if ppr_default is None:
        ppr_default = OxmlElement("w:pPrDefault")
        defaults.append(ppr_default)
    ppr = ppr_default.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        ppr_default.append(ppr)
    wrap = ppr.find(qn("w:wordWrap"))
    if wrap is None:
        wrap = OxmlElement("w:wordWrap")
        # CT_PPrBase's order: wordWrap comes after these, before everything else
        earlier = {qn(f"w:{n}") for n in (
            "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
            "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens",
            "kinsoku")}
        anchor = next((el for el in ppr if el.tag not in earlier), None)
        if anchor is not None:
            anchor.addprevious(wrap)
        else:
            ppr.append(wrap)
    wrap.set(qn("w:val"), "1")


def _prop(value: str) -> str:
    """A core property value: python-docx refuses more than 255 characters."""
    return value if len(value) <= 255 else value[:254] + "…"


def _header_footer(word, marking: str, page_label: str) -> None:
    section = word.sections[0]
    head = section.header.paragraphs[0]
    head.style = word.styles["Marking"]
    head.text = marking
    foot = section.footer.paragraphs[0]
    foot.style = word.styles["Footer"]
    p = foot._p
    p.append(oxml.run("\t"))
    p.append(oxml.run(marking, bold=True, color=MARK))
    p.append(oxml.run("\t"))
    fields = {"{page}": "PAGE", "{pages}": "NUMPAGES"}
    for piece in re.split(r"(\{page\}|\{pages\})", page_label):
        if piece in fields:
            p.append(oxml.field(fields[piece], "1"))
        elif piece:
            p.append(oxml.run(piece))


class _Walker:
    """Turns the article's elements into Word paragraphs, in document order."""

    def __init__(self, word, notes: oxml.Footnotes, routing_end: str = ":",
                 figures: dict | None = None):
        self.word = word
        self.notes = notes
        self.figures = figures or {}
        self.routing_end = routing_end  # after TO, FROM...: ":" or, in Japanese, "："
        self.numbering = oxml.Numbering(word)
        self.marking = ""
        self.last_routing = None

    # -- blocks --------------------------------------------------------------------------
    def block(self, el, context: str = "") -> None:
        tag, cls = el.tag, el.get("class") or ""
        if tag == "p" and cls == "marking":
            self.marking = " ".join(el.text_content().split())
        elif tag in ("section", "header", "article"):
            for child in el:
                self.block(child, "bluf" if cls == "bluf" else context)
            if tag == "header" and self.last_routing is not None:
                _bottom_rule(self.last_routing)
        elif tag == "h1":
            self.para(el, "Title")
        elif tag in HEADING:
            self.para(el, "BLUF Heading" if context == "bluf" else HEADING[tag])
        elif tag == "p":
            self.para(el, "BLUF" if context == "bluf" else P_CLASS.get(cls, "Body Text"))
        elif tag == "dl":
            self.routing(el)
        elif tag in ("ul", "ol"):
            self.listing(el)
        elif tag == "figure":
            for child in el:
                if child.tag == "img":
                    self.picture(child)
                else:
                    self.para(child, "Caption")
        else:  # document.parse admits nothing else at block level
            raise MemoError(f"DOCX writer: unexpected <{tag}> at block level")

    def picture(self, img) -> None:
        """A generated figure: its PNG at the text width, with the alt text Word and
        screen readers show (``wp:docPr descr``)."""
        from docx.shared import Inches

        fig = self.figures.get(img.get("data-figure") or "")
        if fig is None:
            raise MemoError("DOCX writer: a figure without its PNG")
        p = self.word.add_paragraph(style=self.word.styles["Figure"])
        width = Inches(min(fig.width_pt / 72, TEXT_WIDTH_IN))
        p.add_run().add_picture(io.BytesIO(fig.png), width=width)
        doc_pr = p._p.xpath(".//wp:docPr")[0]
        doc_pr.set("descr", fig.alt)
        doc_pr.set("title", fig.alt[:100])

    def para(self, el, style: str, prefix: list | None = None):
        p = self.word.add_paragraph(style=self.word.styles[style])
        for r in prefix or []:
            p._p.append(r)
        self.inline(el, p._p, self.word.part)
        _trim(p._p)
        return p

    def routing(self, dl) -> None:
        items = list(dl)
        for dt, dd in zip(items[0::2], items[1::2], strict=False):
            label = " ".join(dt.text_content().split()).upper() + self.routing_end
            self.last_routing = self.para(
                dd, "Memo Routing", prefix=[oxml.run(label, bold=True), oxml.run("\t")])

    def listing(self, el) -> None:
        cls = el.get("class") or ""
        if cls == "decision":  # one line of choices, as on the printed page
            p = self.word.add_paragraph(style=self.word.styles["Decision Line"])
            for i, li in enumerate(el):
                p._p.append(oxml.run(("\t" if i else "") + "______ "))
                self.inline(li, p._p, self.word.part)
            _trim(p._p)
            return
        style = "Source Entry" if cls == "sources" else (
            "List Number" if el.tag == "ol" else "List Bullet")
        num_id = self.numbering.restart(self.word.styles[style]) if el.tag == "ol" else None
        for li in el:
            # an item holds inline text, or paragraphs: the first carries the number
            first, *rest = [c for c in li if c.tag == "p"] or [li]
            p = self.para(first, style)
            if num_id:
                oxml.set_num(p, num_id)
            for child in rest:
                self.para(child, P_CLASS.get(child.get("class") or "", "List Continue"))

    # -- inline --------------------------------------------------------------------------
    def inline(self, el, target, part, bold=False, italic=False) -> None:
        """Append runs for ``el``'s text and children (not its tail) to ``target``."""
        from lxml import etree

        if el.text:
            target.append(oxml.run(_ws(el.text), bold=bold, italic=italic))
        for child in el:
            tag, cls = child.tag, child.get("class") or ""
            if tag == "span" and cls == "footnote":
                holder = etree.Element("holder")
                self.inline(child, holder, self.notes.part)
                _trim(holder)
                target.append(self.notes.add(list(holder)))
            elif tag == "a":
                holder = etree.Element("holder")
                self.inline(child, holder, part, bold, italic)
                for r in holder:
                    _style_run(r, "Hyperlink")
                target.append(oxml.hyperlink(part, child.get("href"), list(holder)))
            elif tag in ("p", "ul", "ol"):
                continue  # block children of a list item are handled by listing()
            else:
                self.inline(child, target, part,
                            bold or tag == "strong", italic or tag in ("em", "cite"))
            if child.tail:
                target.append(oxml.run(_ws(child.tail), bold=bold, italic=italic))


def _ws(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _trim(p) -> None:
    """Drop the leading and trailing spaces HTML would not show."""
    from docx.oxml.ns import qn

    texts = [t for t in p.iter(qn("w:t"))]
    if texts:
        texts[0].text = texts[0].text.lstrip()
        texts[-1].text = texts[-1].text.rstrip()


def _style_run(r, style: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = r.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        r.insert(0, rpr)
    el = OxmlElement("w:rStyle")
    el.set(qn("w:val"), style)
    rpr.insert(0, el)


def _bottom_rule(paragraph) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    ppr = paragraph._p.get_or_add_pPr()
    border = parse_xml(f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="12" w:space="6" '
                       f'w:color="{ACCENT}"/></w:pBdr>')
    # pBdr goes before spacing and ind in pPr's schema order
    anchor = next((el for el in (ppr.find(qn("w:spacing")), ppr.find(qn("w:ind")))
                   if el is not None), None)
    if anchor is not None:
        anchor.addprevious(border)
    else:
        ppr.append(border)


WRITER = Writer("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml"
                ".document", write, ("python-docx", "lxml"))
