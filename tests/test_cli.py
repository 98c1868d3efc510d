"""The command line contract: options, exit statuses, atomic writes, light start-up."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from memo import __version__
from memo.cli import main

from .conftest import CONTENT, ROOT, TEMPLATES


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"memo, version {__version__}"


@pytest.mark.parametrize("command", ["build", "batch", "check", "list", "release", "verify",
                                     "new", "serve", "schema", "theme"])
def test_every_command_has_help_with_an_example(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output and f"memo {command}" in result.output


def test_help_does_not_import_the_renderers():
    code = ("import sys; from click.testing import CliRunner; from memo.cli import main; "
            "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0; "
            "heavy = [m for m in ('weasyprint', 'docx', 'pydantic', 'lxml') if m in sys.modules]; "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_an_up_to_date_batch_loads_no_renderer_and_no_content_model(tmp_path):
    """The warm path checks hashes only: what takes time (validating, rendering) is skipped."""
    out = tmp_path / "out"
    first = run("build", "-f", "html", "--content", str(CONTENT), "--templates", str(TEMPLATES),
                "--out", str(out))
    assert first.exit_code == 0, first.output
    code = ("import sys; from click.testing import CliRunner; from memo.cli import main; "
            f"r = CliRunner().invoke(main, ['build', '-f', 'html', '--content', {str(CONTENT)!r}, "
            f"'--templates', {str(TEMPLATES)!r}, '--out', {str(out)!r}]); "
            "assert r.exit_code == 0, r.output; assert '6 up to date' in r.output, r.output; "
            "print([m for m in ('weasyprint', 'docx', 'pydantic', 'jinja2', 'lxml') "
            "if m in sys.modules])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_list_shows_audiences_and_formats():
    result = run("list", "--content", str(CONTENT))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["variant", "audience", "language", "formats", "budget"]
    assert lines[1].split() == ["congress-en", "congress", "English", "pdf", "docx", "html", "3",
                                "pages"]
    assert "partner-ko    partner    Korean" in result.output
    assert "6 variants, 18 files" in result.output


def test_check_valid_content():
    result = run("check", "--content", str(CONTENT))
    assert result.exit_code == 0
    assert "valid (3 precedents" in result.output


def test_unknown_audience_is_a_usage_error(tmp_path):
    result = run("build", "-a", "nobody", "--content", str(CONTENT), "--out", str(tmp_path))
    assert result.exit_code == 2
    assert ("unknown audience 'nobody'; the variants declare: principal, staff, congress, "
            "partner") in result.stderr
    assert not list(tmp_path.iterdir())


def test_unknown_format_is_a_usage_error(tmp_path):
    result = run("build", "-f", "odt", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "'odt' is not one of 'pdf', 'docx', 'html'" in result.output


def test_build_one_variant_and_merge_the_manifest(tmp_path):
    out = tmp_path / "out"
    r1 = run("build", "-a", "principal", "-l", "en", "-f", "html", "--content", str(CONTENT),
             "--templates", str(TEMPLATES), "--out", str(out))
    assert r1.exit_code == 0, r1.output
    r2 = run("build", "-a", "staff", "-f", "html", "--content", str(CONTENT),
             "--templates", str(TEMPLATES), "--out", str(out))
    assert r2.exit_code == 0
    assert "staff-en  built" in r2.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert [a["path"] for a in manifest["artifacts"]] == ["principal-en.html", "staff-en.html"]
    assert sorted(p.name for p in out.iterdir()) == [".memo-plans.json", ".memo.lock",
                                                     "manifest.json",
                                                     "principal-en.html", "staff-en.html"]


def test_failed_writer_keeps_the_previous_good_file(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    out = tmp_path / "out"
    ok = run("build", "-a", "principal", "-l", "en", "-f", "docx", "-f", "html", "--templates",
             str(templates), "--out", str(out))
    assert ok.exit_code == 0, ok.output
    before = (out / "principal-en.docx").read_bytes()
    (templates / "reference.docx").write_bytes(b"not a zip")
    bad = run("build", "-a", "principal", "-l", "en", "-f", "docx", "-f", "html", "--templates",
              str(templates), "--out", str(out))
    assert bad.exit_code == 1
    assert "failed: principal-en: " in bad.stderr
    assert "cannot open the Word reference document" in bad.stderr
    assert "Traceback" not in bad.output
    assert (out / "principal-en.docx").read_bytes() == before
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")], "no temporary files left"


def test_reference_docx_missing_a_style_names_it(tmp_path):
    import docx

    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    ref = docx.Document(str(templates / "reference.docx"))
    style = ref.styles["Lesson"]
    style.element.getparent().remove(style.element)
    ref.save(str(templates / "reference.docx"))
    bad = run("build", "-a", "staff", "-f", "docx", "--templates", str(templates),
              "--out", str(tmp_path / "out"))
    assert bad.exit_code == 1
    assert "lacks the Word style(s) 'Lesson'" in bad.stderr


def test_template_typo_names_template_and_line(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    path = templates / "sections" / "caveats.html.j2"
    path.write_text(path.read_text().replace("c.title", "c.titel"))
    bad = run("build", "-a", "staff", "-f", "html", "--templates", str(templates),
              "--out", str(tmp_path / "out"))
    assert bad.exit_code == 1
    assert "caveats.html.j2:5:" in bad.stderr and "titel" in bad.stderr


def test_markup_outside_the_subset_is_refused(tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    path = templates / "sections" / "bluf.html.j2"
    path.write_text(path.read_text().replace("<p>", "<table><tr><td>", 1))
    bad = run("build", "-a", "staff", "-f", "pdf", "--templates", str(templates),
              "--out", str(tmp_path / "out"))
    assert bad.exit_code == 1
    assert "rendered markup outside the memo subset" in bad.stderr
    assert "<table> is not in the memo document subset" in bad.stderr


def test_content_is_text_not_markup(content_copy, tmp_path):
    memo = content_copy / "memo.yaml"
    memo.write_text(memo.read_text().replace(
        "  en: Using", "  en: <script>alert(1)</script> {{ 7*7 }} Using"))
    result = run("build", "-a", "principal", "-l", "en", "-f", "html", "--content",
                 str(content_copy),
                 "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    html = (tmp_path / "principal-en.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }} Using" in html
    assert "<script>" not in html


def memo_script() -> str:
    """The installed ``memo`` console script: beside the interpreter running the tests
    (a virtual environment's bin/, wherever it is), else the one on PATH."""
    beside = shutil.which("memo", path=os.path.dirname(sys.executable))
    found = beside or shutil.which("memo")
    if not found:
        pytest.fail(f"no memo console script beside {sys.executable} or on PATH: install "
                    "memo into this environment (./dev does, or pip install -e .)")
    return found


def test_console_script_runs(tmp_path):
    exe = memo_script()
    proc = subprocess.run([exe, "check"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_builds_are_byte_identical_across_processes_and_folders(tmp_path):
    """Same inputs, two processes started from different folders: the same bytes."""
    hashes = []
    for n in (1, 2):
        cwd = tmp_path / f"cwd{n}"
        cwd.mkdir()
        subprocess.run([sys.executable, "-m", "memo", "build", "--content", str(CONTENT),
                        "--templates", str(TEMPLATES), "--out", str(tmp_path / f"out{n}")],
                       cwd=cwd, check=True, capture_output=True)
        manifest = json.loads((tmp_path / f"out{n}" / "manifest.json").read_text())
        hashes.append({a["path"]: a["sha256"] for a in manifest["artifacts"]})
    assert len(hashes[0]) == 18
    assert hashes[0] == hashes[1]


def test_check_json_for_editors_and_ci(content_copy):
    ok = run("check", "--format", "json", "--content", str(content_copy))
    assert ok.exit_code == 0
    assert json.loads(ok.stdout) == {"ok": True, "problems": [], "variants": [
        "congress-en", "partner-en", "partner-ja", "partner-ko", "principal-en",
        "staff-en"]}
    path = content_copy / "precedents.yaml"
    path.write_text(path.read_text().replace("years: 1983-1984", "years: 1983 to 1984"))
    bad = run("check", "--format", "json", "--content", str(content_copy))
    assert bad.exit_code == 2
    doc = json.loads(bad.stdout)
    assert doc["ok"] is False and doc["variants"] is None
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1)
                if "years: 1983 to 1984" in text)
    assert doc["problems"] == [{"file": str(path), "line": line, "column": 12,
                                "field": "precedents[1].years",
                                "message": "expected a year range like 1983-1984"}]


@pytest.mark.parametrize("shell,marker", [("bash", "_memo_completion()"),
                                          ("zsh", "#compdef memo"),
                                          ("fish", "function _memo_completion")])
def test_shell_completion_scripts(shell, marker):
    exe = memo_script()
    proc = subprocess.run([exe], env={**os.environ, "_MEMO_COMPLETE": f"{shell}_source"},
                          capture_output=True, text=True)
    assert proc.returncode == 0 and marker in proc.stdout


def test_completion_offers_commands_and_audiences():
    exe = memo_script()

    def complete(words: str) -> list[str]:
        env = {**os.environ, "_MEMO_COMPLETE": "bash_complete", "COMP_WORDS": words,
               "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))}
        out = subprocess.run([exe], env=env, cwd=ROOT, capture_output=True, text=True).stdout
        return [line.split(",", 1)[1] for line in out.splitlines()]

    assert complete("memo re") == ["redline", "release"]
    assert complete("memo build -a p") == ["partner", "principal"]
    assert "--pdf-variant" in complete("memo build --p")


def test_memo_new_starts_a_project_that_checks_and_builds(tmp_path, monkeypatch):
    folder = tmp_path / "my-memo"
    made = run("new", str(folder), "--title", 'Restoring "Trilateral" Cooperation: 한일')
    assert made.exit_code == 0, made.output
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.yaml")) == [
        "content/audiences/principal.yaml", "content/audiences/staff.yaml",
        "content/caveats.yaml", "content/memo.yaml", "content/precedents.yaml",
        "content/recommendations.yaml", "content/sources.yaml", "memo-project.yaml"]
    assert all("#" in p.read_text() for p in folder.rglob("*.yaml")), "every file explains"
    assert (folder / ".gitignore").read_text().count("/output/") == 1
    assert f"next: cd {folder} && memo check && memo build" in made.output
    monkeypatch.chdir(folder)
    assert run("check").exit_code == 0
    built = run("build")
    assert built.exit_code == 0, built.output
    out = folder / "output"
    assert len(list(out.glob("*-en.*"))) == 6
    from lxml import html as lxml_html

    title = lxml_html.parse(str(out / "principal-en.html")).findtext(".//h1")
    assert title == 'Restoring "Trilateral" Cooperation: 한일'
    again = run("new", str(folder))
    assert again.exit_code == 2 and "already exists and is not empty" in again.stderr
