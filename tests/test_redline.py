"""memo redline: a redline from an older version, checked against readers no one here
wrote. pandoc reads the tracked changes (accept all: the new text; reject all: the
old), LibreOffice counts them and accepts or rejects them as an editor would, and the
merge itself is held to the same law for random edits."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree, html

from memo.build import build
from memo.changes import compare, is_leaf
from memo.cli import main
from memo.content import load_project
from memo.render import render
from memo.tracking import resolved, revisions
from memo.words import diff, tokens

from .conftest import CONTENT, TEMPLATES, need, pdftotext

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
VARIANTS = ["congress-en", "partner-en", "partner-ja", "partner-ko", "principal-en",
            "staff-en"]
UNO = Path(__file__).with_name("uno_driver.py")


def run(*args: str, **kw):
    return CliRunner().invoke(main, list(args), **kw)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def edited(folder: Path) -> Path:
    """A copy of the bundled content with an edit of each kind a redline must show."""
    shutil.copytree(CONTENT, folder)
    recs = folder / "recommendations.yaml"
    text = recs.read_text()
    start, end = text.index("  - id: consult-as-equals"), text.index(
        "  - id: back-political-openings")
    moved = text[start:end]
    text = text[:start] + text[end:]
    recs.write_text(text.rstrip("\n") + "\n\n" + moved.rstrip("\n") + "\n")  # a move
    _edit(recs, "requests for trilateral steps came after [@french2021].",
          "requests for trilateral steps came after [@perry1999].")  # another citation
    _edit(recs, "Re-establish a senior U.S.–Japan–South Korea mechanism",
          "Re-establish a *senior* U.S.–Japan–South Korea mechanism")  # emphasis only
    caveats = folder / "caveats.yaml"
    text = caveats.read_text()
    i = text.index("  - title: U.S. encouragement was one driver")
    j = text.index("  - title: Leverage used in the open")
    caveats.write_text(text[:i] + text[j:])  # an item of a list without ids, removed
    precedents = folder / "precedents.yaml"
    _edit(precedents, "1965년\n        한일기본조약이 체결되었다", "1965년\n        한일기본조약이 마침내 "
          "체결되었다")  # Korean
    _edit(precedents, "1965年の日韓基本条約の締結に至った", "1965年の日韓基本条約の調印に至った")  # Japanese
    _edit(folder / "briefing.yaml", "  - id: member-engagement", "  - id: hearing\n"
          "    title: A hearing\n    text: >-\n      The Department would welcome a hearing "
          "on trilateral cooperation.\n  - id: member-engagement")  # an item added
    return folder


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    """The bundled memo (old) and an edited copy (new), each built clean as DOCX, and the
    redline of every variant from one to the other."""
    base = tmp_path_factory.mktemp("redline")
    new = edited(base / "content")
    for name, content in (("old", CONTENT), ("new", new)):
        assert build(content, TEMPLATES, base / name, formats=["docx"], jobs=2).ok
    result = run("redline", "--since", str(CONTENT), "--content", str(new), "--templates",
                 str(TEMPLATES), "--out", str(base / "red"))
    assert result.exit_code == 0, result.output
    return base


def pandoc(path: Path, mode: str | None = None) -> str:
    exe = need("pandoc")
    args = [exe, str(path), "-t", "plain", "--wrap=none"]
    if mode:
        args.insert(1, f"--track-changes={mode}")
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def _plain(text: str) -> list[str]:
    """pandoc's plain text, without its list markers and empty items: pandoc 2.17 keeps
    a numbered item whose paragraph a rejected insertion (or an accepted deletion)
    removed, as an empty "3." (it wraps the emptied paragraph in a list item
    regardless: Text/Pandoc/Readers/Docx.hs, bodyPartToBlocks ListItem), and numbers the
    items after it from there. The text is held equal; the list structure is held by
    LibreOffice, below."""
    out = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(?:\d+\.|-)\s+", "", line).strip()
        if line and not re.fullmatch(r"\d+\.|-", line):
            out.append(line)
    return out


# -- against pandoc ---------------------------------------------------------------------

@pytest.mark.parametrize("variant", VARIANTS)
def test_pandoc_accepting_gives_the_new_text_and_rejecting_the_old(versions, variant):
    red = versions / "red" / f"{variant}.redline.docx"
    assert _plain(pandoc(red, "accept")) == _plain(pandoc(versions / "new" / f"{variant}.docx"))
    assert _plain(pandoc(red, "reject")) == _plain(pandoc(versions / "old" / f"{variant}.docx"))


def test_one_word_changed_is_one_insertion_and_one_deletion_nowhere_else(tmp_path):
    new = tmp_path / "content"
    shutil.copytree(CONTENT, new)
    _edit(new / "precedents.yaml", "Encouragement carries weight when each ally",
          "Encouragement counts when each ally")
    result = run("redline", "--since", str(CONTENT), "--content", str(new), "--templates",
                 str(TEMPLATES), "--out", str(tmp_path / "red"), "-a", "staff")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "red" / "staff-en.redline.docx") as z:
        body = etree.fromstring(z.read("word/document.xml"))
        notes = etree.fromstring(z.read("word/footnotes.xml"))
    ins = ["".join(t.text for t in el.iter(f"{W}t")) for el in body.iter(f"{W}ins")]
    dels = ["".join(t.text for t in el.iter(f"{W}delText")) for el in body.iter(f"{W}del")]
    assert (ins, dels) == (["counts"], ["carries weight"])
    assert not [el for tag in ("ins", "del", "moveFrom", "moveTo", "rPrChange")
                for el in [*body.iter(f"{W}{tag}"), *notes.iter(f"{W}{tag}")]
                if el not in [*body.iter(f"{W}ins"), *body.iter(f"{W}del")]]
    # the list of changes in the PDF says the same: one field, one change
    text = " ".join(pdftotext(tmp_path / "red" / "staff-en.redline.pdf").split())
    assert "Changes since content 2 tracked changes, 1 of them to the content" in text
    assert "Johnson, 1965: Normalization: the 1965 Treaty on Basic Relations › lesson " \
        "changed (+1/−2 words)" in text


# -- against LibreOffice ----------------------------------------------------------------

def lo(profile: Path, *args: str) -> dict:
    need("soffice")
    python = "/usr/bin/python3"
    check = subprocess.run([python, "-c", "import uno"], capture_output=True)
    if check.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("python3-uno is not installed (./dev test installs it)")
        pytest.skip("python3-uno is not installed (./dev test installs it)")
    proc = subprocess.run([python, str(UNO), str(profile), *args], capture_output=True,
                          text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_libreoffice_counts_the_changes_the_redline_says(versions, tmp_path_factory):
    profile = tmp_path_factory.mktemp("lo")
    manifest = json.loads((versions / "red" / "manifest.json").read_text())
    said = {a["variant"]: a["redline"]["revisions"] for a in manifest["artifacts"]
            if a["format"] == "docx"}
    assert sorted(said) == VARIANTS and said["staff-en"] > 5
    for variant in VARIANTS:
        seen = lo(profile, "redlines", str(versions / "red" / f"{variant}.redline.docx"))
        assert seen["count"] == said[variant], variant
        assert {i["author"] for i in seen["items"]} <= {"memo"}


@pytest.mark.parametrize("variant", ["staff-en", "congress-en", "partner-ja"])
def test_libreoffice_accepting_and_rejecting_gives_each_version_exactly(versions, variant,
                                                                       tmp_path_factory):
    """Paragraph by paragraph and note by note, lists included."""
    profile = tmp_path_factory.mktemp("lo")
    red = str(versions / "red" / f"{variant}.redline.docx")
    assert lo(profile, "text", red, "accept") == lo(
        profile, "text", str(versions / "new" / f"{variant}.docx"))
    assert lo(profile, "text", red, "reject") == lo(
        profile, "text", str(versions / "old" / f"{variant}.docx"))


# -- what the DOCX carries ----------------------------------------------------------------

def test_the_docx_tracks_moves_emphasis_notes_and_items(versions):
    with zipfile.ZipFile(versions / "red" / "staff-en.redline.docx") as z:
        body = etree.fromstring(z.read("word/document.xml"))
        notes = etree.fromstring(z.read("word/footnotes.xml"))
        settings = z.read("word/settings.xml").decode()
    names = {el.get(f"{W}name") for el in body.iter(f"{W}moveFromRangeStart")}
    assert names and names == {el.get(f"{W}name") for el in body.iter(f"{W}moveToRangeStart")}
    moved = "".join(t.text for el in body.iter(f"{W}moveTo") for t in el.iter(f"{W}t"))
    assert moved.startswith("(U) Consult each ally as an equal")  # its portion mark too
    restyled = [r for r in body.iter(f"{W}r") if r.find(f"{W}rPr/{W}rPrChange") is not None]
    assert ["".join(t.text for t in r.iter(f"{W}t")) for r in restyled] == ["senior"]
    assert restyled[0].find(f"{W}rPr/{W}i") is not None  # italic now, plain before
    deleted_marks = [p for p in body.iter(f"{W}p") if p.find(f"{W}pPr/{W}rPr/{W}del") is not None]
    assert any("U.S. encouragement was one driver" in "".join(
        t.text for t in p.iter(f"{W}delText")) for p in deleted_marks)
    # the note that now cites the Perry report: its call out and in, its text inserted
    assert "Perry" in "".join(t.text for el in notes.iter(f"{W}ins") for t in el.iter(f"{W}t"))
    ids = [el.get(f"{W}id") for el in [*body.iter(), *notes.iter()]
           if isinstance(el.tag, str) and el.tag.rsplit("}", 1)[-1] in
           ("ins", "del", "moveFrom", "moveTo", "rPrChange", "moveFromRangeStart",
            "moveToRangeStart")]
    assert len(ids) == len(set(ids)), "every revision has an id of its own"
    assert "<w:trackRevisions/>" in settings  # a reviewer's own edits are tracked


def test_redlines_are_reproducible_and_dated_by_source_date_epoch(tmp_path):
    new = edited(tmp_path / "content")
    outs = []
    for n in (1, 2):
        result = run("redline", "--since", str(CONTENT), "--content", str(new), "--templates",
                     str(TEMPLATES), "--out", str(tmp_path / f"r{n}"), "-a", "partner",
                     "-l", "ja", env={"SOURCE_DATE_EPOCH": "1614556800"})
        assert result.exit_code == 0, result.output
        outs.append({p.name: p.read_bytes() for p in (tmp_path / f"r{n}").glob("*.redline.*")})
    assert outs[0] == outs[1] and len(outs[0]) == 3
    with zipfile.ZipFile(tmp_path / "r1" / "partner-ja.redline.docx") as z:
        body = z.read("word/document.xml").decode()
    assert set(re.findall(r'w:date="([^"]+)"', body)) == {"2021-03-01T00:00:00Z"}


# -- what the PDF and HTML show -----------------------------------------------------------

def test_the_pdf_lists_the_changes_and_speaks_them(versions):
    import pikepdf

    from .conftest import structure_elements

    pdf = versions / "red" / "staff-en.redline.pdf"
    text = " ".join(pdftotext(pdf).split())
    assert "Changes since content" in text and "tracked changes" in text
    assert "Moved, the order only: Recommendations › consult-as-equals › title" in text
    with pikepdf.open(pdf) as doc:
        spoken = [str(el.ActualText) for el in structure_elements(doc) if "/ActualText" in el]
        links = [a for page in doc.pages for a in page.get("/Annots", [])
                 if a.get("/Subtype") == "/Link" and "/Dest" in a]
    assert any(s.startswith("inserted: ") for s in spoken)
    assert any(s.startswith("deleted: ") for s in spoken)
    assert links, "each listed change links to its place"


def test_the_html_marks_changes_for_screen_readers(versions):
    tree = html.parse(str(versions / "red" / "staff-en.redline.html"))
    ins, dels = tree.findall(".//ins"), tree.findall(".//del")
    assert ins and dels
    assert {e.get("data-label") for e in ins} == {"inserted"}
    assert {e.get("data-label") for e in dels} == {"deleted"}
    style = tree.findtext(".//style")
    assert 'content: "[" attr(data-label)' in style
    anchors = [a.get("href")[1:] for a in tree.iterfind(".//section[@id='changes']//a")]
    assert anchors and all(tree.find(f".//*[@id='{a}']") is not None for a in anchors)


def test_the_manifest_records_redlines_beside_the_clean_files(versions):
    manifest = json.loads((versions / "red" / "manifest.json").read_text())
    arts = manifest["artifacts"]
    assert len(arts) == 18 and all(a["path"].endswith(f".redline.{a['format']}") for a in arts)
    assert {a["redline"]["since"] for a in arts} == {"content"}


# -- the merge, for any edit --------------------------------------------------------------

def blocks(article) -> list[str]:
    out = []
    for el in article.iter():
        if isinstance(el.tag, str) and is_leaf(el) and not is_leaf(el.getparent()):
            out.append("img" if el.tag == "img" else
                       " ".join("".join(el.itertext()).split()))
    return out


def test_units_are_words_in_english_and_characters_in_korean_and_japanese():
    from lxml import html as h

    def units(text):
        return [t.text for t in tokens(h.fragment_fromstring(f"<p>{text}</p>"), "en")
                if t.kind == "w"]

    assert units("Seoul's *share* rose") == ["Seoul's", "*", "share", "*", "rose"]
    assert units("한일기본조약이") == list("한일기본조약이")
    assert units("日韓基本条約") == list("日韓基本条約")


def test_a_changed_emphasis_is_a_restyle_not_a_replacement():
    from lxml import html as h

    old = tokens(h.fragment_fromstring("<p>a senior group</p>"), "en")
    new = tokens(h.fragment_fromstring("<p>a <em>senior</em> group</p>"), "en")
    states = [(s, t.text) for s, t, _ in diff(old, new) if t.kind == "w"]
    assert states == [("=", "a"), ("~", "senior"), ("=", "group")]


def _render(project, audience, lang):
    # the drafting rules are not under test: a random word may leave a figure unsourced
    return render(project, audience, TEMPLATES, lang, marks=True, rules=False)


def test_accepting_gives_the_new_and_rejecting_the_old_for_the_bundled_edits(tmp_path):
    old, new = load_project(CONTENT), load_project(edited(tmp_path / "content"))
    for variant in VARIANTS:
        audience, lang = variant.split("-")
        a, b = _render(old, audience, lang), _render(new, audience, lang)
        merged = compare(a.article, b.article, lang).article
        assert blocks(resolved(merged, accept=True)) == blocks(b.article), variant
        assert blocks(resolved(merged, accept=False)) == blocks(a.article), variant
        assert (revisions(merged) > 0) == (variant != "partner-en"), variant  # untouched


def test_nothing_changed_is_no_change():
    project = load_project(CONTENT)
    doc = _render(project, "staff", "en")
    merged = compare(doc.article, _render(project, "staff", "en").article, "en")
    assert merged.changes == [] and revisions(merged.article) == 0
    assert blocks(merged.article) == blocks(doc.article)


# -- where the old version comes from -------------------------------------------------------

def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture
def repo(tmp_path) -> Path:
    """A memo project in git with two commits: the bundled content, then one edit."""
    root = tmp_path / "proj"
    root.mkdir()
    (root / "memo-project.yaml").write_text("content: content\n")
    shutil.copytree(CONTENT, root / "content")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "first")
    _git(root, "tag", "v1")
    _edit(root / "content" / "precedents.yaml", "Encouragement carries weight",
          "Encouragement counts")
    _git(root, "commit", "-q", "-am", "second")
    return root


def test_since_a_git_revision_reads_git_and_touches_nothing(repo, monkeypatch):
    monkeypatch.chdir(repo)
    result = run("redline", "--since", "HEAD~1", "-a", "staff", "-f", "docx")
    assert result.exit_code == 0, result.output
    assert "1 redline since HEAD~1 (" in result.output
    assert _git(repo, "status", "--porcelain") == "?? output/\n"
    text = pandoc(repo / "output" / "staff-en.redline.docx", "reject")
    assert "Encouragement carries weight" in text and "counts" not in text
    tagged = run("redline", "--since", "v1", "-a", "staff", "-f", "html")
    assert tagged.exit_code == 0 and "since v1 (" in tagged.output


@pytest.mark.parametrize("since,message", [
    ("HEAD~9", "--since HEAD~9: not a revision of this repository (nor a file or folder)"),
    ("nowhere/memo.zip", "--since nowhere/memo.zip: not a revision of this repository"),
])
def test_a_since_that_names_nothing_is_a_usage_error(repo, monkeypatch, since, message):
    monkeypatch.chdir(repo)
    result = run("redline", "--since", since)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output


def test_since_a_release_reads_the_content_its_pdfs_carry(repo, monkeypatch):
    monkeypatch.chdir(repo)
    _git(repo, "checkout", "-q", "v1")
    assert run("release", "--version", "v1").exit_code == 0
    _git(repo, "checkout", "-q", "main")
    for since in ("dist/memo-v1.zip", "dist/memo-v1"):
        result = run("redline", "--since", since, "-a", "principal", "-a", "staff",
                     "-f", "docx")
        assert result.exit_code == 0, result.output
        assert "since v1 ->" in result.output
        text = pandoc(repo / "output" / "staff-en.redline.docx", "reject")
        assert "Encouragement carries weight" in text


def test_an_old_field_memo_no_longer_knows_is_left_out_and_said(tmp_path):
    old = tmp_path / "old"
    shutil.copytree(CONTENT, old)
    briefing = old / "briefing.yaml"
    briefing.write_text(briefing.read_text() + "talking_points: [An old point.]\n")
    result = run("redline", "--since", str(old), "--templates", str(TEMPLATES), "--out",
                 str(tmp_path / "red"), "-a", "principal", "-f", "html")
    assert result.exit_code == 0, result.output
    assert "no longer knows, left out: briefing.yaml: talking_points" in result.stderr


def test_a_new_audience_is_all_inserted_and_says_so(tmp_path):
    new = tmp_path / "content"
    shutil.copytree(CONTENT, new)
    shutil.copy(new / "audiences" / "principal.yaml", new / "audiences" / "deputy.yaml")
    _edit(new / "memo.yaml", "audiences: [principal, staff, congress, partner]",
          "audiences: [principal, staff, congress, partner, deputy]")
    _edit(new / "memo.yaml", "{audience: [staff, congress, principal],",
          "{audience: [staff, congress, principal, deputy],")
    result = run("redline", "--since", str(CONTENT), "--content", str(new), "--templates",
                 str(TEMPLATES), "--out", str(tmp_path / "red"), "-a", "deputy")
    assert result.exit_code == 0, result.output
    assert "deputy-en      new since then" in result.output
    text = " ".join(pdftotext(tmp_path / "red" / "deputy-en.redline.pdf").split())
    assert "This paper did not exist in content: all of it is new." in text
    assert pandoc(tmp_path / "red" / "deputy-en.redline.docx", "reject").strip() == ""


def test_a_section_added_to_a_profile_is_said_and_inserted(tmp_path):
    new = tmp_path / "content"
    shutil.copytree(CONTENT, new)
    _edit(new / "audiences" / "principal.yaml", "sections: [bluf, why-now, decisions",
          "sections: [bluf, why-now, timeline, decisions")
    _edit(new / "audiences" / "principal.yaml", "budget: {pages: 2}", "budget: {pages: 3}")
    result = run("redline", "--since", str(CONTENT), "--content", str(new), "--templates",
                 str(TEMPLATES), "--out", str(tmp_path / "red"), "-a", "principal")
    assert result.exit_code == 0, result.output
    text = " ".join(pdftotext(tmp_path / "red" / "principal-en.redline.pdf").split())
    assert "1 tracked changes, 1 of them to the content: • The Precedents at a Glance " \
        "section added" in text
    assert "Precedents at a Glance" not in pandoc(
        tmp_path / "red" / "principal-en.redline.docx", "reject")


def test_redline_is_in_the_help():
    result = run("redline", "--help")
    assert result.exit_code == 0 and "--since OLD" in result.output
    assert run("redline").exit_code == 2  # --since is required


# Random edits, in every language the memo is built in: a word inserted, deleted or
# replaced in a prose field, and a recommendation moved. Accepting every change must
# give the new text and rejecting every one the old, block by block.
_PROJECT = load_project(CONTENT)


_PROSE = {"summary", "setting", "outcome", "lesson", "action", "rationale", "risks", "text",
          "then", "now", "framing", "why_now", "japan", "south_korea", "both", "title"}


def _fields(data, path=()):
    """The YAML paths of the prose (and title) values in ``data``, in every language."""
    named = [p for p in path if isinstance(p, str) and p not in ("en", "ko", "ja")]
    if isinstance(data, str):
        # a marking (portions: {risks: SBU}) and the drafting rules' words are not prose
        if named and named[-1] in _PROSE and not {"cite_figures", "portions"} & set(named):
            yield path
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from _fields(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _fields(v, path + (i,))


def _targets():
    import yaml

    out = []
    for name in ("precedents.yaml", "recommendations.yaml", "briefing.yaml",
                 "audiences/partner.yaml", "memo.yaml"):
        data = yaml.safe_load((CONTENT / name).read_text("utf-8"))
        out += [(name, p) for p in _fields(data)]
    return out


_TARGETS = _targets()
_WORDS = ["allies", "jointly", "새로운", "협력", "共同", "強化", "2021", "notably"]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(_TARGETS),
                                st.sampled_from(["insert", "delete", "replace"]),
                                st.integers(0, 400), st.sampled_from(_WORDS)),
                      min_size=1, max_size=4),
       move=st.booleans(), variant=st.sampled_from(VARIANTS))
def test_any_edit_accepts_to_the_new_and_rejects_to_the_old(tmp_path_factory, edits, move,
                                                            variant):
    import yaml

    folder = tmp_path_factory.mktemp("prop") / "content"
    shutil.copytree(CONTENT, folder)
    docs = {}
    for (name, path), how, at, word in edits:
        data = docs.setdefault(name, yaml.safe_load((folder / name).read_text("utf-8")))
        holder = data
        for part in path[:-1]:
            holder = holder[part]
        words = holder[path[-1]].split(" ")
        i = at % len(words)
        if how == "insert":
            words.insert(i, word)
        elif how == "delete" and len(words) > 2 and "[@" not in words[i]:
            del words[i]
        elif "[@" not in words[i]:
            words[i] = word
        holder[path[-1]] = " ".join(words)
    if move:
        data = docs.setdefault("recommendations.yaml", yaml.safe_load(
            (folder / "recommendations.yaml").read_text("utf-8")))
        data["recommendations"].append(data["recommendations"].pop(0))
    for name, data in docs.items():
        (folder / name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False,
                                                  width=10_000), "utf-8")
    from memo.validation import lenient

    with lenient():  # the drafting rules again
        new = load_project(folder)
    audience, lang = variant.split("-")
    a, b = _render(_PROJECT, audience, lang), _render(new, audience, lang)
    merged = compare(a.article, b.article, lang).article
    assert blocks(resolved(merged, accept=True)) == blocks(b.article)
    assert blocks(resolved(merged, accept=False)) == blocks(a.article)
