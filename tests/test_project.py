"""memo as a tool: projects found from any folder, a theme a project overrides file by
file, and schemas that editors read."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import html as lxml_html

from memo import project as projects
from memo.cli import main
from memo.errors import ContentError, MemoError, UsageError
from memo.theme import Theme, builtin_folder

from .conftest import CONTENT, ROOT, TEMPLATES, pdftotext


def run(*args, cwd: Path | None = None):
    old = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        return CliRunner().invoke(main, [str(a) for a in args])
    finally:
        os.chdir(old)


@pytest.fixture
def proj(tmp_path) -> Path:
    """A project as `memo new` makes it, in a folder outside this repository."""
    made = run("new", tmp_path / "my-memo", "--title", "Test Memo")
    assert made.exit_code == 0, made.output
    return tmp_path / "my-memo"


# -- finding the project ----------------------------------------------------------------

def test_this_repository_is_a_project():
    where = projects.locate(cwd=ROOT / "memo" / "writers")
    assert where.root == ROOT
    assert (where.content, where.templates, where.output, where.dist) == (
        ROOT / "content", ROOT / "templates", ROOT / "output", ROOT / "dist")


def test_a_project_is_found_from_any_folder_inside_it(proj):
    deep = proj / "content" / "audiences"
    for cwd in (proj, deep):
        where = projects.locate(cwd=cwd)
        assert where.root == proj and where.content == proj / "content"
        assert where.output == proj / "output" and where.templates == proj / "templates"
    given = projects.locate(output=Path("elsewhere"), cwd=deep)
    assert given.output == deep / "elsewhere", "an option is relative to where it is typed"


def test_content_given_from_outside_finds_its_project(proj, tmp_path):
    outside = tmp_path / "somewhere"
    outside.mkdir()
    where = projects.locate(Path("../my-memo/content"), cwd=outside)
    assert where.root == proj
    assert where.output == proj / "output" and where.templates == proj / "templates"


def test_outside_any_project_a_command_says_so_in_one_line(tmp_path):
    with pytest.raises(UsageError) as err:
        projects.locate(cwd=tmp_path)
    assert str(err.value).count("\n") == 0 and "memo new" in str(err.value)
    for command in (["check"], ["build"], ["list"], ["release"], ["serve"]):
        result = run(*command, cwd=tmp_path)
        assert result.exit_code == 2, command
        assert result.stderr.startswith("not in a memo project: no memo-project.yaml in "), command
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


def test_a_content_folder_in_no_project_builds_with_the_builtin_theme(tmp_path):
    content = tmp_path / "memos" / "loose"
    shutil.copytree(CONTENT, content)
    for cwd in (tmp_path, content):
        where = projects.locate(content, cwd=cwd)
        assert where.root is None and where.templates is None
        assert where.output == tmp_path / "memos" / "output", "beside it, from anywhere"
        assert Theme(where.templates).layers == (builtin_folder(),)


def test_a_memo_kept_inside_another_project_does_not_write_into_it(proj):
    """Another memo's content copied into drafts/ of this project: building it must not
    use this project's theme or overwrite this project's output."""
    drafts = proj / "drafts" / "other"
    shutil.copytree(proj / "content", drafts)
    where = projects.locate(Path("drafts/other"), cwd=proj)
    assert where.root is None and where.templates is None
    assert where.output == proj / "drafts" / "output"
    assert projects.locate(Path("content"), cwd=proj).root == proj


def test_the_marker_can_move_the_folders(proj):
    (proj / "content").rename(proj / "memo-source")
    (proj / projects.MARKER).write_text("content: memo-source\noutput: build/out\n")
    where = projects.locate(cwd=proj)
    assert where.content == proj / "memo-source" and where.output == proj / "build" / "out"
    assert where.dist == proj / "dist"
    built = run("build", "-f", "html", cwd=proj / "memo-source")
    assert built.exit_code == 0, built.output
    assert (proj / "build" / "out" / "staff-en.html").is_file()


@pytest.mark.parametrize("text, problem", [
    ("outptu: out\n", "1:1: outptu: unknown key; did you mean 'output'?"),
    ("content: /etc\n", "1:10: content: expected a folder inside the project"),
    ("output: ../../tmp\n", "1:9: output: expected a folder inside the project"),
    ("templates: [a]\n", "1:12: templates: expected a folder inside the project"),
    ("- content\n", "1:1: expected a mapping"),
    ("content: [\n", "invalid YAML"),
])
def test_a_bad_marker_is_reported_at_its_line(proj, text, problem):
    marker = proj / projects.MARKER
    marker.write_text(text)
    with pytest.raises(ContentError) as err:
        projects.locate(cwd=proj)
    assert problem in str(err.value)
    result = run("check", cwd=proj / "content")
    assert result.exit_code == 2 and str(marker) in result.stderr and problem in result.stderr


def test_an_empty_marker_takes_the_defaults(proj):
    (proj / projects.MARKER).write_text("")
    assert projects.locate(cwd=proj).content == proj / "content"


def test_every_command_gives_the_same_result_from_anywhere(proj, tmp_path):
    """From the root, from a subfolder, and from outside with --content pointing in."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    places = [(proj, ()), (proj / "content" / "audiences", ()),
              (outside, ("--content", proj / "content"))]
    checks, lists, builds, releases, verifies = [], [], [], [], []
    for cwd, opts in places:
        checked = run("check", *opts, cwd=cwd)
        assert checked.exit_code == 0, checked.output
        checks.append(checked.output.split(": valid ")[1])
        lists.append(run("list", *opts, cwd=cwd).output)
        built = run("build", "-f", "html", "-f", "docx", *opts, cwd=cwd)
        assert built.exit_code == 0, built.output
        builds.append([line.split()[1] for line in built.stdout.splitlines()[1:-1]])
        made = run("release", "--version", "t1", "--jobs", "1", *opts, cwd=cwd)
        assert made.exit_code == 0, made.output
        releases.append((proj / "dist" / "memo-t1" / "SHA256SUMS").read_text())
        verified = run("verify", proj / "dist" / "memo-t1.zip", "--jobs", "1", *opts, cwd=cwd)
        assert verified.exit_code == 0, verified.output
        verifies.append(verified.output)
    assert checks[0] == checks[1] == checks[2]
    assert lists[0] == lists[1] == lists[2]
    # the first build writes the project's output/; the others find it up to date
    assert builds == [["built", "built"], ["skipped", "skipped"], ["skipped", "skipped"]]
    assert releases[0] == releases[1] == releases[2]
    assert verifies[0] == verifies[1] == verifies[2]
    assert "t1: 6 of 6 files match" in verifies[0]
    assert not (outside / "output").exists() and not (outside / "dist").exists()


# -- the theme and a project's overrides ------------------------------------------------

def _override_bluf_and_a_label(proj: Path) -> None:
    copied = run("theme", "copy", "sections/bluf.html.j2", cwd=proj)
    assert copied.exit_code == 0, copied.output
    bluf = proj / "templates" / "sections" / "bluf.html.j2"
    bluf.write_text(bluf.read_text().replace(
        "</section>", "<p>The decision is needed by Friday.</p>\n</section>"))
    (proj / "templates" / "labels.yaml").write_text("bottom-line: {en: Decision in Brief}\n")


def _article_sections(path: Path) -> dict[str, str]:
    tree = lxml_html.parse(str(path))
    return {s.get("id"): lxml_html.tostring(s, encoding="unicode")
            for s in tree.iterfind(".//article/section")}


def test_a_project_overrides_one_section_and_one_label_in_every_format(proj, tmp_path):
    import docx

    plain = run("build", "--out", tmp_path / "plain", cwd=proj)
    assert plain.exit_code == 0, plain.output
    _override_bluf_and_a_label(proj)
    built = run("build", cwd=proj)
    assert built.exit_code == 0, built.output
    out = proj / "output"
    for variant in ("principal-en", "staff-en"):
        html = (out / f"{variant}.html").read_text()
        assert "Decision in Brief" in html and "The decision is needed by Friday." in html
        assert "Bottom Line" not in html
        paras = [p.text for p in docx.Document(str(out / f"{variant}.docx")).paragraphs]
        assert "Decision in Brief" in paras and "The decision is needed by Friday." in paras
        text = " ".join(pdftotext(out / f"{variant}.pdf").split())
        assert "decision in brief" in text.lower()
        assert "The decision is needed by Friday." in text
        # everything else is the built-in theme's, as before
        before = _article_sections(tmp_path / "plain" / f"{variant}.html")
        after = _article_sections(out / f"{variant}.html")
        assert before.keys() == after.keys() and len(before) > 2
        assert all(before[k] == after[k] for k in before if k != "bluf")
        old = [p.text for p in docx.Document(str(tmp_path / "plain" / f"{variant}.docx"))
               .paragraphs]
        assert [p for p in old if p != "Bottom Line"] == \
            [p for p in paras if p not in ("Decision in Brief", "The decision is needed by Friday.")]


def test_an_override_can_extend_the_builtin_template(proj):
    (proj / "templates").mkdir()
    (proj / "templates" / "principal.html.j2").write_text(
        '{% extends "builtin/principal.html.j2" %}\n'
        "{% block kind %}Action Memorandum{% endblock %}\n")
    built = run("build", "-a", "principal", "-f", "html", cwd=proj)
    assert built.exit_code == 0, built.output
    page = lxml_html.parse(str(proj / "output" / "principal-en.html"))
    assert page.findtext(".//p[@class='memo-kind']") == "Action Memorandum"
    assert page.find(".//section[@id='decisions']") is not None, "the rest is the built-in one"


def test_a_broken_override_is_reported_with_its_file(proj):
    (proj / "templates" / "sections").mkdir(parents=True)
    broken = proj / "templates" / "sections" / "bluf.html.j2"
    broken.write_text("<section>\n{{ memo.summary | md }\n</section>\n")
    result = run("build", "-a", "principal", "-f", "html", cwd=proj)
    assert result.exit_code == 1
    assert f"{broken}:2: unexpected '}}'" in result.stderr


def test_theme_files_cannot_lead_outside_either_folder(proj, tmp_path):
    from memo.writers.pdf import _fetcher

    (proj / "templates" / "sections").mkdir(parents=True)
    (proj / "templates" / "sections" / "bluf.html.j2").symlink_to("/etc/passwd")
    result = run("check", cwd=proj)
    assert result.exit_code == 1
    assert "sections/bluf.html.j2 leads outside" in result.stderr and "root:" not in result.output
    theme = Theme(proj / "templates")
    fetch = _fetcher(theme)
    # a project stylesheet's url(../fonts/X) gets the built-in font: no copy needed
    font = fetch.fetch((proj / "templates" / "fonts" / "NotoSans-Regular.ttf").as_uri())
    assert font.read() == (builtin_folder() / "fonts" / "NotoSans-Regular.ttf").read_bytes()
    for url in ("file:///etc/passwd", (proj / "content" / "memo.yaml").as_uri(),
                (proj / "templates" / "sections" / "bluf.html.j2").as_uri(),
                "http://127.0.0.1:9/x.css"):
        with pytest.raises((ValueError, MemoError)):
            fetch.fetch(url)


def test_a_label_file_or_font_leading_outside_is_refused_not_skipped(proj, tmp_path):
    """labels.yaml is merged rather than shadowed, and fonts are fetched by WeasyPrint,
    which would log a refused font and go on: neither may slip past the rule."""
    secret = tmp_path / "secret.yaml"
    secret.write_text("bottom-line: {en: LEAKED}\n")
    (proj / "templates").mkdir()
    (proj / "templates" / "labels.yaml").symlink_to(secret)
    result = run("build", "-f", "html", cwd=proj)
    assert result.exit_code == 1 and "labels.yaml leads outside its folder" in result.stderr
    assert not list((proj / "output").glob("*.html"))
    (proj / "templates" / "labels.yaml").unlink()
    run("theme", "copy", "css/print.css", cwd=proj)
    (proj / "templates" / "fonts").mkdir()
    (proj / "templates" / "fonts" / "Custom.ttf").symlink_to(
        builtin_folder() / "fonts" / "NotoSans-Regular.ttf")  # a font, but not this folder's
    with open(proj / "templates" / "css" / "print.css", "a") as css:
        css.write('@font-face { font-family: "Custom"; src: url(../fonts/Custom.ttf) }\n'
                  'h1 { font-family: "Custom" } @font-face { font-family: "Gone"; '
                  'src: url(../fonts/Gone.ttf) } h2 { font-family: "Gone" }\n')
    result = run("build", "-f", "pdf", cwd=proj)
    assert result.exit_code == 1
    assert "the theme asks for files memo will not load: " in result.stderr
    assert "fonts/Custom.ttf leads outside its folder" in result.stderr
    assert "templates/fonts/Gone.ttf: not a file of the theme" in result.stderr


def test_a_link_loop_in_the_theme_folder_is_walked_once(proj):
    (proj / "templates" / "sub").mkdir(parents=True)
    (proj / "templates" / "sub" / "a").symlink_to("..")
    (proj / "templates" / "b").symlink_to(".")
    (proj / "templates" / "out").symlink_to(proj / "content")
    names = Theme(proj / "templates").files()
    assert not [n for n in names if n.startswith(("sub/", "b/", "out/"))]
    assert run("build", "-f", "html", cwd=proj).exit_code == 0


def test_a_project_label_replaces_the_whole_label(tmp_path):
    """A label the project rewrites must come in every language the variants need: the
    built-in Korean is not a translation of the project's English."""
    own = tmp_path / "templates"
    own.mkdir()
    labels = own / "labels.yaml"
    # the partner paper, built in Korean, prints this label
    labels.write_text("# ours\npurpose: {en: Why We Write, ja: 趣旨}\n")
    result = run("check", "--content", CONTENT, "--templates", own)
    assert result.exit_code == 2
    assert f"{labels}:2:10: purpose: no Korean text (ko)" in result.stderr
    assert "no Japanese" not in result.stderr


def test_theme_list_and_copy(proj):
    listed = run("theme", "list", cwd=proj)
    assert listed.exit_code == 0
    assert "sections/bluf.html.j2" in listed.output and "reference.docx" in listed.output
    assert "0 from templates/" in listed.output
    assert run("theme", "copy", "css", "reference.docx", cwd=proj).exit_code == 0
    assert (proj / "templates" / "css" / "print.css").read_bytes() == \
        (builtin_folder() / "css" / "print.css").read_bytes()
    listed = run("theme", "list", cwd=proj).output
    assert "reference.docx" in listed and "5 from templates/" in listed  # 4 css and it
    assert any(line.split() == ["css/memo.css", "project"] for line in listed.splitlines())
    again = run("theme", "copy", "reference.docx", cwd=proj)
    assert again.exit_code == 2 and "--force" in again.stderr
    typo = run("theme", "copy", "sections/blfu.html.j2", cwd=proj)
    assert typo.exit_code == 2 and "did you mean 'sections/bluf.html.j2'" in typo.stderr
    assert run("theme", "copy", "reference.docx", "--force", cwd=proj).exit_code == 0
    assert run("theme", "copy", "--all", cwd=ROOT).exit_code == 2, "not onto the theme itself"


def test_a_theme_change_rebuilds_and_a_project_file_shadows_by_name(proj):
    theme = Theme(proj / "templates")
    before = theme.digest()
    (proj / "templates" / "css").mkdir(parents=True)
    (proj / "templates" / "css" / "screen.css").write_text("body { color: black; }\n")
    shadowed = Theme(proj / "templates")
    assert shadowed.find("css/screen.css") == proj / "templates" / "css" / "screen.css"
    assert shadowed.find("css/print.css") == builtin_folder() / "css" / "print.css"
    assert shadowed.digest() != before
    assert Theme(proj / "templates").digest() == shadowed.digest()


# -- schemas for editors ----------------------------------------------------------------

def _yaml_as_json(path: Path):
    """A YAML file as a YAML language server sees it: dates are strings."""
    import datetime as dt

    import yaml

    def plain(v):
        if isinstance(v, dict):
            return {str(k): plain(x) for k, x in v.items()}
        if isinstance(v, list):
            return [plain(x) for x in v]
        return v.isoformat() if isinstance(v, dt.date) else v

    return plain(yaml.safe_load(path.read_text("utf-8")))


def _validator(name: str):
    from jsonschema import Draft7Validator

    from memo.schema import schema

    body = schema(name)
    assert body["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "$defs" not in json.dumps(body), "draft-07 keeps definitions under 'definitions'"
    Draft7Validator.check_schema(body)
    return Draft7Validator(body)


def _schema_for(path: Path, content: Path) -> str:
    from memo.schema import name_for

    return "project" if path.name == projects.MARKER else \
        name_for(path.relative_to(content).as_posix())


def test_the_bundled_memo_and_a_new_project_validate_against_the_schemas(proj):
    files = [(p, CONTENT) for p in sorted(CONTENT.rglob("*.yaml"))] + \
        [(p, proj / "content") for p in sorted(proj.rglob("*.yaml"))]
    seen = set()
    for path, content in files:
        name = _schema_for(path, content)
        seen.add(name)
        errors = [e.message for e in _validator(name).iter_errors(_yaml_as_json(path))]
        assert errors == [], f"{path}: {errors}"
    assert seen == {"project", "memo", "precedents", "recommendations", "caveats", "sources",
                    "briefing", "audience"}


@pytest.mark.parametrize("name, data, bad", [
    ("precedents", {"precedents": [{"id": "Reagan 1983"}]}, "does not match"),
    ("precedents", {"precedents": [{"id": "x", "years": "1983 to 1984"}]}, "years"),
    ("memo", {"title": "T", "summry": "x"}, "'summry' was unexpected"),
    ("memo", {"title": {"english": "T"}}, "english"),
    ("audience", {"sections": "bluf"}, "is not of type 'array'"),
    ("memo", {"variants": {"formats": ["pdf", "odt"]}}, "['pdf', 'odt'] is not valid"),
])
def test_the_schemas_catch_mistakes_as_an_author_types(name, data, bad):
    messages = " | ".join(e.message for e in _validator(name).iter_errors(data)) + " | " + \
        " | ".join(str(list(e.path)) for e in _validator(name).iter_errors(data))
    assert bad in messages


def test_new_files_point_their_editor_at_the_schema(proj):
    for path in [*proj.rglob("*.yaml")]:
        first = path.read_text().splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("=", 1)[1]).resolve()
        body = json.loads(target.read_text())
        assert body["title"].endswith(path.name if path.parent.name != "audiences"
                                      else "audiences/*.yaml")
        assert target.is_relative_to(proj / ".memo" / "schema")


def test_schema_command(proj):
    one = run("schema", "audience")
    assert one.exit_code == 0 and json.loads(one.output)["title"] == "memo: audiences/*.yaml"
    every = json.loads(run("schema").output)
    assert set(every) == {"memo-project.yaml", "memo.yaml", "precedents.yaml",
                          "recommendations.yaml", "caveats.yaml", "sources.yaml",
                          "briefing.yaml", "audiences/*.yaml"}
    assert run("schema", "nope").exit_code == 2
    stale = proj / ".memo" / "schema" / "memo.json"
    stale.write_text("{}")
    assert run("schema", "--write", cwd=proj / "content").exit_code == 0
    assert json.loads(stale.read_text())["title"] == "memo: memo.yaml"


def test_the_builtin_theme_is_the_repository_templates_folder():
    assert builtin_folder() in (TEMPLATES, ROOT / "memo" / "builtin_theme")
    assert (builtin_folder() / "reference.docx").is_file()


def test_a_new_projects_memos_print_a_clearance_once_it_has_one(proj):
    """The skeleton's profiles list the clearance section: nothing prints until memo.yaml
    has a clearance, then the block closes each memo."""
    memo_yaml = proj / "content" / "memo.yaml"
    assert run("build", "-f", "html", cwd=proj).exit_code == 0
    assert 'class="clearance"' not in (proj / "output" / "staff-en.html").read_text("utf-8")
    memo_yaml.write_text(memo_yaml.read_text("utf-8") + "clearance: {drafted: {name: A. "
                         "Analyst, office: S/P}, cleared: [{office: L, status: pending}]}\n",
                         "utf-8")
    built = run("build", "-f", "html", cwd=proj)
    assert built.exit_code == 0, built.output
    for name in ("staff-en", "principal-en"):
        text = (proj / "output" / f"{name}.html").read_text("utf-8")
        assert "S/P: A. Analyst" in text and "L: (pending)" in text, name
