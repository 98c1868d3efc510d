"""Pandoc's HTML of a citation run, taken apart into memo's inline HTML.

Pandoc writes one paragraph per cluster: under a note style each holds a note call and
the note text sits in ``section.footnotes``; under an in-text style the paragraph holds
``span.citation``. The bibliography is ``div#refs``, an entry per item
(``div#ref-ID.csl-entry``). What memo keeps of their markup is what its document allows
in a note: italics (as ``cite``), strong and links to the web (:mod:`memo.document`);
everything else gives its text only.
"""

from __future__ import annotations

from html import escape

from lxml import html as lhtml

from memo.citeproc import Formatted
from memo.errors import MemoError

# A style's italics are a title's (or a term's: et al.): <cite>, which keeps its italics
# in Korean and Japanese, where memo's <em> is set bold (memo.css)
_KEEP = {"em": "cite", "i": "cite", "strong": "strong", "b": "strong"}


def inline(el) -> str:
    """``el``'s content as memo inline HTML (its own tag and tail left out)."""
    out = [escape(el.text or "", quote=False)]
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if "footnote-back" in (child.get("class") or ""):
            pass
        elif tag in _KEEP:
            out.append(f"<{_KEEP[tag]}>{inline(child)}</{_KEEP[tag]}>")
        elif tag == "a" and (child.get("href") or "").startswith(("http:", "https:")):
            out.append(f'<a href="{escape(child.get("href"))}">{inline(child)}</a>')
        elif tag:
            out.append(inline(child))
        out.append(escape(child.tail or "", quote=False))
    return "".join(out).strip()


def split(text: str, count: int, note_style: bool) -> Formatted:
    """The ``count`` clusters' texts and the bibliography out of pandoc's HTML."""
    root = lhtml.fromstring(f"<div>{text}</div>")
    if note_style:
        cites = [inline(li) for li in root.xpath("//section[@id='footnotes']/ol/li")]
    else:
        cites = [inline(span) for span in root.xpath("//p/span[@class='citation']")]
    if len(cites) != count:
        raise MemoError(f"the CSL processor gave {len(cites)} citations for {count}")
    bib = tuple((str(div.get("id"))[len("ref-"):], inline(div))
                for div in root.xpath("//div[@id='refs']/div[@class='csl-entry']"))
    return Formatted(tuple(cites), bib)
