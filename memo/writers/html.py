"""HTML: the rendered document as one self-contained file.

The stylesheets are inlined and nothing is loaded from elsewhere, so the file can be
mailed or archived alone. Footnotes become numbered calls linked to a list of notes at
the end, and the distribution marking is repeated at the bottom.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import TYPE_CHECKING

from memo.theme import Theme, as_theme
from memo.writers import DEFAULT, Options, Output, Writer

if TYPE_CHECKING:  # lxml stays unloaded until HTML is written
    from lxml import etree

    from memo.document import Document

STYLESHEETS = ("css/memo.css", "css/screen.css")
REDLINE = "css/redline.css"  # a redline's marks (memo.redline), after the others


def write(doc: Document, templates: Theme | Path | None, options: Options = DEFAULT) -> Output:
    from lxml import etree, html

    theme = as_theme(templates)
    doc = doc.plain()
    tree = copy.deepcopy(doc.tree)
    head = tree.find("head")
    style = etree.SubElement(head, "style")
    sheets = STYLESHEETS + ((REDLINE,) if doc.meta("memo.redline") else ())
    style.text = "\n" + "\n".join(theme.path(s).read_text("utf-8") for s in sheets)
    article = tree.find(".//body/article")

    notes = []
    back_label = doc.label("note-back", "back to the text of note {n}")
    for n, span in enumerate(article.iterfind(".//span[@class='footnote']"), start=1):
        note = etree.Element("li", id=f"note-{n}")
        note.text, note[:] = span.text, list(span)
        # the space before the arrow stays out of the link, or its underline starts on it
        if len(note):
            note[-1].tail = (note[-1].tail or "") + " "
        else:
            note.text = (note.text or "") + " "
        back = etree.SubElement(note, "a", href=f"#call-{n}")
        back.set("aria-label", back_label.replace("{n}", str(n)))
        back.text, back.tail = "↩", None
        notes.append(note)
        call = etree.Element("sup", {"class": "note-call", "id": f"call-{n}"})
        link = etree.SubElement(call, "a", href=f"#note-{n}")
        link.text = str(n)
        call.tail = span.tail
        span.getparent().replace(span, call)
    if notes:
        section = etree.SubElement(article, "section", {"class": "notes"})
        section.set("aria-labelledby", "notes-h")
        h2 = etree.SubElement(section, "h2", id="notes-h")
        h2.text = doc.label("notes", "Notes")
        ol = etree.SubElement(section, "ol")
        ol.extend(notes)
    marking = article.find("p[@class='marking']")
    if marking is not None:
        bottom = copy.deepcopy(marking)
        bottom.set("class", "marking bottom")
        bottom.tail = "\n"
        article.append(bottom)
    main_landmark(tree)
    data = html.tostring(tree, doctype="<!DOCTYPE html>", encoding="utf-8", method="html")
    return Output.of(doc, data)


def main_landmark(tree: etree._Element) -> etree._Element:
    """Wrap the body's article in ``<main>``, in place: screen readers jump to the main
    landmark, and content outside any landmark is skipped by landmark navigation (axe:
    landmark-one-main, region). Only the pages a browser shows get it: the document the
    PDF and DOCX writers walk keeps ``body/article``, so their structure does not move."""
    from lxml import etree

    article = tree.find("body/article")
    main = etree.Element("main")
    article.addprevious(main)
    main.text, main.tail = "\n", article.tail
    main.append(article)  # lxml moves the article's tail with it
    article.tail = "\n"
    return tree


WRITER = Writer("html", "text/html; charset=utf-8", write, ("lxml",), STYLESHEETS)
