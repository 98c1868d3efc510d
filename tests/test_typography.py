"""Typography per audience (a profile's ``typography``): the principal's memo is set in
Times New Roman, which the PDF embeds as Liberation Serif (free, with the same metrics)
and the DOCX names; the margins reach both; bad values are refused where they are."""

from __future__ import annotations

import json
import math
import subprocess
from collections import Counter
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.shared import Pt

from memo.build import build
from memo.cli import main
from memo.content import load_project
from memo.errors import MemoError, display_path
from memo.writers import typeface

from .conftest import CONTENT, TEMPLATES, need

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _principal_typography():
    ty = load_project(CONTENT).audiences["principal"].typography
    assert ty is not None and ty.face == "Times New Roman" and ty.size, ty
    return ty


def _pdf_fonts(pdf: Path) -> dict[str, list[str]]:
    out = subprocess.run([need("pdffonts"), str(pdf)], capture_output=True, text=True,
                         check=True).stdout.splitlines()[2:]
    return {line.split()[0].split("+")[-1]: line.split() for line in out}


def _text_sizes(pdf: Path) -> Counter:
    """(font, size in points) -> characters set in it, over every page."""
    from pypdf import PdfReader

    sizes: Counter = Counter()

    def visit(text, cm, tm, font, size):
        if text.strip() and font:
            scale = math.hypot(tm[0], tm[1]) * math.hypot(cm[0], cm[1])
            name = str(font.get("/BaseFont")).split("+")[-1]
            sizes[(name, round(size * scale, 2))] += len(text.strip())

    for page in PdfReader(str(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return sizes


def test_principal_pdf_embeds_liberation_serif_for_times_new_roman(built):
    ty = _principal_typography()
    fonts = _pdf_fonts(built / "principal-en.pdf")
    assert {"Liberation-Serif", "Liberation-Serif-Bold", "Liberation-Serif-Italic"} <= set(fonts)
    assert not [f for f in fonts if f.startswith(("Noto-Serif", "Times"))], sorted(fonts)
    assert all(cols[-5] == "yes" for cols in fonts.values()), "every font embedded"
    sizes = _text_sizes(built / "principal-en.pdf")
    (body, size), _ = max(sizes.items(), key=lambda kv: kv[1])  # most of the text
    assert (body, size) == ("Liberation-Serif", ty.size)
    # the headings keep the theme's proportion to the text: larger than it
    heading = max(s for (f, s) in sizes if f == "Noto-Sans-Bold")
    assert heading == pytest.approx(16 * ty.size / 10.5, abs=0.05)
    # and the manifest records the system's file the PDF embedded it from
    arts = {a["path"]: a for a in json.loads((built / "manifest.json").read_text())["artifacts"]}
    serif = next(f for f in arts["principal-en.pdf"]["fonts"] if f["name"] == "Liberation Serif")
    assert serif["origin"] == "system" and serif["file"] == "LiberationSerif-Regular.ttf"


def test_principal_docx_body_style_names_times_new_roman_at_the_size(built):
    ty = _principal_typography()
    word = docx.Document(str(built / "principal-en.docx"))
    normal = word.styles["Normal"]
    fonts = normal.element.rPr.find(f"{W}rFonts")
    assert {k: fonts.get(f"{W}{k}") for k in ("ascii", "hAnsi", "cs")} == dict.fromkeys(
        ("ascii", "hAnsi", "cs"), "Times New Roman")
    assert fonts.get(f"{W}eastAsia") == "Noto Serif"  # CJK text's face, left as it was
    assert not [a for a in fonts.attrib if a.endswith("Theme") or a.endswith("theme")]
    assert normal.font.size == Pt(ty.size)
    # the body's paragraphs take it from Normal, not run by run
    body = word.styles["Body Text"]
    assert body.base_style.name == "Normal" and body.font.name is None and body.font.size is None
    runs = [r for p in word.paragraphs if p.style.name == "Body Text" for r in p.runs]
    assert runs and all(r.font.name is None and r.font.size is None for r in runs)
    assert word.styles["Heading 1"].font.size > normal.font.size


def test_margins_reach_the_pdf_page_and_the_docx_section(content_copy, tmp_path):
    profile = content_copy / "audiences" / "principal.yaml"
    text = profile.read_text()
    old = next(line for line in text.splitlines() if line.startswith("typography:"))
    # no budget: the margins are under test, not the length
    text = text.replace(old, "typography: {face: Arial, size: 11, margins: 0.6in 0.8in 0.7in 1in}")
    profile.write_text(text.replace("budget: {pages: 2}\n", ""))
    result = build(content_copy, TEMPLATES, tmp_path / "out", audiences=["principal"],
                   languages=["en"], formats=["pdf", "docx"], jobs=1)
    assert result.ok, result.failures

    section = docx.Document(str(tmp_path / "out" / "principal-en.docx")).sections[0]
    assert (section.top_margin, section.right_margin, section.bottom_margin,
            section.left_margin) == (Pt(43.2), Pt(57.6), Pt(50.4), Pt(72))
    assert section.header_distance <= Pt(43.2) / 2  # the marking stays in its margin

    pdf = tmp_path / "out" / "principal-en.pdf"
    bbox = subprocess.run([need("pdftotext"), "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    from lxml import etree

    words = etree.fromstring(bbox.encode()).iter("{*}word")
    xs = [(float(w.get("xMin")), float(w.get("xMax"))) for w in words]
    assert min(x for x, _ in xs) == pytest.approx(72, abs=0.5)  # left: 1in
    assert max(x for _, x in xs) <= 612 - 57.6 + 0.5  # right: 0.8in, page number included
    assert "Liberation-Sans" in _pdf_fonts(pdf)  # Arial's free stand-in


def test_substitutes_are_the_metric_compatible_free_faces():
    assert typeface.substitute("Times New Roman") == "Liberation Serif"
    assert typeface.substitute("  times   new ROMAN ") == "Liberation Serif"
    assert typeface.substitute("Arial") == "Liberation Sans"
    assert typeface.substitute("Courier New") == "Liberation Mono"
    assert typeface.substitute("Liberation Serif") is None  # free: embedded as named
    assert typeface.Typography(face="Georgia Pro").pdf_face == "Georgia Pro"
    css = typeface.pdf_css(typeface.Typography("Times New Roman", 14, (72, 72, 72, 72)))
    assert 'font-family: "Liberation Serif", var(--serif, serif)' in css
    assert "font-size: 14pt" in css and "@page { margin: 72pt 72pt 72pt 72pt; }" in css


def test_a_pdf_without_the_face_asked_for_is_refused():
    with pytest.raises(MemoError, match="Liberation Serif is not installed: install "
                                        "fonts-liberation2"):
        typeface.check_embedded(typeface.Typography("Times New Roman"), {"Noto Serif"})
    with pytest.raises(MemoError, match="the body face Garamond Pro is not installed"):
        typeface.check_embedded(typeface.Typography("Garamond Pro"), {"Noto Serif"})
    typeface.check_embedded(typeface.Typography("Times New Roman"), {"liberation serif"})


@pytest.mark.parametrize("text,sides", [
    ("1in", (72, 72, 72, 72)), ("2.54cm 36pt", (72, 36, 72, 36)),
    ("1in 0.5in 25.4mm", (72, 36, 72, 36)), ("1in .5in 0.75in 2in", (72, 36, 54, 144)),
])
def test_margins_read_as_css_does(text, sides):
    assert typeface.parse_margins(text) == pytest.approx(sides)


def test_theme_sizes_scale_with_the_body_and_nothing_else_does():
    sheet = ("body { font-size: 10.5pt; margin: 10pt } h2 { font-size: 12pt } "
             "p.rationale { font-size: 0.9em } p.draft { font-size: 120pt } "
             "@page { @top-center { font-size: 7.5pt } }")
    assert typeface.body_size([sheet]) == 10.5
    out = typeface.scaled_theme([sheet], 14)[0]
    assert "font-size: 14pt; margin: 10pt" in out and "h2 { font-size: 16pt }" in out
    assert "0.9em" in out and "120pt" in out and "font-size: 10pt }" in out


# (YAML of the typography, where the error points, the field, the message)
BAD = [
    ("{face: Times New Roman, margins: 1 inch}", "margins", "typography.margins",
     "expected one to four lengths like 1in, 2.5cm, 25mm or 72pt (top, right, bottom, "
     "left, as in CSS)"),
    ("{face: Times New Roman, margins: 4in}", "margins", "typography.margins",
     "a margin of 4in is not between 0.25in and 3in"),
    ("{face: Times New Roman, margins: 72}", "margins", "typography.margins",
     "expected lengths with their unit, like 1in, 2.5cm, 25mm or 72pt"),
    ("{face: Times New Roman, size: 30}", "size", "typography.size",
     "expected a size in points from 8 to 24, in steps of 0.5, like 12 or 10.5"),
    ("{face: 'Times; color: red', size: 12}", "face", "typography.face",
     "expected a font's family name, like Times New Roman: letters, digits, spaces and "
     "- . ' & +, at most 64 characters"),
]


@pytest.mark.parametrize("yaml,needle,field,message", BAD, ids=[b[0] for b in BAD])
def test_bad_typography_is_reported_at_its_place(content_copy, yaml, needle, field, message):
    profile = content_copy / "audiences" / "principal.yaml"
    lines = profile.read_text().splitlines()
    n = next(i for i, line in enumerate(lines) if line.startswith("typography:"))
    lines[n] = f"typography: {yaml}"
    profile.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(main, ["check", "--content", str(content_copy)])
    assert result.exit_code == 2, result.output
    col = lines[n].index(needle + ":") + len(needle) + 3  # the value, after "key: "
    expected = f"{display_path(profile)}:{n + 1}:{col}: {field}: {message}"
    assert expected in result.stderr.splitlines(), result.stderr
