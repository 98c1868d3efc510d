"""Fonts are inputs: each artifact records the font files it was made with, a changed
system font rebuilds what used it, and memo verify names a font as the cause."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from memo import fontconfig, fonts
from memo.errors import MemoError
from memo.release import font_changes, tool_changes

from .conftest import CONTENT, ROOT, TEMPLATES, need


def _manifest(out: Path) -> dict[str, dict]:
    return {a["path"]: a for a in json.loads((out / "manifest.json").read_text())["artifacts"]}


def test_a_korean_pdf_records_the_font_files_it_embeds(built):
    fc = need("fc-match")
    arts = _manifest(built)
    ko = {f["name"]: f for f in arts["partner-ko.pdf"]["fonts"]}
    for face in ("Noto Sans CJK KR", "Noto Serif CJK KR"):
        rec = ko[face]
        path, index = subprocess.run([fc, "-f", "%{file}|%{index}", face], check=True,
                                     capture_output=True, text=True).stdout.split("|")
        assert rec["origin"] == "system" and rec["file"] == Path(path).name
        assert rec["sha256"] == hashlib.sha256(Path(path).read_bytes()).hexdigest()
        assert rec["version"].startswith("Version ")
    assert ko["Noto Serif Regular"]["origin"] == "theme"
    assert ko["Noto Serif Regular"]["file"] == "fonts/NotoSerif-Regular.ttf"
    assert ko["Noto Serif Regular"]["sha256"] == hashlib.sha256(
        (TEMPLATES / "fonts" / "NotoSerif-Regular.ttf").read_bytes()).hexdigest()
    assert {f["origin"] for f in arts["partner-en.pdf"]["fonts"]} == {"theme"}
    assert arts["partner-ko.html"]["fonts"] == [], "no figure: the HTML names fonts only"
    # the staff memo's timeline was measured with the theme's Noto Sans, in every format
    staff = [{f["name"] for f in arts[f"staff-en.{x}"]["fonts"]} for x in ("docx", "html")]
    assert staff[0] == staff[1] == {"Noto Sans Regular", "Noto Sans Bold"}


def test_a_changed_system_font_rebuilds_only_what_used_it(tmp_path):
    from memo.build import build

    out = tmp_path / "out"

    def statuses():
        result = build(CONTENT, TEMPLATES, out, audiences=["partner"], languages=["en", "ko"],
                       formats=["pdf"], jobs=1)
        assert result.ok, result.failures
        return {o.variant: o.status for o in result.outcomes}

    assert statuses() == {"partner-en": "built", "partner-ko": "built"}
    assert statuses() == {"partner-en": "skipped", "partner-ko": "skipped"}
    # this machine's CJK face moves to a copy of itself: hashed again, found the same
    doc = json.loads((out / fonts.LOCAL).read_text())
    key, where = next(iter(doc["fonts"].items()))
    copy = tmp_path / Path(where["path"]).name
    shutil.copyfile(where["path"], copy)
    where["path"] = str(copy)
    (out / fonts.LOCAL).write_text(json.dumps(doc))
    assert statuses() == {"partner-en": "skipped", "partner-ko": "skipped"}
    # then another version of it is installed there: the Korean paper is rebuilt
    with open(copy, "ab") as f:
        f.write(b"\0")
    assert statuses() == {"partner-en": "skipped", "partner-ko": "built"}


FONTS_CONF = (
    '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
    '<fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
    '<match target="pattern"><test name="family"><string>Noto Sans CJK KR</string>'
    '</test><edit name="family" mode="assign" binding="strong">'
    "<string>Noto Sans CJK JP</string></edit></match></fontconfig>")
"""A machine whose fontconfig gives the Japanese face for Korean sans-serif text."""


def test_another_fontconfig_answer_rebuilds_what_used_a_system_font(tmp_path):
    """The font files are the same, but fontconfig would now give another face: a build
    in that state must not call the Korean paper up to date, nor when it is undone."""
    need("fc-match")
    conf = tmp_path / "fonts.conf"
    conf.write_text(FONTS_CONF)
    out = tmp_path / "out"

    def statuses(env: dict) -> dict[str, str]:
        proc = subprocess.run(
            [sys.executable, "-m", "memo", "build", "-a", "partner", "-l", "en", "-l", "ko",
             "-f", "pdf", "--jobs", "1", "--content", CONTENT, "--templates", TEMPLATES,
             "--out", out], capture_output=True, text=True, env={**os.environ, **env})
        assert proc.returncode == 0, proc.stderr
        return {line.split()[0]: line.split()[1] for line in proc.stdout.splitlines()[1:-1]}

    assert statuses({}) == {"partner-en": "built", "partner-ko": "built"}
    swapped = statuses({"FONTCONFIG_FILE": str(conf)})
    assert swapped == {"partner-en": "skipped", "partner-ko": "built"}
    ko = {f["name"] for f in _manifest(out)["partner-ko.pdf"]["fonts"]}
    assert "Noto Sans CJK JP" in ko and "Noto Sans CJK KR" not in ko
    assert statuses({}) == {"partner-en": "skipped", "partner-ko": "built"}
    assert statuses({}) == {"partner-en": "skipped", "partner-ko": "skipped"}


def test_a_face_of_any_weight_is_found_once_and_then_up_to_date(tmp_path):
    """A stylesheet asking for a light weight of a system family: the face is told by
    its file, so the next build finds nothing to do."""
    need("fc-match")
    from memo.build import build

    if not [f for f in fontconfig.faces("DejaVu Sans") if f.style == "ExtraLight"]:
        pytest.fail("DejaVu Sans ExtraLight (fonts-dejavu-core) is not installed")
    own = tmp_path / "templates" / "css"
    own.mkdir(parents=True)
    (own / "print.css").write_text((TEMPLATES / "css" / "print.css").read_text()
                                   + '\nh1 { font-family: "DejaVu Sans"; font-weight: 200; }\n')
    out = tmp_path / "out"
    first = build(CONTENT, tmp_path / "templates", out, audiences=["partner"], languages=["en"],
                  formats=["pdf"], jobs=1)
    light = [f for f in first.artifacts[0].fonts if f["name"] == "DejaVu Sans ExtraLight"]
    assert light and light[0]["file"] == "DejaVuSans-ExtraLight.ttf", first.artifacts[0].fonts
    again = build(CONTENT, tmp_path / "templates", out, audiences=["partner"], languages=["en"],
                  formats=["pdf"], jobs=1)
    assert [o.status for o in again.outcomes] == ["skipped"]


def test_a_font_checker_knows_a_file_by_its_hash(tmp_path):
    face = tmp_path / "face.otf"
    face.write_bytes(b"font one")
    rec = [{"name": "Face", "sha256": fonts.sha256_file(face), "origin": "system",
            "index": 0}]
    key = f"{rec[0]['sha256']}:0"
    assert not fonts.Checker(tmp_path).unchanged(rec), "never seen here: rebuild"
    fonts.remember(tmp_path, {key: str(face)})
    assert fonts.Checker(tmp_path).unchanged(rec)
    assert fonts.Checker(tmp_path).unchanged([{**rec[0], "origin": "theme",
                                               "sha256": "other"}]), "the theme hash has it"
    os.utime(face, ns=(2, 2))  # touched, same bytes: hashed once more, then remembered
    checker = fonts.Checker(tmp_path)
    assert checker.unchanged(rec) and checker.moved == {key: str(face)}
    face.write_bytes(b"font two")
    os.utime(face, ns=(1, 1))
    assert not fonts.Checker(tmp_path).unchanged(rec)
    face.unlink()
    assert not fonts.Checker(tmp_path).unchanged(rec)
    face.write_bytes(b"font one")
    fonts.remember(tmp_path, {key: str(face)})
    assert fonts.Checker(tmp_path).unchanged(rec)
    doc = json.loads((tmp_path / fonts.LOCAL).read_text())
    (tmp_path / fonts.LOCAL).write_text(json.dumps({**doc, "fontconfig": "another state"}))
    assert not fonts.Checker(tmp_path).unchanged(rec), "fontconfig may answer otherwise now"


def test_verify_names_a_font_that_differs_as_the_cause(tmp_path):
    """Another machine whose fontconfig gives the Japanese face for Korean sans text: the
    Korean PDFs differ, and verify says which fonts."""
    need("fc-match")
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    run = [sys.executable, "-m", "memo"]
    made = subprocess.run([*run, "release", "--version", "f1", "--content", content,
                           "--templates", TEMPLATES, "--out", tmp_path / "dist"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    conf = tmp_path / "fonts.conf"
    conf.write_text(FONTS_CONF)
    checked = subprocess.run([*run, "verify", tmp_path / "dist" / "memo-f1.zip", "--content",
                              content, "--templates", TEMPLATES], capture_output=True,
                             text=True, cwd=tmp_path,
                             env={**os.environ, "FONTCONFIG_FILE": str(conf)})
    assert checked.returncode == 1, checked.stdout + checked.stderr
    differs = [line for line in checked.stdout.splitlines() if line.startswith("DIFFERS")]
    assert [line.split()[1] for line in differs] == ["partner-ko.pdf"]
    assert all("fonts: the release used Noto Sans CJK KR, Noto Sans CJK KR Bold; this "
               "machine used Noto Sans CJK JP, Noto Sans CJK JP Bold instead" in line
               for line in differs)


def test_font_and_tool_changes_in_words():
    a = {"name": "Noto Sans CJK KR", "file": "NotoSansCJK-Regular.ttc", "sha256": "a" * 64,
         "version": "Version 2.004;hotconv 1.0.118", "origin": "system"}
    b = {**a, "sha256": "b" * 64, "version": "Version 2.001;hotconv 1.1.0"}
    assert font_changes([a], [b]) == [
        "font Noto Sans CJK KR: the release used NotoSansCJK-Regular.ttc Version 2.004 "
        f"(sha256 {'a' * 12}…), this machine has NotoSansCJK-Regular.ttc Version 2.001 "
        f"(sha256 {'b' * 12}…)"]
    assert font_changes([a], [a]) == []
    assert font_changes(None, [b]) == [], "a release from before fonts were recorded"
    assert font_changes([a], []) == ["fonts: the release used Noto Sans CJK KR"]
    assert tool_changes({"weasyprint": "70.0", "python": "3.11.7"},
                        "memo=1.0;weasyprint=71.0") == [
        "weasyprint 70.0 made the release, this machine has 71.0"]
    assert tool_changes(None, "memo=1.0") == []


def test_fontconfig_answers_in_process_as_its_commands_do():
    """The library binding and the fc-match/fc-list fallback give the same faces."""
    need("fc-match")
    library, commands = fontconfig.system(), fontconfig._Commands()
    assert isinstance(library, fontconfig._Library), "libfontconfig loads here"
    query = {"family": "Noto Sans CJK KR", "weight": fontconfig.WEIGHT["bold"],
             "slant": fontconfig.SLANT["roman"]}
    face = library.match(query)
    assert face == commands.match(query)
    assert face.has("Noto Sans CJK KR") and face.style == "Bold" and "CJK" in face.path.name
    assert library.faces("DejaVu Sans") == commands.faces("DejaVu Sans")
    assert not library.match({"family": "No Such Family Anywhere"}).has(
        "No Such Family Anywhere")
    with pytest.raises(MemoError, match="the font No Such Family Anywhere is not installed"):
        fonts.system_face("No Such Family Anywhere")
    assert fonts.describe(ROOT / "templates" / "fonts" / "NotoSans-Bold.ttf").name == \
        "Noto Sans Bold"
    assert len(fontconfig.fingerprint()) == 64
