"""Korean and Japanese variants, read back as a reader would: glyphs from the named CJK
faces embedded in the PDF, w:eastAsia fonts and w:lang in the DOCX, lang on the HTML,
dates written the local way, and text that is the translation, never English."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree, html

from .conftest import need, pdftotext

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CJK = {"ko": "KR", "ja": "JP"}
TITLE = {"partner-ko": "세 나라, 공동의 의제", "partner-ja": "三か国、共通の議題"}
DATE = {"ko": "2021년 2월 8일", "ja": "2021年2月8日"}
PAGE = {"ko": "1 / 1쪽", "ja": "1 / 1ページ"}
# Korean and Japanese are built for the readers who read them: counterparts in Seoul and Tokyo
CJK_VARIANTS = [f"partner-{lang}" for lang in ("ko", "ja")]


def pdf_fonts(path: Path) -> dict[str, list[str]]:
    exe = need("pdffonts")
    out = subprocess.run([exe, str(path)], capture_output=True, text=True, check=True)
    return {line.split()[0].split("+")[-1]: line.split() for line in out.stdout.splitlines()[2:]}


@pytest.mark.parametrize("variant", CJK_VARIANTS)
def test_pdf_embeds_the_cjk_face_for_its_language_and_no_fallback(built, variant):
    lang = variant.rsplit("-", 1)[1]
    fonts = pdf_fonts(built / f"{variant}.pdf")
    # Latin from the vendored Noto; everything else from the language's Noto CJK face.
    # A fallback face (pango picking any font with the glyph) would show up here.
    allowed = re.compile(rf"^Noto-(Serif|Sans)(-CJK-{CJK[lang]})?(-Bold|-Italic)?$")
    assert all(allowed.match(name) for name in fonts), sorted(fonts)
    assert f"Noto-Serif-CJK-{CJK[lang]}" in fonts and f"Noto-Sans-CJK-{CJK[lang]}-Bold" in fonts
    assert all(cols[-5] == "yes" for cols in fonts.values()), "every font embedded"


@pytest.mark.parametrize("variant", CJK_VARIANTS)
def test_pdf_text_is_the_translation_with_local_dates(built, variant):
    lang = variant.rsplit("-", 1)[1]
    text = pdftotext(built / f"{variant}.pdf")
    flat = "".join(text.split())  # pdftotext breaks CJK lines anywhere
    assert "".join(TITLE[variant].split()) in flat
    assert "".join(DATE[lang].split()) in flat
    assert "".join(PAGE[lang].split()) in flat
    assert "\ufffd" not in text and "Memorandum" not in text and "Bottom Line" not in text


@pytest.mark.parametrize("lang", ["ko", "ja"])
def test_every_cjk_character_has_a_glyph(built, lang):
    """No tofu: each character of the text is in the CJK face the PDF embeds."""
    from fontTools.ttLib import TTCollection

    fc = need("fc-match")
    face = subprocess.run([fc, "-f", "%{file}", f"Noto Serif CJK {CJK[lang]}"],
                          capture_output=True, text=True, check=True).stdout
    assert face.endswith(".ttc"), f"Noto Serif CJK {CJK[lang]} is installed ({face})"
    collection = TTCollection(face)
    font = next(f for f in collection.fonts if f"CJK {CJK[lang]}" in f["name"].getDebugName(1))
    cmap = font.getBestCmap()
    text = pdftotext(built / f"partner-{lang}.pdf")
    cjk = {c for c in text if ord(c) >= 0x2E80}
    assert len(cjk) > 100
    assert not sorted(c for c in cjk if ord(c) not in cmap)


@pytest.mark.parametrize("variant", CJK_VARIANTS)
def test_docx_sets_east_asian_fonts_and_language(built, variant):
    lang = variant.rsplit("-", 1)[1]
    with zipfile.ZipFile(built / f"{variant}.docx") as z:
        styles = etree.fromstring(z.read("word/styles.xml"))
        body = etree.fromstring(z.read("word/document.xml"))
        footer = etree.fromstring(z.read("word/footer1.xml"))
    defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    assert defaults.find(f"{W}lang").get(f"{W}eastAsia") == {"ko": "ko-KR", "ja": "ja-JP"}[lang]
    assert defaults.find(f"{W}rFonts").get(f"{W}eastAsia") == f"Noto Serif CJK {CJK[lang]}"
    east = {f.get(f"{W}eastAsia") for f in styles.iter(f"{W}rFonts")} - {None}
    assert east == {f"Noto Serif CJK {CJK[lang]}", f"Noto Sans CJK {CJK[lang]}"}
    text = "".join(t.text or "" for t in body.iter(f"{W}t"))
    assert TITLE[variant] in text and DATE[lang] in text
    foot = "".join(t.text or "" for t in footer.iter(f"{W}t"))
    assert PAGE[lang].split("1")[-1].strip() in foot  # the page counter's own words


@pytest.mark.parametrize("variant", CJK_VARIANTS)
def test_html_declares_its_language(built, variant):
    lang = variant.rsplit("-", 1)[1]
    tree = html.parse(str(built / f"{variant}.html"))
    assert tree.getroot().get("lang") == lang
    assert tree.findtext(".//title").startswith(TITLE[variant])
    assert tree.find(".//time").text == DATE[lang]


def test_cjk_docx_keeps_its_budget_in_libreoffice(built, tmp_path):
    exe = need("soffice")
    for variant in CJK_VARIANTS:
        proc = subprocess.run(
            [exe, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to",
             "pdf", "--outdir", str(tmp_path), str(built / f"{variant}.docx")],
            capture_output=True, text=True, timeout=180)
        pdf = tmp_path / f"{variant}.pdf"
        assert proc.returncode == 0 and pdf.is_file(), proc.stderr
        lang = variant.rsplit("-", 1)[1]
        flat = "".join(pdftotext(pdf).split())
        assert "".join(TITLE[variant].split()) in flat
        assert "".join(PAGE[lang].split()) in flat  # one page, fields evaluated
        fonts = pdf_fonts(pdf)
        assert any("CJK" in name for name in fonts), sorted(fonts)


# -- Korean and Japanese as Seoul and Tokyo write them ----------------------------------

def _rendered(lang: str):
    from memo.content import load_project
    from memo.render import render

    from .conftest import CONTENT, TEMPLATES

    doc = render(load_project(CONTENT), "partner", TEMPLATES, lang)
    notes = ["".join(n.itertext()) for n in doc.tree.iterfind(".//span[@class='footnote']")]
    text = "".join(doc.article.xpath(".//text()[not(ancestor::span[@class='footnote'])]"))
    return text, notes


@pytest.mark.parametrize("lang,head,stop,ibid", [
    # a year range written short, with the language's own dash; a run-in heading ends
    # in the language's stop, and only spaced languages put a space after it
    ("en", "Reagan, 1983–1984. Political will", ".", "Ibid."),
    ("ko", "레이건 행정부(1983~84년): 한일 양국의", ".", "위의 글."),
    ("ja", "レーガン政権（1983～84年）：日韓両国の", "。", "同上。"),
])
def test_years_run_in_heads_and_notes_in_each_language(lang, head, stop, ibid):
    text, notes = _rendered(lang)
    assert head in text
    # (a period goes inside a closing quotation mark, U.S. style; 。 never does)
    assert notes and all(n.endswith((stop, stop + "”")) for n in notes), notes
    assert ibid in notes
    if lang == "ja":
        assert "： " not in text and "】 " not in text and "." not in "".join(notes)[-2:]


def test_the_japanese_pdf_and_docx_end_their_notes_with_the_japanese_stop(built):
    flat = "".join(pdftotext(built / "partner-ja.pdf").split())
    assert "同上。" in flat and "同上." not in flat
    assert "（1983～84年）" in flat and "（1983–1984年）" not in flat
    with zipfile.ZipFile(built / "partner-ja.docx") as z:
        notes = etree.fromstring(z.read("word/footnotes.xml"))
    texts = ["".join(t.text or "" for t in n.iter(f"{W}t")) for n in notes.iter(f"{W}footnote")
             if n.get(f"{W}type") is None]
    assert texts and all(t.rstrip().endswith("。") for t in texts), texts


def test_the_partner_paper_calls_the_record_shared(built):
    """The profile names the heading's label (headings: {precedents: shared-record})."""
    import yaml

    from .conftest import TEMPLATES

    labels = yaml.safe_load((TEMPLATES / "labels.yaml").read_text("utf-8"))["shared-record"]
    for lang in ("en", "ko", "ja"):
        tree = html.parse(str(built / f"partner-{lang}.html"))
        assert tree.findtext(".//h2[@id='precedents-h']") == labels[lang]
    assert html.parse(str(built / "staff-en.html")).findtext(
        ".//h2[@id='precedents-h']") == "Historical Precedents"
