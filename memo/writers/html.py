"""HTML: the rendered document as one self-contained file.

The stylesheets are inlined and nothing is loaded from elsewhere, so the file can be
mailed or archived alone. Footnotes become numbered calls linked to a list of notes at
the end, and the distribution marking is repeated at the bottom.
"""

from __future__ import annotations

import copy
from pathlib import Path

from lxml import etree, html

from memo.document import Document
from memo.theme import Theme, as_theme
from memo.writers import DEFAULT, Options, Output

STYLESHEETS = ("css/memo.css", "css/screen.css")


def write(doc: Document, templates: Theme | Path | None, options: Options = DEFAULT) -> Output:
    theme = as_theme(templates)
    tree = copy.deepcopy(doc.tree)
    head = tree.find("head")
    style = etree.SubElement(head, "style")
    style.text = "\n" + "\n".join(theme.path(s).read_text("utf-8") for s in STYLESHEETS)
    article = tree.find(".//body/article")

    notes = []
    back_label = doc.label("note-back", "back to the text of note {n}")
    for n, span in enumerate(article.iterfind(".//span[@class='footnote']"), start=1):
        note = etree.Element("li", id=f"note-{n}")
        note.text, note[:] = span.text, list(span)
        back = etree.SubElement(note, "a", href=f"#call-{n}")
        back.set("aria-label", back_label.replace("{n}", str(n)))
        back.text, back.tail = " ↩", None
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
    data = html.tostring(tree, doctype="<!DOCTYPE html>", encoding="utf-8", method="html")
    return Output.of(doc, data)
