"""Word opens every DOCX as it is, without offering to repair it (issue 11): each variant,
the built-in reference.docx, and a DOCX made from a project's reference.docx saved by Word
2010, all checked by openxml-audit (tests/ooxml_check.py)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from .conftest import CONTENT, TEMPLATES
from .ooxml_check import built_docx, check_docx, findings
from .test_outputs import VARIANTS

EFFECTS = "word/stylesWithEffects.xml"


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_variant_opens_in_word_as_is(built, variant):
    path = built / f"{variant}.docx"
    check_docx(path)
    with zipfile.ZipFile(path) as z:
        assert EFFECTS not in z.namelist()


def test_the_check_finds_every_built_docx(built):
    # the conftest hook finds a test's DOCX the same way: through the manifest
    assert sorted(p.name for p in built_docx(built)) == sorted(f"{v}.docx" for v in VARIANTS)


def test_reference_docx_is_valid_and_what_the_code_makes(tmp_path):
    from memo.writers.reference import build

    committed = TEMPLATES / "reference.docx"
    check_docx(committed)
    build(tmp_path / "reference.docx")
    with zipfile.ZipFile(committed) as a, zipfile.ZipFile(tmp_path / "reference.docx") as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        stale = [n for n in a.namelist() if a.read(n) != b.read(n)]
    assert not stale, f"regenerate: python -m memo.writers.reference {committed} ({stale})"
    # the builder's zip is reproducible too: the same file, byte for byte
    assert committed.read_bytes() == (tmp_path / "reference.docx").read_bytes()


def _with_word_2010_styles(ref: Path) -> None:
    """Give ``ref`` the stylesWithEffects part Word 2010 saves: python-docx's own template
    carries one, from before memo's styles were added, so it is stale as Word 2010's
    would be after any edit outside Word."""
    import docx

    stock = Path(docx.__file__).parent / "templates" / "default.docx"
    with zipfile.ZipFile(stock) as z:
        effects = z.read(EFFECTS)
    with zipfile.ZipFile(ref) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts[EFFECTS] = effects
    parts["word/_rels/document.xml.rels"] = parts["word/_rels/document.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rId90" Type="http://schemas.microsoft.com/office/2007/'
        b'relationships/stylesWithEffects" Target="stylesWithEffects.xml"/></Relationships>')
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/word/stylesWithEffects.xml" '
        b'ContentType="application/vnd.ms-word.stylesWithEffects+xml"/></Types>')
    with zipfile.ZipFile(ref, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_a_project_reference_docx_from_word_2010_gives_a_clean_docx(tmp_path):
    from memo.cli import main

    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    _with_word_2010_styles(templates / "reference.docx")
    assert any("not in stylesWithEffects" in f for f in findings(templates / "reference.docx"))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "-a", "staff", "-f", "docx", "--content",
                                       str(CONTENT), "--templates", str(templates),
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    check_docx(out / "staff-en.docx")
    with zipfile.ZipFile(out / "staff-en.docx") as z:
        assert EFFECTS not in z.namelist()
        assert b"stylesWithEffects" not in z.read("[Content_Types].xml")
