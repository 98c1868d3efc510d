"""Markings (memo.markings): the scale, each field's marking, the banner derived from what
a variant shows, portion marks, releasability, and a draft's DRAFT on every page. The
pure functions first, then the bundled memo as built, then content broken on purpose."""

from __future__ import annotations

import json
import subprocess
import zipfile

import docx
import pypdf
import pytest
from click.testing import CliRunner
from lxml import html

from memo import markings
from memo.cli import main
from memo.content import load_project
from memo.errors import ContentError

from .conftest import CONTENT, TEMPLATES, edit, line_of, need, pdftotext

SBU_NF = "SENSITIVE BUT UNCLASSIFIED//NOFORN // PREDECISIONAL — FOR DISCUSSION"
SBU = "SENSITIVE BUT UNCLASSIFIED // PREDECISIONAL — FOR DISCUSSION"
U = "UNCLASSIFIED // PREDECISIONAL — FOR DISCUSSION"
BANNERS = {"staff-en": SBU_NF, "principal-en": SBU, "congress-en": "UNCLASSIFIED",
           "partner-en": "UNCLASSIFIED // FOR DISCUSSION WITH PARTNER GOVERNMENTS",
           "partner-ko": "비밀 아님 // 협력국 정부와의 협의용",
           "partner-ja": "秘密指定なし // パートナー国政府との協議用"}


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def project():
    return load_project(CONTENT)


# -- the pure functions -------------------------------------------------------------------

def test_parse_reads_a_level_and_its_caveats_and_names_what_the_scale_lacks(project):
    scale = project.memo.markings
    m = markings.parse("SBU//NOFORN", scale)
    assert m == markings.Marking(1, frozenset({"NOFORN"}))
    assert m.portion(scale) == "SBU//NF"
    assert m.banner(scale, "en", "en") == "SENSITIVE BUT UNCLASSIFIED//NOFORN"
    assert m.banner(scale, "ko", "en") is None  # SBU has no Korean banner: never guessed
    assert markings.parse("U", scale).banner(scale, "ko", "en") == "비밀 아님"
    with pytest.raises(ValueError, match=r"'SECRET' is not a level .*levels: U, SBU"):
        markings.parse("SECRET", scale)
    with pytest.raises(ValueError, match=r"'NF' is not a caveat .*caveats: NOFORN"):
        markings.parse("SBU//NF", scale)


def test_highest_takes_the_top_level_and_every_caveat():
    got = markings.highest([markings.Marking(1), markings.Marking(0, frozenset({"X"})),
                            markings.Marking(0)])
    assert got == markings.Marking(1, frozenset({"X"}))
    assert markings.highest([]) == markings.Marking(0)
    assert markings.Marking(0, frozenset({"X"})).within(markings.Marking(1)) is False
    assert markings.Marking(1).within(markings.Marking(1, frozenset({"X"})))


def test_a_fields_marking_is_its_own_portion_else_the_innermost_items(project):
    scale = project.memo.markings
    risks = markings.of_field(project, "recommendations.yaml:recommendations."
                              "back-political-openings.risks")
    assert risks.marking.portion(scale) == "SBU//NF"
    assert risks.path == ("recommendations", 4, "portions", "risks")
    shared = markings.of_field(project, "recommendations.yaml:recommendations."
                               "back-political-openings.shared.action.ko")
    assert shared.marking == markings.Marking(0) and shared.src is None
    assert markings.of_field(project, "memo.yaml:summary").src is None


def test_an_inner_marking_holds_inside_it(content_copy):
    recs = content_copy / "recommendations.yaml"
    edit(recs, "  - id: back-political-openings\n",
          "  - id: back-political-openings\n    marking: SBU\n")
    edit(recs, "    shared:\n      title:\n        en: Support for the steps",
          "    shared:\n      marking: U\n      title:\n        en: Support for the steps")
    p = load_project(content_copy)
    scale, key = p.memo.markings, "recommendations.yaml:recommendations.back-political-openings."
    assert markings.of_field(p, key + "title").marking.level == 1
    assert markings.of_field(p, key + "risks").marking.portion(scale) == "SBU//NF"
    assert markings.of_field(p, key + "shared.title").marking.level == 0


def test_bad_markings_are_refused_where_they_are(content_copy):
    recs = content_copy / "recommendations.yaml"
    edit(recs, "portions: {risks: SBU//NOFORN}", "portions: {risk: SBU//NF}")
    edit(content_copy / "audiences" / "congress.yaml", "release: {max: SBU",
          "release: {max: TS")
    edit(content_copy / "audiences" / "staff.yaml", "detail: full\n",
          "detail: full\nmarking: UNCLASSIFIED // EYES ONLY\n")
    with pytest.raises(ContentError) as err:
        load_project(content_copy)
    text = str(err.value)
    line = line_of(recs, "portions: {risk: SBU//NF}")
    assert f"recommendations.yaml:{line}:" in text
    assert "'NF' is not a caveat of the scale in memo.yaml markings (caveats: NOFORN)" in text
    assert "portions: no field 'risk' here" in text
    assert "congress.yaml" in text and "'TS' is not a level" in text
    assert "staff.yaml" in text and "'UNCLASSIFIED' is derived from what each variant shows" \
        in text


def test_the_documents_text_carries_the_derived_banner(project):
    """Writers that read the HTML text (not the tree) get the stamped banner too, marked
    render or not."""
    from memo.render import render

    for marks in (True, False):
        doc = render(project, "principal", TEMPLATES, "en", marks=marks)
        assert f'<p class="marking">{SBU}</p>' in doc.html, marks
        assert "(SBU) " in doc.html


# -- the bundled memo, as built ------------------------------------------------------------

@pytest.mark.parametrize("variant", sorted(BANNERS))
def test_each_variants_banner_is_derived_in_every_format(built, variant):
    want = BANNERS[variant]
    pdf = built / f"{variant}.pdf"
    for page in range(1, len(pypdf.PdfReader(pdf).pages) + 1):
        lines = [ln.strip() for ln in pdftotext(pdf, "-f", str(page), "-l", str(page))
                 .splitlines() if ln.strip()]
        assert lines[0] == want, (page, lines[0])  # the top of every page
        assert any(ln.startswith(want) for ln in lines[-3:]), (page, lines[-3:])  # bottom
    word = docx.Document(str(built / f"{variant}.docx"))
    assert word.sections[0].header.paragraphs[0].text == want
    assert want in word.sections[0].footer.paragraphs[0].text
    page = html.fromstring((built / f"{variant}.html").read_bytes())
    assert [" ".join(p.text_content().split()) for p in page.find_class("marking")] \
        == [want, want]
    record = next(a for a in json.loads((built / "manifest.json").read_text())["artifacts"]
                  if a["variant"] == variant)
    assert record["marking"] == {SBU_NF: "SBU//NF", SBU: "SBU"}.get(want, "U")


def test_portion_marks_say_each_paragraphs_own_marking(built):
    text = " ".join(pdftotext(built / "staff-en.pdf").split())
    assert "(SBU//NF) Be ready to back political openings in Seoul and Tokyo." in text
    assert "(U) Revive a standing trilateral coordination group." in text
    principal = " ".join(pdftotext(built / "principal-en.pdf").split())
    assert "(SBU) 2. Settle host-nation support without brinkmanship." in principal
    assert "(U) 1. Reaffirm both alliances early" in principal
    paras = [p.text for p in docx.Document(str(built / "principal-en.docx")).paragraphs]
    assert any(p.startswith("(SBU) 2. Settle host-nation support") for p in paras)
    partner = pdftotext(built / "partner-en.pdf")  # the partner profile marks no portions
    assert "(U)" not in partner and "(SBU" not in partner


# -- content broken on purpose -------------------------------------------------------------

def test_the_banner_drops_when_the_only_sbu_item_is_left_out(content_copy, tmp_path):
    """The principal memo is SBU only because of recommendation 2: leave it out and the
    banner drops to UNCLASSIFIED by itself, in every format."""
    edit(content_copy / "audiences" / "principal.yaml", "settle-cost-sharing, ", "")
    out = tmp_path / "out"
    result = run("build", "-a", "principal", "--content", str(content_copy),
                 "--templates", str(TEMPLATES), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert pdftotext(out / "principal-en.pdf").splitlines()[0] == U
    assert docx.Document(str(out / "principal-en.docx")).sections[0].header \
        .paragraphs[0].text == U
    assert html.fromstring((out / "principal-en.html").read_bytes()) \
        .find_class("marking")[0].text_content() == U
    assert "(SBU)" not in pdftotext(out / "principal-en.pdf")


def test_noforn_content_never_reaches_the_partner_paper(content_copy, tmp_path):
    """A precedent marked NOFORN: every partner variant fails at the line that marks it,
    in English, Korean and Japanese, and no file of them is written or replaced; the
    audiences cleared for it still build."""
    out = tmp_path / "out"
    good = run("build", "-a", "partner", "-a", "staff", "--content", str(content_copy),
               "--templates", str(TEMPLATES), "--out", str(out))
    assert good.exit_code == 0, good.output
    before = {f.name: f.read_bytes() for f in out.glob("partner-*")}
    assert len(before) == 9
    precedents = content_copy / "precedents.yaml"
    edit(precedents, "  - id: clinton-1999\n", "  - id: clinton-1999\n"
          "    marking: SBU//NOFORN\n")
    line = line_of(precedents, "marking: SBU//NOFORN")
    result = run("build", "-a", "partner", "-a", "staff", "--content", str(content_copy),
                 "--templates", str(TEMPLATES), "--out", str(out))
    assert result.exit_code == 1
    for lang in ("en", "ko", "ja"):
        failed = next(ln for ln in result.output.splitlines()
                      if ln.startswith(f"failed: partner-{lang}: "))
        assert (f"precedents.yaml:{line}:14: precedents[2].marking: marked SBU//NF, but "
                "audience 'partner' may receive only up to U, no caveats") in failed
        assert f"must not reach partner-{lang}" in result.output
    assert {f.name: f.read_bytes() for f in out.glob("partner-*")} == before
    assert "staff-en: built" in result.output
    checked = run("check", "--content", str(content_copy), "--templates", str(TEMPLATES))
    assert checked.exit_code == 2 and checked.output.count("must not reach partner-") == 3
    assert "Traceback" not in checked.output + result.output


# -- a draft -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def draft(tmp_path_factory):
    """The bundled memo with status: draft, principal and partner built in every format."""
    import shutil

    root = tmp_path_factory.mktemp("draft")
    content = root / "content"
    shutil.copytree(CONTENT, content)
    edit(content / "memo.yaml", "status: final", "status: draft")
    result = run("build", "-a", "principal", "-a", "partner", "--content", str(content),
                 "--templates", str(TEMPLATES), "--out", str(root / "out"))
    assert result.exit_code == 0, result.output
    return root / "out"


@pytest.mark.parametrize("variant,word", [("principal-en", "DRAFT"), ("partner-ko", "초안"),
                                          ("partner-ja", "草案")])
def test_a_draft_says_so_on_every_page_of_every_format(draft, variant, word):
    reader = pypdf.PdfReader(draft / f"{variant}.pdf")
    assert [word in p.extract_text() for p in reader.pages] == [True] * len(reader.pages)
    assert reader.metadata.title.startswith(f"{word} — ")
    path = draft / f"{variant}.docx"
    with zipfile.ZipFile(path) as z:
        header = z.read("word/header1.xml").decode()
    assert f'string="{word}"' in header and "PowerPlusWaterMarkObject" in header
    assert docx.Document(str(path)).core_properties.content_status == "Draft"
    page = html.fromstring((draft / f"{variant}.html").read_bytes())
    first = page.find(".//article")[0]
    assert first.get("class") == "draft" and first.text == word
    assert page.find(".//meta[@name='memo.status']").get("content") == "draft"
    record = next(a for a in json.loads((draft / "manifest.json").read_text())["artifacts"]
                  if a["path"] == f"{variant}.pdf")
    assert record["status"] == "draft"


def test_the_final_memo_carries_no_draft_mark(built):
    assert "DRAFT" not in pdftotext(built / "principal-en.pdf")
    with zipfile.ZipFile(built / "principal-en.docx") as z:
        assert "PowerPlusWaterMarkObject" not in z.read("word/header1.xml").decode()
    assert docx.Document(str(built / "principal-en.docx")).core_properties.content_status \
        == "Final"


def test_libreoffice_takes_the_docx_watermark_as_its_own(draft, tmp_path):
    """LibreOffice, a reader we did not write, imports the header's shape as a watermark:
    its own document keeps it in the page style's header, with the word."""
    soffice = need("soffice")
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "odt", "--outdir", str(tmp_path),
                    str(draft / "principal-en.docx")], check=True, capture_output=True,
                   timeout=180)
    with zipfile.ZipFile(tmp_path / "principal-en.odt") as z:
        styles = z.read("styles.xml").decode()
    header = styles[styles.index("<style:header>"):styles.index("</style:header>")]
    assert 'draw:name="PowerPlusWaterMarkObject1"' in header and "DRAFT" in header


def test_a_redline_from_a_typed_banner_shows_the_derived_one(tmp_path):
    """An older memo typed its banner in memo.yaml (a field); the current one derives it
    (generated text). The redline's banner is the current one, once, top and bottom, and
    the typed one going is no change of substance."""
    import re
    import shutil

    old = tmp_path / "old"
    shutil.copytree(CONTENT, old)
    memo_yaml = old / "memo.yaml"
    text = memo_yaml.read_text("utf-8")
    text = re.sub(r"(?ms)^markings:\n.*?(?=^lang: )", "", text)
    memo_yaml.write_text(text.replace("  en: PREDECISIONAL — FOR DISCUSSION",
                                      "  en: UNCLASSIFIED // PREDECISIONAL — FOR DISCUSSION"),
                         "utf-8")
    for name in ("recommendations.yaml", "audiences/partner.yaml", "audiences/congress.yaml",
                 "audiences/staff.yaml", "audiences/principal.yaml"):
        f = old / name
        f.write_text(re.sub(r"(?m)^ *(portions|release|portion_marks|dissemination):.*\n",
                            "", f.read_text("utf-8")), "utf-8")
    assert load_project(old).memo.markings is None
    out = tmp_path / "red"
    result = run("redline", "--since", str(old), "--content", str(CONTENT), "--templates",
                 str(TEMPLATES), "--out", str(out), "-a", "principal")
    assert result.exit_code == 0, result.output
    pdf = pdftotext(out / "principal-en.redline.pdf")
    assert pdf.splitlines()[0] == SBU and "marking removed" not in pdf
    page = html.fromstring((out / "principal-en.redline.html").read_bytes())
    assert [p.text_content() for p in page.find_class("marking")] == [SBU, SBU]
    assert docx.Document(str(out / "principal-en.redline.docx")).sections[0].header \
        .paragraphs[0].text == SBU


def test_an_audience_with_a_release_limit_is_handed_only_files_within_it():
    from memo.markings import releasable

    project = load_project(CONTENT)
    names = ["memo.yaml", "recommendations.yaml", "precedents.yaml", "audiences/partner.yaml",
             "audiences/staff.yaml", "house.csl"]
    # recommendations.yaml marks items SBU and SBU//NOFORN; the partner may have U only;
    # another audience's profile and a file memo did not read are never handed over
    assert releasable(project, project.audiences["partner"], names) == {
        "memo.yaml", "precedents.yaml", "audiences/partner.yaml"}
    assert releasable(project, project.audiences["staff"], names) == set(names)
