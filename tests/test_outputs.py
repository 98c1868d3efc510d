"""The built files, opened the way a reader opens them: PDF text, fonts and outline; the
DOCX through python-docx and LibreOffice; and the three formats held to the same memo."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from .conftest import need, pdftotext

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
VARIANTS = ["congress-en", "partner-en", "partner-ja", "partner-ko", "principal-en",
            "staff-en"]
AUDIENCES = ("principal", "staff")


def pdf_reader(path: Path):
    from pypdf import PdfReader

    return PdfReader(str(path))


def body_text(path: Path) -> str:
    """The PDF's running text as a reader follows it across pages: no footnotes (set at
    7.8 pt), markings or page numbers (7.5 and 8 pt), which pdftotext interleaves."""
    parts: list[str] = []

    def keep(text, cm, tm, font, size):
        if abs(size * tm[0] * cm[0]) >= 8.5:
            parts.append(text)

    for page in pdf_reader(path).pages:
        page.extract_text(visitor_text=keep)
    return " ".join("".join(parts).split())


def outline_titles(reader) -> list[str]:
    titles: list[str] = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(" ".join(item.title.split()))

    walk(reader.outline)
    return titles


def docx_headings(path: Path) -> list[str]:
    import docx

    doc = docx.Document(str(path))
    return [" ".join(p.text.split()) for p in doc.paragraphs
            if p.style.name in ("Title", "Heading 1", "Heading 2", "BLUF Heading")]


def docx_footnotes(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("word/footnotes.xml"))
    notes = [n for n in root.iter(f"{W}footnote") if n.get(f"{W}type") is None]
    return [" ".join("".join(t.text or "" for t in n.iter(f"{W}t")).split()) for n in notes]


def html_headings(path: Path) -> list[str]:
    from lxml import html

    tree = html.parse(str(path))
    return [" ".join(h.text_content().split()) for h in tree.iter("h1", "h2", "h3")
            if h.getparent().get("class") != "notes"]


# -- manifest ------------------------------------------------------------------------------

def test_manifest_lists_every_file_with_its_hash(built):
    import hashlib

    manifest = json.loads((built / "manifest.json").read_text())
    paths = sorted(a["path"] for a in manifest["artifacts"])
    assert paths == sorted(f"{v}.{f}" for v in VARIANTS for f in ("pdf", "docx", "html"))
    for art in manifest["artifacts"]:
        data = (built / art["path"]).read_bytes()
        assert art["sha256"] == hashlib.sha256(data).hexdigest()
        assert art["bytes"] == len(data)
        assert art["variant"] == f"{art['audience']}-{art['lang']}"
        assert art["format"] == art["path"].rsplit(".", 1)[1]
        assert ("pages" in art) == (art["format"] == "pdf")
        if art["format"] == "pdf":
            assert art["pages"] == len(pdf_reader(built / art["path"]).pages)
        assert re.fullmatch(r"[0-9a-f]{64}", art["inputs"])
        assert art["words"] > 150
    by_variant = {}
    for art in manifest["artifacts"]:
        by_variant.setdefault(art["variant"], set()).add((art["words"], art["inputs"]))
    # one word count per variant, whatever the format; one inputs hash per artifact
    assert all(len({w for w, _ in v}) == 1 for v in by_variant.values())
    assert len({a["inputs"] for a in manifest["artifacts"]}) == 18


# -- PDF -----------------------------------------------------------------------------------

def test_principal_pdf_decides_item_by_item_within_two_pages(built):
    """A principal approves items, not a bundle: each recommendation has its own line."""
    assert len(pdf_reader(built / "principal-en.pdf").pages) <= 2
    text = " ".join(pdftotext(built / "principal-en.pdf").split())
    for choice in ("______ Approve", "______ Disapprove", "______ Discuss"):
        assert text.count(choice) == 6, choice
    assert "Why Now" in text and "31 March 2021" in text
    assert "Needs the approval of the President and the Secretary of Defense as well." in text


def test_the_hill_briefing_is_the_departments_own(built):
    """Congress gets the Department's briefing: its own FROM line, bottom line and
    marking; what we do, why, what it costs and what we ask; no internal memo."""
    pdf = built / "congress-en.pdf"
    assert len(pdf_reader(pdf).pages) <= 3
    text = " ".join(pdftotext(pdf).split())
    assert "FROM Bureau of Legislative Affairs, U.S. Department of State" in text
    headings = ["SUMMARY", "What We Are Doing", "Why This Approach: The Record",
                "Where Things Stand", "What It Costs", "What We Ask of Congress"]
    assert [text.find(h) for h in headings] == sorted(text.find(h) for h in headings) \
        and -1 not in [text.find(h) for h in headings]
    assert "The Department is working to restore close cooperation" in text
    for internal in ("PREDECISIONAL", "We recommend", "Staff may ask", "BOTTOM LINE"):
        assert internal not in text, internal


def _section_text(doc, section: str) -> list[str]:
    """A section's paragraphs without their notes (whose numbers differ by paper) and
    their portion marks (the staff memo's: tests/test_markings.py)."""
    el = doc.tree.find(f".//section[@id='{section}']")
    return [re.sub(r"^\([A-Z/]+\) ", "", "".join(
        p.xpath(".//text()[not(ancestor::span[@class='footnote'])]"))) for p in el.iter("p")]


def test_the_staff_memo_and_the_hill_briefing_state_the_current_facts_alike():
    from memo.content import load_project
    from memo.render import render

    from .conftest import CONTENT, TEMPLATES

    project = load_project(CONTENT)
    staff, congress = (render(project, a, TEMPLATES, "en") for a in ("staff", "congress"))
    facts = _section_text(staff, "current")
    assert facts == _section_text(congress, "current") and len(facts) == 3
    joined = " ".join(facts)
    for fact in ("31 March 2021", "furloughed in April 2020", "GSOMIA", "8.2 percent"):
        assert fact in joined, fact
    # and the staff weigh each recommendation's risks, which the Hill does not see
    risks = staff.tree.find(".//section[@id='risks']")
    assert len(risks.findall(".//li")) == len(project.recommendations)
    assert congress.tree.find(".//section[@id='risks']") is None


@pytest.mark.parametrize("audience", AUDIENCES)
def test_pdf_text_holds_the_memo(built, audience):
    text = " ".join(pdftotext(built / f"{audience}-en.pdf").split())
    precedents = ("Johnson, 1965", "Reagan, 1983–1984", "Clinton, 1994–1999")
    for fact in ("TO The Secretary of State" if audience == "principal" else "TO Interagency",
                 "SUBJECT Using U.S. alliance leadership", "February 8, 2021",
                 "BOTTOM LINE", "Reaffirm both alliances early",
                 *(precedents if audience == "staff" else ())):
        assert fact in text, fact
    pages = len(pdf_reader(built / f"{audience}-en.pdf").pages)
    for n in range(1, pages + 1):
        page = pdftotext(built / f"{audience}-en.pdf", "-f", str(n), "-l", str(n))
        # the banner derived from what each memo shows (tests/test_markings.py)
        assert page.count("UNCLASSIFIED" + ("//NOFORN" if audience == "staff" else "")
                          + " // PREDECISIONAL — FOR DISCUSSION") == 2, n  # top, bottom
        assert f"Page {n} of {pages}" in page


def test_staff_pdf_carries_the_precedents_in_depth(built):
    text = body_text(built / "staff-en.pdf")
    assert "Ibid." not in text and "Page 1 of" not in text  # notes and margins left out
    for fact in ("Treaty on Basic Relations", "22 June 1965", "Chun Doo-hwan",
                 "Nakasone Yasuhiro", "produced the Trilateral Coordination and Oversight Group",
                 "William Perry", "Nye Initiative", "1997", "Agreed Framework",
                 "political", "Caveats", "Sources"):
        assert fact in text, fact


def test_pdf_embeds_the_named_fonts_only(built):
    exe = need("pdffonts")
    out = subprocess.run([exe, str(built / "staff-en.pdf")], capture_output=True, text=True,
                         check=True).stdout.splitlines()[2:]
    fonts = {line.split()[0].split("+")[1]: line.split() for line in out}
    assert set(fonts) == {"Noto-Serif", "Noto-Serif-Bold", "Noto-Serif-Italic", "Noto-Sans",
                          "Noto-Sans-Bold"}
    for cols in fonts.values():
        assert cols[-5] == "yes", cols  # emb


def test_pdf_bookmarks_are_the_headings(built):
    reader = pdf_reader(built / "staff-en.pdf")
    titles = outline_titles(reader)
    assert titles[0].startswith("Rebuilding the Triangle")
    assert "Recommendations" in titles and "Caveats" in titles and "Sources" in titles
    assert any(t.startswith("Reagan, 1983–1984: Rapprochement") for t in titles)


def test_pdf_properties_and_links(built):
    reader = pdf_reader(built / "staff-en.pdf")
    meta = reader.metadata
    assert meta.title.startswith("Rebuilding the Triangle")
    assert meta.author == "East Asia Alliances Team"
    assert meta.subject.startswith("Using U.S. alliance leadership")
    assert str(meta.get("/CreationDate", "")).startswith("D:20210208")
    uris = [a.get_object()["/A"].get("/URI") for p in reader.pages for a in p.get("/Annots", [])
            if a.get_object().get("/Subtype") == "/Link" and "/A" in a.get_object()]
    assert "https://www.mofa.go.jp/region/n-america/us/security/guideline2.html" in uris


# -- DOCX ----------------------------------------------------------------------------------

def test_docx_structure_and_styles(built):
    import docx

    doc = docx.Document(str(built / "staff-en.docx"))
    styles = [p.style.name for p in doc.paragraphs]
    assert styles[:2] == ["Memo Kind", "Title"]
    assert styles.count("Memo Routing") == 4
    assert "BLUF" in styles and "Lesson" in styles and "Source Entry" in styles
    routing = [p.text for p in doc.paragraphs if p.style.name == "Memo Routing"]
    assert routing[0] == "TO:\tInteragency East Asia and Pacific Policy Staff"
    assert routing[2] == "DATE:\tFebruary 8, 2021"
    header = doc.sections[0].header.paragraphs[0]
    assert header.text == "SENSITIVE BUT UNCLASSIFIED//NOFORN // PREDECISIONAL — FOR DISCUSSION"
    footer_xml = doc.sections[0].footer.paragraphs[0]._p.xml
    assert 'w:instr=" PAGE "' in footer_xml and 'w:instr=" NUMPAGES "' in footer_xml


def test_docx_properties_are_the_memos(built):
    import docx

    cp = docx.Document(str(built / "staff-en.docx")).core_properties
    assert cp.title.startswith("Rebuilding the Triangle")
    assert cp.author == "East Asia Alliances Team"
    assert cp.subject.startswith("Using U.S. alliance")
    assert cp.language == "en-US"
    assert cp.created.isoformat().startswith("2021-02-08")
    assert cp.modified.isoformat().startswith("2021-02-08")


def test_docx_footnotes_are_native(built):
    path = built / "staff-en.docx"
    notes = docx_footnotes(path)
    assert notes[0].startswith("Erik French, Jiyoon Kim, and Jihoon Yu, “The US Role")
    assert notes[1] == "Ibid."  # the same source as the note before
    # short, the period inside the closing quotation mark (U.S. Chicago style)
    assert "French, Kim, and Yu, “The US Role in South Korea-Japan Relations.”" in notes
    assert sum(n.startswith("Erik French") for n in notes) == 1  # in full only the first time
    with zipfile.ZipFile(path) as z:
        body = z.read("word/document.xml").decode()
        rels = z.read("word/_rels/footnotes.xml.rels").decode()
    assert body.count("<w:footnoteReference ") == len(notes)
    assert "[@" not in body
    assert "guideline2.html" in rels and 'TargetMode="External"' in rels


def test_docx_lists_restart_their_numbering(built):
    import docx

    doc = docx.Document(str(built / "staff-en.docx"))
    num_ids = {}
    for p in doc.paragraphs:
        num = p._p.find(f"{W}pPr/{W}numPr/{W}numId")
        if num is not None:
            num_ids.setdefault(p.style.name, set()).add(num.get(f"{W}val"))
    assert len(num_ids["List Number"]) == 1  # one recommendations list
    # the sources list is the style's bibliography, ordered by author: not numbered
    assert "Source Entry" not in num_ids
    entries = [p for p in doc.paragraphs if p.style.name == "Source Entry"]
    assert len(entries) >= 15 and entries[0].text.startswith("(U) Agreed Framework")


def test_docx_uses_only_styles_of_the_reference(built):
    import docx

    from memo.writers.reference import STYLES

    ref = docx.Document(str(Path(__file__).parent.parent / "templates" / "reference.docx"))
    ref_names = {s.name for s in ref.styles}
    assert set(STYLES) <= ref_names
    doc = docx.Document(str(built / "staff-en.docx"))
    used = {p.style.name for p in doc.paragraphs}
    assert used <= ref_names


def test_docx_opens_in_libreoffice(built, tmp_path):
    exe = need("soffice")
    for audience in AUDIENCES:
        src = built / f"{audience}-en.docx"
        proc = subprocess.run(
            [exe, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to",
             "pdf", "--outdir", str(tmp_path), str(src)],
            capture_output=True, text=True, timeout=180)
        pdf = tmp_path / f"{audience}-en.pdf"
        assert proc.returncode == 0 and pdf.is_file(), proc.stderr
        text = " ".join(pdftotext(pdf).split())
        assert "Rebuilding the Triangle" in text
        assert "Page 1 of" in text  # the PAGE / NUMPAGES fields were evaluated
        assert "Erik French, Jiyoon Kim, and Jihoon Yu" in text  # the first footnote
        if audience == "principal":  # the two-page budget holds in Word's layout too
            assert "Page 1 of 1" in text or "Page 1 of 2" in text


# -- parity --------------------------------------------------------------------------------

@pytest.mark.parametrize("variant", VARIANTS)
def test_formats_have_the_same_headings_in_the_same_order(built, variant):
    html_h = html_headings(built / f"{variant}.html")
    pdf_h = outline_titles(pdf_reader(built / f"{variant}.pdf"))
    docx_h = docx_headings(built / f"{variant}.docx")
    assert len(html_h) >= 4
    assert pdf_h == html_h
    assert [h.casefold() for h in docx_h] == [h.casefold() for h in html_h]


@pytest.mark.parametrize("variant", VARIANTS)
def test_formats_have_the_same_footnotes(built, variant):
    from lxml import html

    notes_html = [" ".join(li.text_content().replace("↩", "").split())
                  for li in html.parse(str(built / f"{variant}.html"))
                  .iterfind(".//section[@class='notes']/ol/li")]
    notes_docx = docx_footnotes(built / f"{variant}.docx")
    assert notes_docx == notes_html
    # In the PDF each note sits at its page's foot, numbered "N. text".
    flat = " ".join(pdftotext(built / f"{variant}.pdf").split())
    for n, note in enumerate(notes_html, start=1):
        assert f"{n}. {note[:40]}" in flat
    extra = len(notes_html) + 1
    assert not any(f"{extra}. {note[:25]}" in flat for note in notes_html)


@pytest.mark.parametrize("variant", VARIANTS)
def test_formats_have_the_same_paragraph_count(built, variant):
    import docx
    from lxml import html

    article = html.parse(str(built / f"{variant}.html")).find(".//article")
    blocks = [el for el in article.iter("p", "li", "h1", "h2", "h3", "dd")
              if "marking" not in (el.get("class") or "")
              and el.getparent().get("class") != "notes" and not el.xpath("ancestor::section"
                                                                         "[@class='notes']")
              and not (el.tag == "li" and el.find("p") is not None)
              and not el.xpath("ancestor::ul[@class='decision']")]
    blocks += article.findall(".//ul[@class='decision']")  # one line of choices in Word
    doc = docx.Document(str(built / f"{variant}.docx"))
    assert len([p for p in doc.paragraphs if p.text.strip()]) == len(blocks)
