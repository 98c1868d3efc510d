"""The precedents' timeline: generated from the content, vector in the PDF and HTML, a PNG
in the DOCX, with alternative text in every format; a profile turns it on or off."""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile

import pytest
from click.testing import CliRunner
from lxml import etree, html

from memo.cli import main
from memo.figures import _wrap

from .conftest import structure_elements

ALT = ("Timeline of the precedents: Johnson, 1965: Normalization: the 1965 Treaty on Basic "
       "Relations; Reagan, 1983–1984: Rapprochement: the Chun–Nakasone summits; Clinton, "
       "1994–1999: Institutionalization: the Perry Process and the TCOG")


def figure_alts(pdf_path) -> list[str]:
    """The alternative text of every /Figure in the PDF's structure tree."""
    import pikepdf

    with pikepdf.open(pdf_path) as pdf:
        return [str(el.get("/Alt", "")) for el in structure_elements(pdf)
                if el.get("/S") == "/Figure"]


@pytest.mark.parametrize("variant", ["staff-en", "congress-en"])
def test_timeline_in_every_format_with_alt_text(built, variant):
    # HTML: an SVG image, drawn from the content, with the alt text
    img = html.parse(str(built / f"{variant}.html")).find(".//img[@class='timeline']")
    assert img is not None and img.get("alt") == ALT
    svg = etree.fromstring(base64.b64decode(img.get("src").split(",", 1)[1]))
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert {"Johnson, 1965", "Reagan, 1983–1984", "Clinton, 1994–1999"} <= set(texts)
    assert {"1960", "1970", "1980", "1990", "2000"} <= set(texts)
    assert svg.findtext("{http://www.w3.org/2000/svg}title") == ALT

    # PDF: tagged as a figure, with the same alt text
    assert figure_alts(built / f"{variant}.pdf") == [ALT]

    # DOCX: a PNG at print resolution, described by the alt text
    from PIL import Image

    with zipfile.ZipFile(built / f"{variant}.docx") as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        assert len(media) == 1 and media[0].endswith(".png")
        png = Image.open(io.BytesIO(z.read(media[0])))
        body = z.read("word/document.xml").decode()
    assert png.width >= 1300  # 6.7 in at 200 dpi
    assert f'descr="{ALT}"' in body


def test_audiences_without_the_section_have_no_timeline(built):
    for variant in ("principal-en", "partner-ko"):
        assert html.parse(str(built / f"{variant}.html")).find(".//img") is None
        assert figure_alts(built / f"{variant}.pdf") == []


def test_a_profile_turns_the_timeline_off(content_copy, tmp_path):
    staff = content_copy / "audiences" / "staff.yaml"
    staff.write_text(staff.read_text().replace("current, timeline, precedents",
                                               "current, precedents"))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "-a", "staff", "-f", "html", "--content",
                                       str(content_copy), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert html.parse(str(out / "staff-en.html")).find(".//img") is None


def test_a_korean_timeline_is_drawn_with_korean_faces(content_copy, tmp_path):
    """Turned on for the Korean partner paper: Korean labels in the SVG, no missing glyph
    in the PDF (the build refuses those), and a PNG drawn with Noto Sans CJK KR."""
    partner = content_copy / "audiences" / "partner.yaml"
    partner.write_text(partner.read_text().replace("sections: [framing, precedents,",
                                                   "sections: [framing, timeline, precedents,"))
    out = tmp_path / "out"
    args = ["build", "-a", "partner", "-l", "ko", "--content", str(content_copy), "--out",
            str(out)]
    untranslated = CliRunner().invoke(main, args)  # the titles it now prints lack Korean
    assert untranslated.exit_code == 1
    assert "precedents[0].title: no Korean text (ko)" in untranslated.stderr
    precedents = content_copy / "precedents.yaml"
    text = precedents.read_text()
    for en, ko in [("Normalization: the 1965 Treaty on Basic Relations", "국교 정상화"),
                   ("Rapprochement: the Chun–Nakasone summits", "관계 개선"),
                   ("Institutionalization: the Perry Process and the TCOG", "제도화")]:
        text = text.replace(f'title: "{en}"', f'title: {{en: "{en}", ko: "{ko}"}}')
    precedents.write_text(text)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    img = html.parse(str(out / "partner-ko.html")).find(".//img[@class='timeline']")
    svg = etree.fromstring(base64.b64decode(img.get("src").split(",", 1)[1]))
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "존슨 행정부(1965년)" in texts
    assert img.get("alt").startswith("선례 연표: 존슨 행정부(1965년)")
    assert figure_alts(out / "partner-ko.pdf") == [img.get("alt")]
    with zipfile.ZipFile(out / "partner-ko.docx") as z:
        assert [n for n in z.namelist() if n.startswith("word/media/")]

    # Hangul in a Japanese or Chinese face takes that region's glyph shapes and metrics:
    # legible, but not what a Korean reader expects, and laid out for other widths.
    korean = [t for t in svg.iter("{http://www.w3.org/2000/svg}text") if HANGUL.search(t.text)]
    assert len(korean) >= 4  # the three titles and the label "존슨 행정부(1965년)"
    for t in korean:  # SVG: the first CJK face the text falls back to is the Korean one
        cjk = [f.strip() for f in t.get("font-family").split(",") if "CJK" in f]
        assert cjk[:1] == ["Noto Sans CJK KR"], t.get("font-family")
    # PDF: the face WeasyPrint actually drew each Korean label with
    drawn = pdf_faces(out / "partner-ko.pdf", {(t.text, float(t.get("font-size")))
                                               for t in korean})
    assert set(drawn) == {t.text for t in korean}, drawn
    assert all(face.startswith("Noto-Sans-CJK-KR") for faces in drawn.values()
               for face in faces), drawn
    # DOCX: the PNG's faces, as the manifest records the fonts its bytes depend on
    manifest = json.loads((out / "manifest.json").read_text())
    docx = next(a for a in manifest["artifacts"] if a["path"] == "partner-ko.docx")
    assert sorted(f["name"] for f in docx["fonts"]) == ["Noto Sans CJK KR",
                                                         "Noto Sans CJK KR Bold"]


HANGUL = re.compile("[\uac00-\ud7a3]")


def pdf_faces(pdf_path, labels: set[tuple[str, float]]) -> dict[str, set[str]]:
    """For each (text, size) label, the fonts (subset prefix dropped) of the PDF's text
    runs that are Hangul pieces of it at its size: the figure's, not the body's."""
    from pypdf import PdfReader

    out: dict[str, set[str]] = {}

    def visit(text, cm, tm, font, size):
        piece = text.strip()
        if not font or not HANGUL.search(piece):
            return
        for label, label_size in labels:
            if piece in label and abs(size - label_size) < 0.01:
                out.setdefault(label, set()).add(str(font["/BaseFont"]).split("+", 1)[-1])

    for page in PdfReader(str(pdf_path)).pages:
        page.extract_text(visitor_text=visit)
    return out


# _wrap with len() as the measure: one unit a character, so each case is counted by eye.

@pytest.mark.parametrize("text,width,lines", [
    ("Normalization", 20, ["Normalization"]),
    ("aa bb cc", 5, ["aa bb", "cc"]),               # exactly the width still fits
    ("aa bb cc", 4, ["aa", "bb", "cc"]),
    ("  aa \n\t bb  ", 10, ["aa bb"]),              # any run of white space is one space
    ("Institutionalization: the TCOG", 8, ["Institutionalization:", "the TCOG"]),
    ("", 10, []),
    ("   ", 10, []),
])
def test_wrapping_a_label(text, width, lines):
    assert _wrap(text, width, len) == lines


def test_a_label_wraps_to_three_lines_at_most_and_the_rest_is_dropped():
    assert _wrap("one two three four five", 5, len) == ["one", "two", "three"]


def test_a_word_wider_than_the_column_is_kept_whole_on_a_line_of_its_own():
    assert _wrap("a Rapprochement b", 3, len) == ["a", "Rapprochement", "b"]
    assert _wrap("Rapprochement", 3, len) == ["Rapprochement"]  # no empty line before it
