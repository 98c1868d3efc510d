"""memo absorb: a reviewer's DOCX back into the YAML. LibreOffice edits and comments as
a reviewer would (through UNO); pandoc reads what the reviewer left; the YAML is held
to change in exactly the fields edited; the DOCX built again reads as the reviewed one
accepted. Hostile files are refused before anything is written."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from memo.absorb import absorb
from memo.build import build
from memo.cli import main
from memo.writers import reviewed
from memo.writers.provenance import bookmark_name

from .conftest import CONTENT, TEMPLATES
from .test_redline import _plain, lo, pandoc

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DOC = "word/document.xml"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def project(folder: Path, audiences=("staff",), languages=("en",)) -> Path:
    """A project of its own: the bundled content, its DOCX built into output/."""
    shutil.copytree(CONTENT, folder / "content")
    (folder / "memo-project.yaml").write_text("content: content\n")
    assert build(folder / "content", TEMPLATES, folder / "output", audiences=audiences,
                 languages=languages, formats=["docx"], jobs=1).ok
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def changed_values(before: Path, after: Path) -> dict[tuple, tuple]:
    """Each scalar whose value differs between two content folders: path -> (old, new)."""
    out = {}

    def walk(a, b, path):
        if isinstance(a, dict) and isinstance(b, dict):
            for k in a.keys() | b.keys():
                walk(a.get(k), b.get(k), path + (k,))
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, path + (i,))
        elif a != b:
            out[path] = (a, b)

    for p in sorted(before.rglob("*.yaml")):
        rel = p.relative_to(before).as_posix()
        q = after / rel
        walk(yaml.safe_load(p.read_text("utf-8")), yaml.safe_load(q.read_text("utf-8"))
             if q.is_file() else None, (rel,))
    return out


# -- a reviewer in LibreOffice -------------------------------------------------------------

STAFF_OPS = [
    {"author": "Dana Reviewer"},
    # 1. a precedent's lesson
    {"replace": "Encouragement carries weight", "with": "Encouragement counts"},
    # 2. a sentence of a recommendation's rationale deleted
    {"delete": " A standing body keeps cooperation going when summit politics sour."},
    # 3. words added to a recommendation's action (an item of a numbered list)
    {"after": "before asking anything of either", "insert": " capital"},
    # 4. a word changed in a sentence that ends in a note: the note stays
    {"replace": "little high-level attention in recent years",
     "with": "little high-level attention in the last four years"},
    # 5. the bottom line
    {"replace": "leaving the history disputes to Seoul and Tokyo",
     "with": "leaving the history disputes to Seoul and Tokyo themselves"},
    {"comment": "Is this still true?", "on": "Quiet diplomacy can look like indifference."},
    {"comment": "Cite the treaty text?", "on": "was signed in Tokyo on 22 June 1965",
     "by": "Lee Second"},
]
KO_OPS = [{"author": "Kim Reviewer"},
          {"after": "정례 일정과 실무급 협의 트랙을 갖춘", "insert": " 상시"},
          {"comment": "좋습니다", "on": "공동 관심사에 기반한 의제"}]


@pytest.fixture(scope="module")
def cleared(tmp_path_factory):
    """The staff memo and the Korean partner memo, reviewed in LibreOffice, absorbed."""
    root = project(tmp_path_factory.mktemp("absorb"), ("staff", "partner"), ("en", "ko"))
    profile = tmp_path_factory.mktemp("lo")
    for name, ops in (("staff-en", STAFF_OPS), ("partner-ko", KO_OPS)):
        script = root / f"{name}.ops.json"
        script.write_text(json.dumps(ops, ensure_ascii=False))
        lo(profile, "review", str(root / "output" / f"{name}.docx"),
           str(root / f"{name}-reviewed.docx"), str(script))
    shutil.copytree(root / "content", root / "before")
    return root, profile


def test_libreoffice_edits_come_back_into_exactly_the_fields_edited(cleared, monkeypatch):
    root, _ = cleared
    monkeypatch.chdir(root)
    results = []
    for name in ("staff-en", "partner-ko"):
        result = run("absorb", f"{name}-reviewed.docx", "--templates", str(TEMPLATES))
        assert result.exit_code == 0, result.output + result.stderr
        results.append(result)
    listed = [line.split()[1] for r in results for line in r.output.splitlines()
              if line.startswith("  content/")]
    assert sorted(listed) == [
        "current.information-sharing.text",  # briefing.yaml
        "precedents.johnson-1965.lesson",
        "recommendations.reaffirm-alliances.action",
        "recommendations.revive-trilateral-group.rationale",
        "recommendations.revive-trilateral-group.shared.action",  # Korean
        "summary",  # memo.yaml: the bottom line
    ], listed
    changes = changed_values(root / "before", root / "content")
    fields = {k for k in changes if k[0] != "review.yaml"}
    assert len(fields) == 6, changes
    new = {k[-2] if k[-1] in ("en", "ko", "ja") else k[-1]: v[1] for k, v in changes.items()
           if k[0] != "review.yaml"}
    assert new["lesson"].startswith("Encouragement counts when")
    assert new["rationale"].endswith("[@yonhap2008].")  # the sentence after it deleted
    assert new["action"].endswith("before asking anything of either capital.") or \
        "상시 고위급" in new["action"]
    assert "little high-level attention in the last four years [@french2021]." in \
        new["text"]  # the note kept
    assert new["summary"].endswith("leaving the history disputes to Seoul and Tokyo "
                                   "themselves.")
    assert "상시 고위급" in changes[("recommendations.yaml", "recommendations", 2, "shared",
                                  "action", "ko")][1]
    # every other byte of each file as it was: only the edited values' lines differ
    import difflib

    for rel in ("precedents.yaml", "recommendations.yaml", "briefing.yaml", "memo.yaml"):
        a = (root / "before" / rel).read_text().splitlines()
        b = (root / "content" / rel).read_text().splitlines()
        hunks = [op for op in difflib.SequenceMatcher(None, a, b).get_opcodes()
                 if op[0] != "equal"]
        assert 0 < len(hunks) <= sum(1 for k in fields if k[0] == rel), rel
        assert sum(max(i2 - i1, j2 - j1) for _, i1, i2, j1, j2 in hunks) <= 3 * len(hunks)
    notes = yaml.safe_load((root / "content" / "review.yaml").read_text())["notes"]
    assert [(n["author"], n["text"], n["lang"], n["field"].split(":")[0]) for n in notes] == [
        ("Lee Second", "Cite the treaty text?", "en", "precedents.yaml"),
        ("Dana Reviewer", "Is this still true?", "en", "recommendations.yaml"),
        ("Kim Reviewer", "좋습니다", "ko", "recommendations.yaml")]
    assert notes[1]["quote"] == "Quiet diplomacy can look like indifference."
    assert all(n["date"] == "2021-02-10T09:00:00Z" and not n["resolved"] for n in notes)
    assert run("check", "--content", str(root / "content")).exit_code == 0


def test_the_memo_built_again_reads_as_the_review_accepted(cleared, monkeypatch):
    root, _ = cleared
    monkeypatch.chdir(root)
    if not (root / "content" / "review.yaml").exists():
        test_libreoffice_edits_come_back_into_exactly_the_fields_edited(cleared, monkeypatch)
    again = root / "again"
    assert build(root / "content", TEMPLATES, again, audiences=["staff", "partner"],
                 languages=["en", "ko"], formats=["docx"], jobs=1).ok
    for name in ("staff-en", "partner-ko"):
        assert _plain(pandoc(again / f"{name}.docx")) == \
            _plain(pandoc(root / f"{name}-reviewed.docx", "accept")), name
        # and a second absorb of the same review changes nothing (the build kept the
        # content the DOCX was built from)
        before = snapshot(root / "content")
        result = run("absorb", f"{name}-reviewed.docx", "--templates", str(TEMPLATES))
        assert result.exit_code == 0, result.output + result.stderr
        assert "compared with the content it was built from" in result.output
        assert "0 fields changed" in result.output and "(0 new)" in result.output
        assert snapshot(root / "content") == before


NOTES = """\
notes:
  - field: precedents.yaml:precedents.johnson-1965.outcome
    lang: en
    author: Lee Second
    date: '2021-02-10T09:00:00Z'
    text: Cite the treaty text?
    resolved: false
  - field: recommendations.yaml:recommendations.consult-as-equals.risks
    lang: en
    author: Dana Reviewer
    date: '2021-02-10T09:00:00Z'
    text: Is this still true?
    resolved: false
  - field: recommendations.yaml:recommendations.consult-as-equals.risks
    lang: en
    author: Dana Reviewer
    text: Settled last week.
    resolved: true
  - field: recommendations.yaml:recommendations.revive-trilateral-group.shared.title
    lang: ko
    author: Kim Reviewer
    text: 좋습니다
    resolved: false
"""


def test_open_notes_go_back_as_word_comments_and_a_resolved_one_comes_back(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "review.yaml").write_text(NOTES, "utf-8")
    out = tmp_path / "out"
    assert build(content, TEMPLATES, out, audiences=["staff"], languages=["en"],
                 review_notes=True, jobs=1).ok
    docx = out / "staff-en.docx"
    z = zipfile.ZipFile(docx)
    comments = etree.fromstring(z.read("word/comments.xml"))
    got = [(c.get(f"{W}author"), c.get(f"{W}initials"), c.get(f"{W}date"),
            "".join(c.itertext())) for c in comments.iter(f"{W}comment")]
    assert got == [("Lee Second", "LS", "2021-02-10T09:00:00Z", "Cite the treaty text?"),
                   ("Dana Reviewer", "DR", "2021-02-10T09:00:00Z", "Is this still true?")]
    # anchored on the field's words: pandoc shows the comment around them
    md = pandoc(docx, "all")
    assert "Is this still true?" in md
    # the HTML shows them beside their fields; the PDF, for reading, leaves them out
    page = (out / "staff-en.html").read_text()
    assert page.count('class="review-note"') == 2 and "Cite the treaty text?" in page
    from .conftest import pdftotext

    assert "Is this still true?" not in pdftotext(out / "staff-en.pdf")
    # the same build again: the same bytes (a comment carries its note's date, not now)
    again = tmp_path / "again"
    assert build(content, TEMPLATES, again, audiences=["staff"], languages=["en"],
                 formats=["docx"], review_notes=True, jobs=1).ok
    assert (again / "staff-en.docx").read_bytes() == docx.read_bytes()
    # a second reviewer resolves one and adds another
    ops = tmp_path / "ops.json"
    ops.write_text(json.dumps([{"author": "Ana Third"}, {"resolve": "Is this still true?"},
                               {"comment": "Agreed.", "on": "Encouragement carries"}]))
    lo(tmp_path / "lo", "review", str(docx), str(tmp_path / "second.docx"), str(ops))
    found = absorb(tmp_path / "second.docx", content, TEMPLATES, output=out)
    assert found.new_comments == 1 and not found.edits and not found.problems
    notes = yaml.safe_load((content / "review.yaml").read_text())["notes"]
    assert [(n["text"], n["resolved"]) for n in notes] == [
        ("Cite the treaty text?", False), ("Is this still true?", True),
        ("Settled last week.", True), ("좋습니다", False), ("Agreed.", False)]
    assert (content / "review.yaml").read_text("utf-8").startswith(NOTES.replace(
        "Is this still true?\n    resolved: false", "Is this still true?\n    resolved: true"))


def test_a_libreoffice_save_with_no_edit_changes_nothing(tmp_path):
    root = project(tmp_path / "p")
    ops = tmp_path / "none.json"
    ops.write_text("[]")
    saved = tmp_path / "saved.docx"
    lo(tmp_path / "lo", "review", str(root / "output" / "staff-en.docx"), str(saved), str(ops))
    before = snapshot(root / "content")
    for docx in (root / "output" / "staff-en.docx", saved):
        found = absorb(docx, root / "content", TEMPLATES, output=root / "output")
        assert (found.edits, found.problems, found.comments, found.written) == ([], [], [], [])
    assert snapshot(root / "content") == before


# -- edits written into the DOCX's XML, as Word writes tracked changes -----------------------

def _parts(docx: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(docx) as z:
        return {n: z.read(n) for n in z.namelist()}


def _write(parts: dict[str, bytes], out: Path) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    out.write_bytes(buf.getvalue())
    return out


def _el(tag: str, **attrs) -> etree._Element:
    el = etree.Element(f"{W}{tag}")
    for k, v in attrs.items():
        el.set(f"{W}{k}", str(v))
    return el


def _run_like(r, text: str, deleted: bool = False):
    new = _el("r")
    rpr = r.find(f"{W}rPr")
    if rpr is not None:
        new.append(copy.deepcopy(rpr))
    t = _el("delText" if deleted else "t")
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    t.text = text
    new.append(t)
    return new


def track(t, start: int, end: int, insert: str, ids: list[int]) -> None:
    """Text ``t.text[start:end]`` deleted and ``insert`` inserted there, tracked."""
    r = t.getparent()
    text = t.text or ""
    pieces = []
    if text[:start]:
        pieces.append(_run_like(r, text[:start]))
    when = {"author": "Pat Tester", "date": "2021-02-11T10:00:00Z"}
    if end > start:
        ids[0] += 1
        d = _el("del", id=ids[0], **when)
        d.append(_run_like(r, text[start:end], deleted=True))
        pieces.append(d)
    if insert:
        ids[0] += 1
        i = _el("ins", id=ids[0], **when)
        i.append(_run_like(r, insert))
        pieces.append(i)
    if text[end:]:
        pieces.append(_run_like(r, text[end:]))
    for p in pieces:
        r.addprevious(p)
    r.getparent().remove(r)


def in_fields(root, tag: str) -> dict[str, list]:
    """Each provenance bookmark's ``tag`` elements (``t``: its texts, not blank;
    ``footnoteReference``: the runs of its note calls), in order; nested marks left out."""
    out: dict[str, list] = {}
    open_: dict[str, str] = {}
    for el in root.iter(f"{W}bookmarkStart", f"{W}bookmarkEnd", f"{W}{tag}"):
        if el.tag == f"{W}bookmarkStart" and (el.get(f"{W}name") or "").startswith("_m"):
            open_[el.get(f"{W}id")] = el.get(f"{W}name")
        elif el.tag == f"{W}bookmarkEnd":
            open_.pop(el.get(f"{W}id"), None)
        elif len(open_) == 1 and (tag != "t" or (el.text or "").strip()):
            out.setdefault(next(iter(open_.values())), []).append(
                el if tag == "t" else el.getparent())
    return out


def edit_xml(docx: Path, out: Path, edits) -> Path:
    parts = _parts(docx)
    root = etree.fromstring(parts[DOC])
    ids = [9000]
    for find, insert in edits:
        t = next(t for t in root.iter(f"{W}t") if find in (t.text or ""))
        i = t.text.index(find)
        track(t, i, i + len(find), insert, ids)
    parts[DOC] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                standalone=True)
    return _write(parts, out)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return project(tmp_path_factory.mktemp("xml"), ("staff", "partner"), ("en", "ko", "ja"))


def copy_project(built: Path, tmp_path: Path) -> Path:
    shutil.copytree(built / "content", tmp_path / "content")
    shutil.copytree(built / "output", tmp_path / "output")
    (tmp_path / "memo-project.yaml").write_text("content: content\n")
    return tmp_path


def test_an_edit_in_generated_text_writes_nothing_and_partial_writes_the_rest(built,
                                                                           tmp_path,
                                                                           monkeypatch):
    root = copy_project(built, tmp_path)
    monkeypatch.chdir(root)
    edit_xml(root / "output" / "staff-en.docx", root / "r.docx",
             [("Bottom Line", "Bottom line"), ("Encouragement carries", "Encouragement counts")])
    before = snapshot(root / "content")
    result = run("absorb", "r.docx", "--templates", str(TEMPLATES))
    assert result.exit_code == 1
    assert "cannot take back: content/" in result.stderr and "generated text" in result.stderr
    assert "-[Line]+[line]" in result.stderr and "nothing written" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert snapshot(root / "content") == before
    result = run("absorb", "r.docx", "--templates", str(TEMPLATES), "--partial")
    assert result.exit_code == 0, result.stderr
    assert changed_values(built / "content", root / "content").keys() == {
        ("precedents.yaml", "precedents", 0, "lesson")}


def test_a_field_changed_in_the_yaml_since_is_not_overwritten(built, tmp_path, monkeypatch):
    root = copy_project(built, tmp_path)
    monkeypatch.chdir(root)
    edit_xml(root / "output" / "staff-en.docx", root / "r.docx",
             [("Encouragement carries", "Encouragement counts")])
    path = root / "content" / "precedents.yaml"
    path.write_text(path.read_text().replace("Encouragement carries weight",
                                             "Encouragement weighs"))
    before = snapshot(root / "content")
    result = run("absorb", "r.docx", "--templates", str(TEMPLATES))
    assert result.exit_code == 1
    assert "compared with the content it was built from" in result.output
    assert "precedents.yaml:" in result.stderr and "changed in the YAML since" in result.stderr
    assert snapshot(root / "content") == before


def test_an_edit_memo_check_would_refuse_is_not_written(built, tmp_path, monkeypatch):
    """A field emptied, a phrase the partner paper forbids: located, nothing written."""
    root = copy_project(built, tmp_path)
    monkeypatch.chdir(root)
    lesson = ("Firm support for both allies gave Washington the standing to ask each to "
              "reciprocate with cooperation of its own.")
    edit_xml(root / "output" / "staff-en.docx", root / "empty.docx", [(lesson, "")])
    edit_xml(root / "output" / "partner-en.docx", root / "forbidden.docx",
             [("with a regular calendar", "with a regular calendar, to cajole both,")])
    before = snapshot(root / "content")
    result = run("absorb", "empty.docx", "--templates", str(TEMPLATES))
    assert result.exit_code == 1
    assert "content/precedents.yaml:" in result.stderr
    assert "it would leave the content invalid" in result.stderr
    assert "must not be empty" in result.stderr
    result = run("absorb", "forbidden.docx", "--templates", str(TEMPLATES))
    assert result.exit_code == 1
    assert "content/recommendations.yaml:" in result.stderr and "cajole" in result.stderr
    assert snapshot(root / "content") == before


def test_an_edited_note_is_reported_against_its_source_not_applied(built, tmp_path,
                                                                  monkeypatch):
    root = copy_project(built, tmp_path)
    monkeypatch.chdir(root)
    parts = _parts(root / "output" / "staff-en.docx")
    notes = etree.fromstring(parts["word/footnotes.xml"])
    t = next(t for t in notes.iter(f"{W}t") if len(t.text or "") > 20)
    track(t, 0, 0, "Compare: ", [8000])
    parts["word/footnotes.xml"] = etree.tostring(notes, xml_declaration=True,
                                                 encoding="UTF-8", standalone=True)
    _write(parts, root / "r.docx")
    before = snapshot(root / "content")
    result = run("absorb", "r.docx", "--templates", str(TEMPLATES))
    assert result.exit_code == 0, result.stderr
    assert "not applied: content/sources.yaml:" in result.stderr
    assert "+[Compare:]" in result.stderr
    assert snapshot(root / "content") == before


def test_a_field_shown_twice_is_one_edit_and_two_different_edits_are_a_problem(built,
                                                                             tmp_path):
    root = copy_project(built, tmp_path)
    title = "Settle host-nation support without brinkmanship"
    doc = root / "output" / "staff-en.docx"
    assert _parts(doc)[DOC].count(title.encode()) == 2  # the list, and the decision line
    once = edit_xml(doc, tmp_path / "once.docx", [(title, title + " now")])
    found = absorb(once, root / "content", TEMPLATES, output=root / "output", dry_run=True)
    assert [e.key.rsplit(".", 2)[-2:] for e in found.edits] == [["settle-cost-sharing",
                                                                 "title"]]
    assert found.problems == []
    parts = _parts(once)
    root_xml = etree.fromstring(parts[DOC])
    t = [t for t in root_xml.iter(f"{W}t") if t.text == title][0]  # the other place
    track(t, len(title), len(title), " soon", [9500])
    parts[DOC] = etree.tostring(root_xml, xml_declaration=True, encoding="UTF-8",
                                standalone=True)
    twice = _write(parts, tmp_path / "twice.docx")
    found = absorb(twice, root / "content", TEMPLATES, output=root / "output", dry_run=True)
    assert found.edits == []
    assert [p.what for p in found.problems] == [
        "a field the memo shows in two places, edited differently in each"]
    assert "+[now]" in found.problems[0].words and "+[soon]" in found.problems[0].words


def test_dry_run_prints_the_diff_and_writes_nothing(built, tmp_path, monkeypatch):
    root = copy_project(built, tmp_path)
    monkeypatch.chdir(root)
    edit_xml(root / "output" / "partner-ja.docx", root / "r.docx", [("日韓基本条約", "日韓基本条約（1965年）")])
    before = snapshot(root / "content")
    result = run("absorb", "r.docx", "--templates", str(TEMPLATES), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.output.startswith("--- a/content/") and "+++ b/content/" in result.output
    assert "日韓基本条約（1965年）" in result.output and "1 field would change" in result.output
    assert snapshot(root / "content") == before


_CASES = [("staff-en", "en"), ("partner-ko", "ko"), ("partner-ja", "ja")]
_WORDS = {"en": ["jointly", "now", "2021"], "ko": ["새로운", "함께"], "ja": ["共同", "新たに"]}


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=st.sampled_from(_CASES), picks=st.lists(
    st.tuples(st.integers(0, 10_000), st.integers(0, 10_000),
              st.sampled_from(["insert", "delete", "replace", "drop-note"]),
              st.integers(0, 2)),
    min_size=1, max_size=3))
def test_any_tracked_edit_comes_back_as_the_text_the_reviewer_left(built, tmp_path_factory,
                                                                  case, picks):
    """Random tracked edits in any field (list items too), any language, and note calls
    deleted: absorbed, then built again, each field reads as the reviewer left it (or
    absorb said why it could not)."""
    variant, lang = case
    root = copy_project(built, tmp_path_factory.mktemp("prop"))
    parts = _parts(root / "output" / f"{variant}.docx")
    xml = etree.fromstring(parts[DOC])
    fields, calls = in_fields(xml, "t"), in_fields(xml, "footnoteReference")
    names = sorted(fields)
    ids = [7000]
    touched = set()
    for which, where, how, word in picks:
        name = names[which % len(names)]
        if how == "drop-note":  # a footnote's call deleted: its citation goes
            name = sorted(calls)[which % len(calls)]
        if name in touched or name not in fields:
            continue
        touched.add(name)
        t = fields[name][where % len(fields[name])]
        text = t.text
        if lang == "en":  # at word boundaries
            cuts = [0] + [i + 1 for i, c in enumerate(text) if c == " "]
            at = cuts[where % len(cuts)]
            end = text.find(" ", at) + 1 or len(text)
        else:
            at = where % len(text)
            end = min(len(text), at + 1 + word)
        new = _WORDS[lang][word % len(_WORDS[lang])] + (" " if lang == "en" else "")
        if how == "drop-note":
            run_ = calls[name][where % len(calls[name])]
            ids[0] += 1
            gone = _el("del", id=ids[0], author="Pat Tester", date="2021-02-11T10:00:00Z")
            run_.addprevious(gone)
            gone.append(run_)
        elif how == "insert":
            track(t, at, at, new, ids)
        elif how == "delete":
            track(t, at, end, "", ids)
        else:
            track(t, at, end, new, ids)
    parts[DOC] = etree.tostring(xml, xml_declaration=True, encoding="UTF-8", standalone=True)
    docx = _write(parts, root / "r.docx")
    found = absorb(docx, root / "content", TEMPLATES, output=root / "output", partial=True)
    for p in found.problems:  # what it could not take back, it says, and why
        assert p.what and p.near
    assert build(root / "content", TEMPLATES, root / "again", audiences=[variant.split("-")[0]],
                 languages=[lang], formats=["docx"], jobs=1).ok
    now = reviewed.read(root / "again" / f"{variant}.docx")
    then, first = reviewed.read(docx), reviewed.read(root / "output" / f"{variant}.docx")
    taken = {e.key for e in found.edits}
    checked = 0
    for name, span in then.fields.items():
        key = next((k for k in taken if name.startswith(bookmark_name(k, {}))), None)
        if key is None or span.text() == first.fields[name].text():
            continue  # not taken back, or this place of a field shown twice not edited
        assert " ".join(now.fields[name].text().split()) == \
            " ".join(span.text().split()), (key, found.problems)
        checked += 1
    assert checked == len(taken)


# -- hostile files ------------------------------------------------------------------------

def _refused(root: Path, docx: Path, message: str) -> None:
    before = snapshot(root / "content")
    result = run("absorb", str(docx), "--content", str(root / "content"), "--templates",
                 str(TEMPLATES))
    assert result.exit_code == 2, result.output + result.stderr
    assert message in result.stderr, result.stderr
    assert str(docx.name) in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert snapshot(root / "content") == before


def test_a_zip_bomb_is_refused(built, tmp_path):
    parts = _parts(built / "output" / "staff-en.docx")
    parts["word/bomb.xml"] = b"<a>" + b" " * (40 * 1024 * 1024) + b"</a>"
    _refused(built, _write(parts, tmp_path / "bomb.docx"), "a zip bomb, refused")


def test_a_part_past_the_size_limit_is_refused(built, tmp_path):
    parts = _parts(built / "output" / "staff-en.docx")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
        z.writestr("word/media/big.bin", hashlib.sha256(b"x").digest() * (51 * 32768))
    (tmp_path / "big.docx").write_bytes(buf.getvalue())
    _refused(built, tmp_path / "big.docx", "over the 50 MB a part may have")


@pytest.mark.parametrize("doctype", [
    b'<!DOCTYPE w [<!ENTITY x "boom">]>',
    b'<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
])
def test_a_document_type_or_entity_is_refused(built, tmp_path, doctype):
    parts = _parts(built / "output" / "staff-en.docx")
    head, _, rest = parts[DOC].partition(b"?>")
    parts[DOC] = head + b"?>" + doctype + rest
    _refused(built, _write(parts, tmp_path / "dtd.docx"), "declares a document type")


def test_a_part_that_would_leave_the_package_is_refused(built, tmp_path):
    parts = _parts(built / "output" / "staff-en.docx")
    parts["../../evil.xml"] = b"<a/>"
    _refused(built, _write(parts, tmp_path / "escape.docx"), "would leave the package")


def test_not_a_zip_and_a_docx_memo_did_not_build_are_refused(built, tmp_path):
    (tmp_path / "text.docx").write_text("not a zip")
    _refused(built, tmp_path / "text.docx", "not a DOCX")
    import docx

    plain = docx.Document()
    plain.add_paragraph("A memo from elsewhere.")
    plain.save(tmp_path / "other.docx")
    _refused(built, tmp_path / "other.docx", "carries no memo provenance")


def test_a_forged_variant_is_refused(built, tmp_path):
    parts = _parts(built / "output" / "staff-en.docx")
    parts["docProps/custom.xml"] = parts["docProps/custom.xml"].replace(
        b"staff-en", b"spy-en")
    _refused(built, _write(parts, tmp_path / "forged.docx"), "has no audience for")


def test_a_mark_memo_did_not_make_is_said(built, tmp_path):
    parts = _parts(built / "output" / "staff-en.docx")
    parts[DOC] = parts[DOC].replace(b'w:name="_m', b'w:name="_mfff', 1)
    found = absorb(_write(parts, tmp_path / "mark.docx"), built / "content", TEMPLATES,
                   output=built / "output", dry_run=True)
    assert any("a mark memo did not make" in p.what for p in found.problems)


def test_an_external_relationship_is_never_followed(built, tmp_path):
    import http.server
    import threading

    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/x"
        parts = _parts(built / "output" / "staff-en.docx")
        rels = "word/_rels/document.xml.rels"
        parts[rels] = parts[rels].replace(b"</Relationships>", (
            '<Relationship Id="rIdEvil" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/attachedTemplate" Target="' + url +
            '" TargetMode="External"/></Relationships>').encode())
        found = absorb(_write(parts, tmp_path / "ext.docx"), built / "content", TEMPLATES,
                       output=built / "output", dry_run=True)
        assert found.edits == [] and found.problems == []
        assert hits == []
    finally:
        server.shutdown()


def test_absorb_is_in_the_help():
    result = run("absorb", "--help")
    assert result.exit_code == 0
    for words in ("--dry-run", "--partial", "--base", "review.yaml"):
        assert words in result.output
