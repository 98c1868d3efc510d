"""The variant matrix: planning, translations, budgets, the cache, shards, failure isolation."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from memo.build import build
from memo.cli import main
from memo.content import Variants, load_project
from memo.errors import UsageError
from memo.plan import plan, select

from .conftest import CONTENT, TEMPLATES


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


# -- planning ---------------------------------------------------------------------------

def test_the_declared_matrix_less_its_exclusions():
    variants = plan(load_project(CONTENT))
    assert [v.name for v in variants] == [
        "congress-en", "partner-en", "partner-ja", "partner-ko", "principal-en", "staff-en"]
    assert all(v.formats == ("pdf", "docx", "html") for v in variants)


def test_filters_and_format_exclusions(content_copy):
    _edit(content_copy / "memo.yaml",
          "    - {audience: [staff, congress, principal], language: [ko, ja]}",
          "    - {audience: [staff, congress], language: [ko, ja]}\n"
          "    - {language: ja, format: docx}")
    project = load_project(content_copy)
    assert [(v.name, v.formats) for v in plan(project, languages=["ja"])] == [
        ("partner-ja", ("pdf", "html")), ("principal-ja", ("pdf", "html"))]
    assert [v.name for v in plan(project, audiences=["staff"], formats=["html"])] == ["staff-en"]


def test_shards_split_the_plan_without_overlap():
    project = load_project(CONTENT)
    whole = [v.name for v in plan(project)]
    parts = [[v.name for v in plan(project, shard=(k, 4))] for k in (1, 2, 3, 4)]
    assert sorted(sum(parts, [])) == sorted(whole)
    assert [len(p) for p in parts] == [2, 2, 1, 1]


# plan() and select() on a project of just the parts they read: the matrix, the audience
# names and the languages, so that each rule shows on a small case of its own.

def _matrix(audiences=("staff", "principal", "congress"), languages=("en",), **variants):
    return SimpleNamespace(memo=SimpleNamespace(variants=Variants.model_validate(variants)),
                           audiences=dict.fromkeys(audiences), languages=list(languages))


def _names(variants) -> list[tuple[str, tuple[str, ...]]]:
    return [(v.name, v.formats) for v in variants]


def test_select_keeps_the_order_asked_for_once_each_and_defaults_to_all():
    assert select(["a", "b", "c"], [], "thing") == ["a", "b", "c"]
    assert select(["a", "b", "c"], ["c", "a", "c"], "thing") == ["c", "a"]
    with pytest.raises(UsageError) as err:
        select(["a", "b"], ["b", "x", "y"], "audience")
    assert str(err.value) == "unknown audience 'x', 'y'; the variants declare: a, b"


def test_plan_is_every_audience_by_language_sorted_by_name():
    assert _names(plan(_matrix(languages=("ko", "en")))) == [
        (f"{a}-{lang}", ("pdf", "docx", "html"))
        for a in ("congress", "principal", "staff") for lang in ("en", "ko")]
    # the matrix's own lists, where it gives them, over the project's
    assert _names(plan(_matrix(audiences=["staff"], formats=["html"]))) == [
        ("staff-en", ("html",))]


def test_an_exclusion_drops_formats_and_a_variant_left_with_none():
    project = _matrix(languages=("en", "ko"), exclude=[
        {"language": "ko", "format": "docx"},                 # one format, one language
        {"audience": "staff", "language": ["ko"]},            # every format of a variant
        {"audience": "congress", "format": ["pdf", "docx", "html"]}])  # all its formats
    assert _names(plan(project)) == [
        ("principal-en", ("pdf", "docx", "html")), ("principal-ko", ("pdf", "html")),
        ("staff-en", ("pdf", "docx", "html"))]


def test_filters_select_from_the_matrix_never_beyond_it():
    project = _matrix(languages=("en", "ko"), exclude=[{"language": "ko", "format": "docx"}])
    assert _names(plan(project, audiences=["staff"], languages=["ko"])) == [
        ("staff-ko", ("pdf", "html"))]
    # a filter asking only for what the matrix leaves out: an error, not an empty build
    with pytest.raises(UsageError, match="no declared variant matches"):
        plan(project, audiences=["staff"], languages=["ko"], formats=["docx"])
    with pytest.raises(UsageError, match="unknown language 'ja'"):
        plan(project, languages=["ja"])
    everything = _matrix(exclude=[{"format": ["pdf", "docx", "html"]}])
    with pytest.raises(UsageError, match="variants.exclude in memo.yaml leaves out every"):
        plan(everything)


def test_shards_interleave_the_sorted_plan_and_one_past_the_end_is_empty():
    project = _matrix(audiences=["a", "b", "c", "d", "e"])
    whole = [v.name for v in plan(project)]
    assert [[v.name for v in plan(project, shard=(k, 2))] for k in (1, 2)] == [
        whole[0::2], whole[1::2]]
    assert [v.name for v in plan(project, shard=(5, 5))] == ["e-en"]
    assert plan(project, shard=(6, 8)) == []  # more runners than variants: some idle


@pytest.mark.parametrize("shard,message", [
    ("3/2", "--shard '3/2': K must be between 1 and N"),
    ("half", "--shard 'half': expected K/N, like 1/4"),
])
def test_bad_shard_is_a_usage_error(tmp_path, shard, message):
    result = run("batch", "--shard", shard, "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert message in result.stderr


def test_an_undeclared_language_is_a_usage_error(tmp_path):
    result = run("build", "-l", "fr", "--content", str(CONTENT), "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "unknown language 'fr'; the variants declare: en, ko, ja" in result.stderr


def test_the_matrix_may_name_only_known_audiences(content_copy):
    memo = content_copy / "memo.yaml"
    _edit(memo, "audiences: [principal, staff, congress, partner]",
          "audiences: [principal, staff, congres, partner]")
    result = run("check", "--content", str(content_copy))
    assert result.exit_code == 2
    col = memo.read_text().splitlines()[_line_of(memo, "congres,") - 1].index("congres") + 1
    assert (f"{memo}:{_line_of(memo, 'congres,')}:{col}: variants.audiences[2]: unknown "
            "audience id 'congres'; did you mean 'congress'?") in result.stderr


# -- languages --------------------------------------------------------------------------

def test_missing_translation_fails_naming_every_field(content_copy, tmp_path):
    profile = content_copy / "audiences" / "partner.yaml"
    _edit(profile, "  ko: 대한민국 외교부 및 일본 외무성 관계관\n", "")
    to = _line_of(profile, "to:") + 1  # the mapping's first entry
    precedents = content_copy / "precedents.yaml"
    ko = "        한일 양국의 정치적 의지에 미국의 꾸준한 권유와 양국에 대한 공약이 더해져 1965년\n" \
         "        한일기본조약이 체결되었다 [@french2021].\n"
    _edit(precedents, "      ko: >-\n" + ko, "")

    checked = run("check", "--content", str(content_copy))
    assert checked.exit_code == 2
    assert checked.stderr.splitlines() == [
        f"{profile}:{to}:3: to: no Korean text (ko); add a 'ko:' entry",
        f"{precedents}:9:7: precedents[0].summary: no Korean text (ko); add a 'ko:' entry",
        "2 problems found; nothing was written.",
    ]

    out = tmp_path / "out"
    built = run("build", "-a", "partner", "--content", str(content_copy), "--out", str(out))
    assert built.exit_code == 1
    assert "failed: partner-ko: " in built.stderr
    assert "2 problems in partner-ko; its files were not written." in built.stderr
    assert "Traceback" not in built.output
    assert sorted(p.name for p in out.glob("partner-*")) == [
        f"partner-{lang}.{ext}" for lang in ("en", "ja") for ext in ("docx", "html", "pdf")]


def test_text_in_a_language_no_variant_declares(content_copy):
    profile = content_copy / "audiences" / "principal.yaml"
    _edit(profile, "ko: 국무장관", "kr: 국무장관")
    result = run("check", "--content", str(content_copy))
    assert result.exit_code == 2
    assert (f"{profile}:{_line_of(profile, 'kr: 국무장관')}:34: to.kr: text in 'kr', which is not among the variants' languages "
            "(en, ja, ko); add it to variants.languages in memo.yaml or correct the code"
            ) in result.stderr


def test_labels_must_cover_every_language(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    labels = templates / "labels.yaml"
    _edit(labels, "proposals: {en: Proposals, ko: 제안, ja: 提案}",
          "proposals: {en: Proposals, ko: 제안}")
    result = run("check", "--templates", str(templates))
    assert result.exit_code == 2
    assert f"{labels}:{_line_of(labels, 'proposals:')}:12: proposals: no Japanese text (ja)" \
        in result.stderr


# -- what an audience must not see ------------------------------------------------------

def test_a_forbidden_phrase_fails_the_variant_naming_the_section(content_copy, tmp_path):
    recs = content_copy / "recommendations.yaml"
    _edit(recs, "We propose a senior trilateral group", "We propose, as leverage, a senior "
          "trilateral group")
    result = run("build", "-a", "partner", "-l", "en", "-f", "html", "--content",
                 str(content_copy), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    profile = content_copy / "audiences" / "partner.yaml"
    assert (f"{profile}:{_line_of(profile, '{en: leverage, ko: 지렛대')}:5: forbid[2]: 'leverage' "
            "appears in the partner-en memo (section 'proposals'); this audience must not see "
            "it") in result.stderr
    assert not (tmp_path / "out" / "partner-en.html").exists()


# -- budgets and failure isolation ------------------------------------------------------

def test_over_budget_fails_alone_and_keeps_the_last_good_files(content_copy, tmp_path):
    out = tmp_path / "out"
    first = run("build", "-a", "staff", "-a", "principal", "-l", "en", "--content",
                str(content_copy), "--out", str(out))
    assert first.exit_code == 0, first.output
    before = (out / "staff-en.pdf").read_bytes()

    staff = content_copy / "audiences" / "staff.yaml"
    staff.write_text(staff.read_text() + "budget: {pages: 2, words: 900}\n")
    result = run("build", "-a", "staff", "-a", "principal", "-l", "en", "--content",
                 str(content_copy), "--out", str(out))
    assert result.exit_code == 1
    assert re.search(r"failed: staff-en: over budget: staff-en.pdf: \d pages, budget 2; "
                     r"staff-en: \d+ words, budget 900 \(its files were not written\)",
                     result.stderr), result.stderr
    table = result.stdout.splitlines()
    assert re.match(r"principal-en\s+skipped\s+2\s+\d+", table[1])
    assert re.match(r"staff-en\s+failed", table[2])
    assert "2 variants: 0 built, 1 up to date, 1 failed" in result.stdout
    assert (out / "staff-en.pdf").read_bytes() == before


def test_every_variant_keeps_its_budget(built):
    budgets = {a: load_project(CONTENT).audiences[a].budget.pages
               for a in ("principal", "partner", "congress")}
    manifest = json.loads((built / "manifest.json").read_text())
    pages = {a["variant"]: a["pages"] for a in manifest["artifacts"] if a["format"] == "pdf"}
    for variant, n in pages.items():
        limit = budgets.get(variant.rsplit("-", 1)[0])
        assert limit is None or n <= limit, f"{variant}: {n} pages, budget {limit}"
    assert pages["congress-en"] >= 2, "the congress memo carries its briefing"


# -- incremental builds -----------------------------------------------------------------

def _statuses(result) -> dict[str, str]:
    rows = result.stdout.splitlines()[1:-1]
    return {r.split()[0]: r.split()[1] for r in rows}


def test_second_run_skips_and_changes_rebuild_only_what_they_touch(content_copy, tmp_path):
    out = tmp_path / "out"
    args = ("build", "-f", "html", "--content", str(content_copy), "--out", str(out))
    assert set(_statuses(run(*args)).values()) == {"built"}
    manifest = (out / "manifest.json").read_bytes()

    again = run(*args)
    assert set(_statuses(again).values()) == {"skipped"}
    assert "6 variants: 0 built, 6 up to date, 0 failed" in again.stdout
    assert (out / "manifest.json").read_bytes() == manifest

    # one audience's profile: only that audience
    _edit(content_copy / "audiences" / "partner.yaml", "budget: {pages: 2}",
          "budget: {pages: 2}  # reviewed")
    changed = _statuses(run(*args))
    assert {v for v, s in changed.items() if s == "built"} == {"partner-en", "partner-ja",
                                                             "partner-ko"}

    # a file deleted or altered on disk is rebuilt, never trusted
    (out / "staff-en.html").unlink()
    (out / "partner-ko.html").write_text("tampered")
    changed = _statuses(run(*args))
    assert {v for v, s in changed.items() if s == "built"} == {"staff-en", "partner-ko"}

    # a content file: only the variants that show it (the caveats: the staff memo's;
    # the precedents: all but the principal's); every file is then what a build from
    # scratch makes of the same content
    _edit(content_copy / "caveats.yaml", "U.S. influence alone", "U.S. influence by itself")
    assert {v for v, s in _statuses(run(*args)).items() if s == "built"} == {"staff-en"}
    _edit(content_copy / "precedents.yaml", "steady U.S. encouragement",
          "patient U.S. encouragement")
    assert {v for v, s in _statuses(run(*args)).items() if s == "built"} == \
        {"congress-en", "staff-en", "partner-en", "partner-ja", "partner-ko"}
    fresh = tmp_path / "fresh"
    run(*args[:-1], str(fresh))
    assert _file_hashes(out) == _file_hashes(fresh)
    # --force: everything
    assert set(_statuses(run(*args, "--force")).values()) == {"built"}


def _file_hashes(out: Path) -> dict[str, str]:
    import hashlib

    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.glob("*.html")}


def test_template_change_rebuilds(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    out = tmp_path / "out"
    args = ("build", "-a", "principal", "-l", "en", "-f", "html", "--templates",
            str(templates), "--out", str(out))
    run(*args)
    assert _statuses(run(*args)) == {"principal-en": "skipped"}
    css = templates / "css" / "screen.css"
    css.write_text(css.read_text() + "\n/* darker */\n")
    assert _statuses(run(*args)) == {"principal-en": "built"}


def test_progress_is_plain_lines_off_a_terminal(tmp_path):
    result = run("build", "-a", "principal", "-l", "en", "-f", "html", "--out",
                 str(tmp_path / "o"))
    assert result.stderr.splitlines() == ["[1/1] principal-en: built"]


# -- shards and merge -------------------------------------------------------------------

def test_shards_merge_into_what_one_run_writes(built, tmp_path):
    shards = []
    for k in (1, 2):
        out = tmp_path / f"shard-{k}"
        result = build(CONTENT, TEMPLATES, out, shard=(k, 2), jobs=1)
        assert result.ok
        shards.append(out)
    merged = tmp_path / "merged"
    result = run("batch", "--merge", *map(str, shards), "--out", str(merged))
    assert result.exit_code == 0, result.output
    assert "merged 18 files from 2 folders" in result.stdout
    assert (merged / "manifest.json").read_bytes() == (built / "manifest.json").read_bytes()
    for art in json.loads((merged / "manifest.json").read_text())["artifacts"]:
        assert (merged / art["path"]).read_bytes() == (built / art["path"]).read_bytes()


def test_merge_refuses_a_file_that_does_not_match_its_manifest(tmp_path):
    out = tmp_path / "a"
    assert build(CONTENT, TEMPLATES, out, audiences=["principal"], languages=["en"],
                 formats=["html"]).ok
    (out / "principal-en.html").write_text("tampered")
    result = run("batch", "--merge", str(out), "--out", str(tmp_path / "merged"))
    assert result.exit_code == 1
    assert f"{out / 'principal-en.html'} does not match its manifest's sha256" in result.stderr
    assert not (tmp_path / "merged" / "principal-en.html").exists()


# -- what review found: each once a hole ------------------------------------------------

@pytest.mark.parametrize("file,old,new,expected", [
    ("memo.yaml", "  languages: [en, ko, ja]", "  languages: [en, en, ko, ja]",
     "variants.languages: listed more than once: en"),
    ("audiences/principal.yaml", "recommendations: [reaffirm-alliances, settle-cost-sharing, "
     "revive-trilateral-group,\n                  consult-as-equals, anchor-on-shared-threats, "
     "back-political-openings]", "recommendations: 0",
     "recommendations: expected a number of recommendations (1 or more) or a list of their ids"),
    ("audiences/principal.yaml", "recommendations: [reaffirm-alliances,",
     "recommendations: [reaffirm-alliance,",
     "recommendations[0]: unknown recommendation id 'reaffirm-alliance'; did you mean "
     "'reaffirm-alliances'?"),
    ("memo.yaml", "    - {audience: [staff, congress, principal], language: [ko, ja]}",
     "    - {audience: [staff, congress, principal, nobody], language: [ko, ja]}",
     "variants.exclude[0].audience[3]: unknown audience id 'nobody'"),
    ("audiences/principal.yaml", "sections: [bluf,", "sections: [framing, bluf,",
     "framing: missing: this audience's template prints it"),
    ("audiences/partner.yaml", "headings: {precedents: shared-record}",
     "headings: {precedents: shared-recrod}", "headings.precedents: unknown label "
     "'shared-recrod': add it to "),
])
def test_matrix_and_profile_mistakes_are_located(content_copy, file, old, new, expected):
    _edit(content_copy / file, old, new)
    result = run("check", "--content", str(content_copy))
    assert result.exit_code == 2
    assert expected in result.stderr
    assert "Traceback" not in result.output
    assert len(result.stderr.splitlines()) == 2, result.stderr  # one problem, one summary


def test_a_missing_briefing_file_is_named(content_copy):
    (content_copy / "briefing.yaml").unlink()
    result = run("check", "--content", str(content_copy))
    assert result.exit_code == 2
    assert (f"{content_copy / 'briefing.yaml'}:1:1: file is missing: this audience's template "
            "prints its content") in result.stderr


def test_templates_cannot_reach_the_raw_models(tmp_path):
    """The raw models hold every language: a template reaching them could print English
    in a Korean memo. The view keeps them private, and the sandbox enforces it."""
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    base = templates / "base.html.j2"
    text = (TEMPLATES / "base.html.j2").read_text()
    line = _line_of(TEMPLATES / "base.html.j2", "{{ view.title }}</h1>")
    # each of these exists (Jinja's sandbox names an attribute unsafe only once it has
    # found it): the project and profile behind the view, the model behind a wrapper
    for expr, attr, owner in [("view._project.memo.title", "_project", "View"),
                              ("view._profile.to", "_profile", "View"),
                              ("view.memo._model.title", "_model", "Localized")]:
        base.write_text(text.replace("{{ view.title }}</h1>", "{{ " + expr + " }}</h1>"))
        result = run("build", "-a", "partner", "-l", "ko", "-f", "html", "--templates",
                     str(templates), "--out", str(tmp_path / "out"))
        assert result.exit_code == 1, (expr, result.output)
        assert f"failed: partner-ko: {base}:{line}: unsafe template operation: access to " \
            f"attribute '{attr}' of '{owner}' object is unsafe." in result.stderr, result.stderr
        assert "Traceback" not in result.output
        assert not (tmp_path / "out" / "partner-ko.html").exists()


def test_a_filter_on_a_missing_translation_is_reported_not_a_traceback(content_copy, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    base = templates / "base.html.j2"
    base.write_text(base.read_text().replace("{{ view.subject }}</dd>",
                                             "{{ view.subject | truncate(60) }}</dd>"))
    partner = content_copy / "audiences" / "partner.yaml"
    _edit(partner, "  ko: 한미일 3국 협력 재활성화를 위한 제안\n", "")
    result = run("check", "--content", str(content_copy), "--templates", str(templates))
    assert result.exit_code == 2
    line = next(n for n, text in enumerate(partner.read_text().splitlines(), 1)
                if text.startswith("subject:")) + 1
    assert f"{partner}:{line}:3: subject: no Korean text (ko); add a 'ko:' entry" \
        in result.stderr


def test_a_label_with_a_wrong_placeholder_is_located(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    labels = templates / "labels.yaml"
    _edit(labels, 'ko: "{administration} 행정부({years}년)"', 'ko: "{administration} 행정부({year}년)"')
    result = run("check", "--templates", str(templates))
    assert result.exit_code == 2
    line = _line_of(labels, "administration-years:")
    assert (f"{labels}:{line}:61: administration-years.ko: cannot fill in this label "
            "(KeyError: 'year'); the template gives {administration}, {years}") in result.stderr


def test_a_pdf_with_missing_glyphs_is_refused(tmp_path):
    """On a machine without Noto CJK, a Korean PDF would be boxes: it fails instead, and
    nothing is written that a later run could take for up to date."""
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
                    f"<fontconfig><dir>/nonexistent</dir><cachedir>{tmp_path}/fc</cachedir>"
                    "</fontconfig>")
    import os
    import subprocess
    import sys

    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "memo", "build", "-a", "partner", "-l", "ko", "-f", "pdf",
         "--content", str(CONTENT), "--templates", str(TEMPLATES), "--out", str(out)],
        capture_output=True, text=True, env={**os.environ, "FONTCONFIG_FILE": str(conf)})
    assert proc.returncode == 1
    assert "no font here has glyphs for" in proc.stderr and "fonts-noto-cjk" in proc.stderr
    assert not (out / "partner-ko.pdf").exists()


def test_only_the_stale_format_is_rebuilt(tmp_path):
    out = tmp_path / "out"
    args = ("build", "-a", "principal", "-l", "en", "--out", str(out))
    assert run(*args, "-f", "html").exit_code == 0
    html = (out / "principal-en.html").stat()
    assert run(*args, "-f", "html", "-f", "docx").exit_code == 0
    # a write replaces the file (a new inode), so the same inode is the file left alone
    assert (out / "principal-en.html").stat().st_ino == html.st_ino
    assert (out / "principal-en.docx").is_file()
    docx = (out / "principal-en.docx").stat()
    assert run(*args, "-f", "html", "-f", "docx", "--force").exit_code == 0
    assert (out / "principal-en.html").stat().st_ino != html.st_ino, "--force rewrites it"
    assert (out / "principal-en.docx").stat().st_ino != docx.st_ino


def test_page_budget_holds_without_a_pdf(content_copy, tmp_path):
    _edit(content_copy / "audiences" / "principal.yaml", "budget: {pages: 2}",
          "budget: {pages: 1}")
    result = run("build", "-a", "principal", "-l", "en", "-f", "docx", "--content",
                 str(content_copy), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "over budget: principal-en.pdf: 2 pages, budget 1" in result.stderr
    assert not (tmp_path / "out" / "principal-en.docx").exists()


def test_merge_checks_shards_add_up(tmp_path):
    shards = [tmp_path / f"s{k}" for k in (1, 2, 3)]
    for k, out in enumerate(shards, start=1):
        assert build(CONTENT, TEMPLATES, out, formats=["html"], shard=(k, 3), jobs=1).ok
    missing = run("batch", "--merge", str(shards[0]), str(shards[2]), "--out",
                  str(tmp_path / "m"))
    assert missing.exit_code == 1
    assert "shards do not add up: missing 2/3" in missing.stderr
    assert not (tmp_path / "m").exists(), "nothing written before every check passed"
    twice = run("batch", "--merge", *map(str, shards), str(shards[1]), "--out",
                str(tmp_path / "m"))
    assert "given twice 2/3" in twice.stderr
    ok = run("batch", "--merge", *map(str, shards), "--out", str(tmp_path / "m"))
    assert ok.exit_code == 0, ok.output
    modes = {oct(p.stat().st_mode & 0o777) for p in (tmp_path / "m").iterdir()}
    assert modes == {"0o644"}
    assert "shard" not in json.loads((tmp_path / "m" / "manifest.json").read_text())


def test_merge_refuses_shards_of_different_inputs(content_copy, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert build(content_copy, TEMPLATES, a, formats=["html"], shard=(1, 2), jobs=1).ok
    _edit(content_copy / "memo.yaml", "date: 2021-02-08", "date: 2021-02-09")
    assert build(content_copy, TEMPLATES, b, formats=["html"], shard=(2, 2), jobs=1).ok
    result = run("batch", "--merge", str(a), str(b), "--out", str(tmp_path / "m"))
    assert result.exit_code == 1
    assert "was built from other inputs or another plan" in result.stderr


def test_an_output_folder_that_cannot_be_written_is_named(tmp_path):
    result = run("build", "-a", "principal", "-l", "en", "-f", "html", "--out", "/proc/memo")
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert "/proc/memo" in result.stderr


def test_library_versions_read_off_the_folders_are_what_importlib_metadata_says(tmp_path,
                                                                              monkeypatch):
    """The inputs hash names each library's version (memo.cache); read from the
    dist-info folders' names in one listing, it must agree with importlib.metadata."""
    from importlib.metadata import PackageNotFoundError, version

    from memo import cache
    from memo.writers import libraries

    def slow(name):
        try:
            return version(name)
        except PackageNotFoundError:
            return "none"

    names = (*cache.RENDER_LIBRARIES, *libraries())
    assert cache.library_versions().split(";")[1:] == [f"{n}={slow(n)}" for n in names]
    # a folder earlier on the path shadows a later one, as it does for imports
    (tmp_path / "Jinja2-0.1.dist-info").mkdir()
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "jinja2=0.1" in cache.library_versions().split(";")
