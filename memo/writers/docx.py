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
from memo.theme import Theme, as_theme
from memo.writers import DEFAULT, Options, Output, Writer, lazy_module, typeface
from memo.writers.reference import ACCENT, MARK, STYLES

if TYPE_CHECKING:
    from memo.document import Document

# python-docx loads when the writer first writes, not when the build asks what it is
oxml = lazy_module("memo.writers.oxml")
tracked = lazy_module("memo.writers.tracked")
provenance = lazy_module("memo.writers.provenance")
wordprops = lazy_module("memo.writers.wordprops")
comments = lazy_module("memo.writers.comments")
watermark = lazy_module("memo.writers.watermark")

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
    typography = typeface.of(doc)
    typeface.docx_page(word, typography)  # before the body: a picture fills the text width

    w = _Walker(word, notes, doc.label("routing-end", ":"), doc.figures, doc.created)
    if doc.meta("memo.redline"):  # a redline: its changes as Word's tracked changes
        w.rev = tracked.Revisions(doc.meta("memo.redline.author") or "memo",
                                  doc.created.strftime("%Y-%m-%dT%H:%M:%SZ"))
        tracked.track_revisions(word.settings.element)
    for el in doc.article:
        w.block(el)
    _header_footer(word, w.marking, doc.label("page", "Page {page} of {pages}"))
    if w.draft:
        watermark.add(word.sections[0].header, w.draft, wordprops.face_of(doc.lang))
    notes.save()
    wordprops.properties(word, doc)
    typeface.docx_styles(word, typography)  # after properties, which set the CJK faces
    files: list[str] = []
    if w.bookmarks:  # which field each bookmark holds is found again from the content
        props = {"memo.variant": f"{doc.audience}-{doc.lang}"}
        if options.sources:
            files = provenance.shown_files(w.named.values(), doc.audience)
            props["memo.content"] = provenance.content_digest(options.sources, files)
            props["memo.content.files"] = " ".join(files)
        provenance.set_custom_properties(word, props)

    buf = io.BytesIO()
    word.save(buf)
    out = Output.of(doc, oxml.reproducible_zip(buf.getvalue(), doc.created), embeds=tuple(files))
    out.provenance = w.named
    return out


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
                 figures: dict | None = None, created=None):
        self.word = word
        self.notes = notes
        self.figures = figures or {}
        self.routing_end = routing_end  # after TO, FROM...: ":" or, in Japanese, "："
        self.numbering = oxml.Numbering(word)
        self.marking = ""
        self.draft = ""  # a draft's watermark text
        self.last_routing = None
        self.rev = None  # tracked.Revisions, for a redline
        self.move_part: dict[str, int] = {}  # a moved block's paragraphs, numbered
        self.bookmarks = 0  # the fields marked, each as a hidden bookmark
        self._seen: dict[str, int] = {}
        self.named: dict[str, str] = {}  # bookmark name -> field key
        self.field_runs: dict[str, list] = {}  # each field's runs, where first written
        self.created = created  # the document's date: a comment's, when it has none

    def _mark(self, target, key: str) -> tuple:
        """A bookmark for field ``key``: its start appended to ``target`` now, its end
        to append after the field's runs."""
        self.bookmarks += 1
        name = provenance.bookmark_name(key, self._seen)
        self.named[name] = key
        return oxml.bookmark(target, self.bookmarks, name)

    # -- blocks --------------------------------------------------------------------------
    def block(self, el, context: str = "") -> None:
        tag, cls = el.tag, el.get("class") or ""
        if tag == "p" and cls == "marking":
            self.marking = " ".join(el.text_content().split())
        elif tag == "p" and cls == "draft":
            self.draft = " ".join(el.text_content().split())
        elif tag == "section" and cls == "changes":
            return  # a redline's list of changes: Word lists tracked changes itself
        elif tag in ("section", "header", "article"):
            before = len(self.word.paragraphs)
            for child in el:
                self.block(child, "bluf" if cls == "bluf" else context)
            if cls == "clearance":  # signed off as one block: no line of it left alone
                for p in self.word.paragraphs[before:-1]:
                    p.paragraph_format.keep_with_next = True
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
        sec = self.word.sections[0]  # the text's width, as the margins leave it
        width = min(Inches(fig.width_pt / 72), sec.page_width - sec.left_margin
                    - sec.right_margin)
        p.add_run().add_picture(io.BytesIO(fig.png), width=width)
        doc_pr = p._p.xpath(".//wp:docPr")[0]
        doc_pr.set("descr", fig.alt)
        doc_pr.set("title", fig.alt[:100])
        self._whole(img, p._p)

    def para(self, el, style: str, prefix: list | None = None):
        p = self.word.add_paragraph(style=self.word.styles[style])
        how = el.get("data-change")
        for r in prefix or []:  # a routing label: part of the paragraph, and of its change
            self.put(p._p, r, (tracked.KIND[how], el) if how and self.rev else None)
        self.inline(el, p._p, self.word.part)
        _trim(p._p)
        self._whole(el, p._p)
        return p

    def _whole(self, el, p) -> None:
        """A block a redline inserted, deleted or moved: its paragraph mark says so."""
        how = el.get("data-change")
        if how and self.rev is not None:
            move = el.get("data-move")
            part = 0
            if move:
                part = self.move_part[(move, how)] = self.move_part.get((move, how), -1) + 1
            self.rev.paragraph(p, how, move, part)

    def put(self, target, run, change=None, was: str | None = None) -> None:
        """Append ``run``, inside the tracked change it belongs to, if any."""
        if was and self.rev is not None:
            self.rev.restyle(run, was)
        if change is None or self.rev is None:
            target.append(run)
        else:
            self.rev.put(target, run, *change)

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
                how = li.get("data-change")
                self.put(p._p, oxml.run(("\t" if i else "") + "______ "),
                         (tracked.KIND[how], li) if how and self.rev else None)
                self.inline(li, p._p, self.word.part)
            _trim(p._p)
            if len(el):
                self._whole(el[0], p._p)
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
    def inline(self, el, target, part, bold=False, italic=False, change=None,
               was: str | None = None) -> None:
        """Append runs for ``el``'s text and children (not its tail) to ``target``;
        inside a redline's change, each run goes into its tracked change."""
        from lxml import etree

        if el.text:
            self.put(target, oxml.run(_ws(el.text), bold=bold, italic=italic), change, was)
        for child in el:
            tag, cls = child.tag, child.get("class") or ""
            if tag == "span" and cls == "field":
                end = self._mark(target, child.get("data-field") or "")
                first = len(target)
                self.inline(child, target, part, bold, italic, change, was)
                self.field_runs.setdefault(child.get("data-field"), list(target)[first:])
                target.append(end)
            elif tag == "span" and cls == "review-note":
                # a reviewer's open note (memo build --review-notes), at the end of its
                # field's paragraph: a comment on the field's runs (on an empty run
                # here, when the field had none)
                anchor = self.field_runs.get(child.get("data-field")) or [oxml.run("")]
                if anchor[0].getparent() is None:
                    target.append(anchor[0])
                comments.add(self.word, anchor, child, self.created)
            elif tag == "span" and cls == "footnote":
                holder = etree.Element("holder")
                end = self._mark(holder, provenance.note_key(child.get("data-cite"))) \
                    if child.get("data-cite") else None
                # a note added or removed: its text is, as well as its call; a moved
                # note goes with its call, its text untracked
                moving = change is not None and change[0] in ("moveFrom", "moveTo")
                self.inline(child, holder, self.notes.part, change=None if moving else change)
                if end is not None:
                    holder.append(end)
                _trim(holder)
                self.put(target, self.notes.add(list(holder)), change)
            elif tag == "a":
                holder = etree.Element("holder")
                self.inline(child, holder, part, bold, italic, change, was)
                for r in holder.iter(_W_R):
                    _style_run(r, "Hyperlink")
                target.append(oxml.hyperlink(part, child.get("href"), list(holder)))
            elif tag in ("p", "ul", "ol"):
                continue  # block children of a list item are handled by listing()
            elif tag in ("ins", "del") and self.rev is not None:
                kind = tracked.MOVED[tracked.KIND[_HOW[tag]]] \
                    if (el.get("data-move") or _moved(child)) else tracked.KIND[_HOW[tag]]
                self.inline(child, target, part, bold, italic, (kind, child), was)
            elif tag == "span" and cls == "restyled":
                self.inline(child, target, part, bold, italic, change,
                            child.get("data-was") or "plain")
            else:
                self.inline(child, target, part, bold or tag == "strong",
                            italic or tag in ("em", "cite"), change, was)
            if child.tail:
                self.put(target, oxml.run(_ws(child.tail), bold=bold, italic=italic), change,
                         was)


_W_R = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}r"
_HOW = {"ins": "inserted", "del": "deleted"}


def _moved(el) -> bool:
    """Whether ``el`` sits in a block a redline moved."""
    return any(a.get("data-move") for a in el.iterancestors())


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
    # pBdr goes before these in pPr's schema order (CT_PPr), the mark's rPr among them
    after = {qn(f"w:{n}") for n in (
        "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct",
        "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
        "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
        "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId",
        "cnfStyle", "rPr", "sectPr", "pPrChange")}
    anchor = next((el for el in ppr if el.tag in after), None)
    if anchor is not None:
        anchor.addprevious(border)
    else:
        ppr.append(border)


def prepare(theme: Theme) -> None:
    """In a worker, before its first DOCX: python-docx and memo's OOXML helpers imported."""
    import docx  # noqa: F401

    for module in (oxml, tracked, provenance, wordprops, comments, watermark):
        getattr(module, "__file__", None)  # a lazy module loads on its first attribute


WRITER = Writer("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml"
                ".document", write, ("python-docx", "lxml"), prepare=prepare)
