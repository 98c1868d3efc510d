"""memo as a user installs it: the wheel, built from a tagged commit, installed into a
fresh virtual environment, run on a project of its own outside this checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT, need


def sh(*args, cwd: Path, env: dict | None = None) -> str:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    assert proc.returncode == 0, f"{args}: {proc.stdout}\n{proc.stderr}"
    return proc.stdout


def tagged(folder: Path, tag: str) -> None:
    """Make ``folder`` a git repository whose one commit, of everything, is ``tag``."""
    who = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    sh("git", "init", "-q", cwd=folder)
    sh("git", "add", "-A", cwd=folder)
    sh("git", "commit", "-q", "-m", tag, cwd=folder, env=who)
    sh("git", "tag", tag, cwd=folder)


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """sdist and wheel of this checkout as it stands, committed in a copy and tagged
    v9.8.7: the version must come from the tag."""
    need("git")
    src = tmp_path_factory.mktemp("src") / "memo"
    files = sh("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard",
               cwd=ROOT).split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    tagged(src, "v9.8.7")
    out = tmp_path_factory.mktemp("dist")
    sh(sys.executable, "-m", "build", "--outdir", out, src, cwd=src)  # sdist, then the wheel from it
    return out


def test_the_sdist_and_wheel_carry_the_version_and_the_theme(dist):
    assert sorted(p.name for p in dist.iterdir()) == ["memo-9.8.7-py3-none-any.whl",
                                                      "memo-9.8.7.tar.gz"]
    with zipfile.ZipFile(dist / "memo-9.8.7-py3-none-any.whl") as whl:
        names = set(whl.namelist())
    theme = {p.relative_to(ROOT / "templates").as_posix()
             for p in (ROOT / "templates").rglob("*") if p.is_file()}
    assert {f"memo/builtin_theme/{n}" for n in theme} <= names
    assert "memo/builtin_theme/fonts/LICENSE-Noto.txt" in names
    assert "memo/skeleton/content/memo.yaml" in names and "memo/skeleton/gitignore" in names
    assert not any(n.startswith(("tests/", "content/", "templates/")) for n in names)


def test_the_wheel_builds_a_project_outside_the_checkout(dist, tmp_path):
    import pikepdf

    pdffonts = need("pdffonts")
    venv = tmp_path / "venv"
    sh(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    sh(venv / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check",
       "-c", ROOT / "constraints.txt", dist / "memo-9.8.7-py3-none-any.whl", cwd=tmp_path)
    memo = venv / "bin" / "memo"
    clean = {"PYTHONPATH": "", "VIRTUAL_ENV": str(venv)}
    assert sh(memo, "--version", cwd=tmp_path, env=clean).strip() == "memo, version 9.8.7"
    work = tmp_path / "work"
    work.mkdir()
    sh(memo, "new", "my-memo", "--title", "A Memo Built From the Wheel", cwd=work, env=clean)
    project = work / "my-memo"
    sh(memo, "check", cwd=project, env=clean)
    built = sh(memo, "build", cwd=project / "content", env=clean)
    assert "2 built, 0 up to date, 0 failed" in built
    tagged(project, "draft-1")
    sh(memo, "release", cwd=project, env=clean)
    assert (project / "dist" / "memo-draft-1.zip").is_file()
    verified = sh(memo, "verify", "dist/memo-draft-1.zip", cwd=project, env=clean)
    assert "draft-1: 6 of 6 files match" in verified
    for pdf in sorted((project / "output").glob("*.pdf")):
        with pikepdf.open(pdf) as doc:
            assert "/StructTreeRoot" in doc.Root and doc.Root.MarkInfo.Marked, pdf
            assert str(doc.Root.Lang) == "en"
        table = subprocess.run([pdffonts, pdf], capture_output=True, text=True,
                               check=True).stdout.splitlines()[2:]
        assert table and all(row.split()[-5] == "yes" for row in table), (pdf, table)
