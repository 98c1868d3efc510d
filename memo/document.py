"""The rendered memo: one semantic HTML document that every writer reads.

Templates may produce only this subset; :func:`parse` refuses anything else, naming the
element, so no writer ever meets markup it would have to drop silently.

=================  =======================================  ==============================
element            meaning                                  Word style (reference.docx)
=================  =======================================  ==============================
``p.marking``      distribution marking, every page         header and footer: Marking
``p.draft``        DRAFT across every page (a draft only)   a watermark in the header
``header``         the memo header block                    (container)
``p.memo-kind``    "Memorandum" above the title             Memo Kind
``h1``             the memo's title                         Title
``dl.routing``     TO / FROM / DATE / SUBJECT lines          Memo Routing
``section.bluf``   bottom line up front                     BLUF (paragraphs inside)
``h2``, ``h3``     headings                                 Heading 1, Heading 2
``p``              paragraph                                Body Text
``p.lesson``       a precedent's lesson                     Lesson
``ul`` / ``ol``    lists (``li`` holds text or ``p``\\ s)     List Bullet / List Number,
                                                            List Continue for later ``p``
``ul.sources``     the sources list (the CSL bibliography)  Source Entry, hanging
``ul.decision``    approve / disapprove choices             Decision Line (one, tabbed)
``span.footnote``  a citation                               a native Word footnote
``em`` ``cite``    italic; ``strong`` bold; ``a`` link      Hyperlink (character style)
``figure``         a generated figure: ``img`` (SVG,         a picture (its PNG, with the
                   with ``alt``) and ``p.caption``           alt text), then Caption
=================  =======================================  ==============================

``section`` and ``article`` group (``section.clearance`` holds the Drafted / Cleared /
Approved lines, as Body Text); ``time`` and ``span.draws-on`` are inline text.

A redline (:mod:`memo.redline`) adds ``ins`` and ``del`` around changed text,
``span.restyled`` around words whose emphasis changed, ``data-change`` on whole blocks
inserted, deleted or moved, and ``section.changes`` listing them; ``span.field`` marks
where a content field's text sits while two renderings are compared (:mod:`memo.marks`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from lxml import etree, html

from memo.errors import MemoError

# element -> attributes it may carry
ALLOWED: dict[str, set[str]] = {
    "html": {"lang"}, "head": set(), "body": set(), "title": set(),
    "meta": {"name", "content", "charset"},
    "article": {"class", "lang"}, "header": {"class"},
    "section": {"class", "id", "aria-labelledby"},
    "h1": {"class", "id"}, "h2": {"class", "id"}, "h3": {"class", "id"},
    "p": {"class", "id"}, "ul": {"class"}, "ol": {"class"}, "li": {"class", "id"},
    "dl": {"class"}, "dt": {"id"}, "dd": {"id"},
    "em": set(), "strong": set(), "cite": set(), "a": {"href"},
    "span": {"class"}, "time": {"datetime"},
    "figure": {"class"}, "img": {"class", "src", "alt", "id"},
    # a redline's changes (memo.changes)
    "ins": set(), "del": set(),
}

CLASSES: dict[str, set[str]] = {
    "p": {"marking", "draft", "memo-kind", "lesson", "rationale", "caption"},
    "article": {"memo"}, "header": {"memo-header"},
    "section": {"bluf", "context", "precedents", "precedent", "recommendations", "caveats",
                "sources", "decision", "decisions", "why-now", "framing", "proposals",
                "approach", "current", "costs", "asks", "risks", "timeline", "changes",
                "clearance"},
    "figure": {"timeline"}, "img": {"timeline"},
    "h1": {"title"}, "h2": set(), "h3": set(),
    "ul": {"precedents-brief", "caveats", "decision", "risks", "changes", "sources"},
    "ol": {"recommendations", "proposals", "approach", "asks"},
    "li": set(), "dl": {"routing"},
    "span": {"footnote", "citation", "draws-on", "field", "restyled"},
}


FIGURE_SRC = "data:image/svg+xml;base64,"


class DocumentError(MemoError):
    """A template produced markup outside the memo subset."""


@dataclass
class Document:
    """One audience's memo, rendered: the HTML text and its parsed tree."""

    html: str
    tree: etree._Element
    audience: str
    lang: str
    figures: dict = field(default_factory=dict)  # data-figure key -> memo.figures.Figure
    reads: frozenset[str] = frozenset()  # the content files it was rendered from (memo.reads)

    @property
    def title(self) -> str:
        return self.tree.findtext(".//head/title") or ""

    def label(self, key: str, default: str) -> str:
        """A label the template passed to the writers (``memo.label.<key>`` meta tags),
        such as the page counter's words, in the memo's language."""
        return self.meta(f"memo.label.{key}") or default

    def meta(self, name: str) -> str:
        for el in self.tree.iterfind(".//head/meta"):
            if el.get("name") == name:
                return el.get("content") or ""
        return ""

    @property
    def created(self) -> datetime:
        """The document's date, from its ``dcterms.created`` meta tag: every writer dates
        its bytes with this, never with the clock. 1980-01-01 (the zip epoch) if absent."""
        raw = self.meta("dcterms.created")
        try:
            return datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return datetime(1980, 1, 1, tzinfo=timezone.utc)

    @property
    def article(self) -> etree._Element:
        return self.tree.find(".//body/article")

    def plain(self) -> Document:
        """The document without its provenance marks (:mod:`memo.marks`), as every
        format shows it but the DOCX, which keeps them as hidden bookmarks; the
        document itself when it has none. Its bytes are those of a render without
        marks, so a format's output does not depend on whether the render had them."""
        if self.tree.find(".//span[@class='field']") is None and \
                self.tree.find(".//span[@data-cite]") is None:
            return self
        import copy

        from memo.words import strip_marks

        tree = copy.deepcopy(self.tree)
        strip_marks(tree)
        return Document(_text(tree), tree, self.audience, self.lang, self.figures, self.reads)

    def retext(self) -> None:
        """The HTML text again from the tree, after a change made to the tree in place
        (the derived banner, :mod:`memo.markings`), for the writers that read the text."""
        self.html = _text(self.tree)

    def words(self, within: etree._Element | None = None) -> int:
        """The memo's length (or that of the element ``within`` it) as its budget counts
        it: the text, without the marking, the reviewers' notes and the notes (see
        :func:`memo.l10n.count_words` for Japanese)."""
        from memo.l10n import count_words

        text = " ".join((self.article if within is None else within).xpath(
            ".//text()[not(ancestor::span[@class='footnote' or @class='review-note'])"
            " and not(ancestor::p[contains(concat(' ', @class, ' '), ' marking ')"
            " or @class='draft'])]"))
        return count_words(text, self.lang)


def _text(tree) -> str:
    return html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")


def parse(text: str, *, audience: str, lang: str, template: str) -> Document:
    """Parse rendered HTML and check it against the subset; raise DocumentError if outside."""
    tree = html.document_fromstring(text)
    problems = []
    for el in tree.iter():
        if not isinstance(el.tag, str):  # comments, processing instructions
            continue
        if el.tag not in ALLOWED:
            problems.append(f"<{el.tag}> is not in the memo document subset")
            continue
        for attr in el.attrib:
            if attr not in ALLOWED[el.tag] and not attr.startswith("data-"):
                problems.append(f"<{el.tag} {attr}=...> is not allowed")
        for cls in (el.get("class") or "").split():
            if cls not in CLASSES.get(el.tag, set()):
                problems.append(f'<{el.tag} class="{cls}"> is not a known memo class')
        if el.tag == "img" and (not (el.get("src") or "").startswith(FIGURE_SRC)
                                or not (el.get("alt") or "").strip()):
            problems.append("<img> must be a generated figure (an SVG data: URL) with alt text")
    if tree.find(".//body/article") is None:
        problems.append("the document has no <article> in <body>")
    if problems:
        unique = list(dict.fromkeys(problems))
        raise DocumentError(
            f"template {template} (audience {audience}) rendered markup outside the memo "
            "subset (see memo/document.py):\n  " + "\n  ".join(unique)
        )
    return Document(text, tree, audience, lang)
