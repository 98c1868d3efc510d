"""A Word document's properties and language settings, as the DOCX writer sets them.

Core properties (title, authors, subject, keywords, category, language, the memo's date
rather than python-docx's 2013 template dates) and, in ``styles.xml``, the language
Word spell-checks in, the East Asian font of each style (``w:eastAsia``: ``Font.name``
does not set it) and, for Korean, line breaks between words only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from memo.l10n import language
from memo.writers.oxml import default_rpr
from memo.writers.reference import SANS, SERIF

if TYPE_CHECKING:
    from memo.document import Document


def properties(word, doc: Document) -> None:
    cp = word.core_properties
    when = doc.created
    cp.title = _prop(doc.title)
    cp.author = _prop(doc.meta("author"))
    cp.last_modified_by = _prop(doc.meta("author"))
    cp.subject = _prop(doc.meta("description"))
    cp.keywords = _prop(doc.meta("keywords"))
    cp.comments = ""
    cp.content_status = "Draft" if doc.meta("memo.status") == "draft" else "Final"
    cp.category = _prop(doc.article.findtext(".//p[@class='memo-kind']") or "Memorandum")
    cp.language = language(doc.lang).tag
    cp.created = cp.modified = when.replace(tzinfo=None)
    cp.last_printed = when.replace(tzinfo=None)
    cp.revision = 1
    cp.version = _prop(doc.meta("generator"))
    # the language Word spell-checks in and screen readers speak in
    from docx.oxml.ns import qn

    styles = word.styles.element
    rpr = default_rpr(styles)
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


def face_of(lang: str) -> str:
    """The sans face text in ``lang`` is drawn in: the Noto CJK face for Korean and
    Japanese, so a watermark in 초안 or 草案 has its glyphs."""
    region = language(lang.split("-")[0]).cjk
    return f"{SANS} CJK {region}" if region else SANS


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
    defaults = default_rpr(styles)
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
