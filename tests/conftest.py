"""Shared fixtures: one real build of the bundled memo, read back as a reader would."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
TEMPLATES = ROOT / "templates"


def need(tool: str) -> str:
    """The path of a system tool; a missing tool fails the test under CI, skips it elsewhere."""
    path = shutil.which(tool)
    if path is None:
        msg = f"{tool} is not installed (./dev test installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return path


def pdftotext(pdf: Path, *args: str) -> str:
    exe = need("pdftotext")
    return subprocess.run([exe, "-enc", "UTF-8", *args, str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout


def structure_elements(pdf) -> list:
    """The tagged PDF's structure elements (pikepdf dictionaries), in reading order."""
    import pikepdf

    out: list = []

    def walk(node):
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)
        elif isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                out.append(node)
            if "/K" in node:
                walk(node.K)

    walk(pdf.Root.StructTreeRoot.get("/K"))
    return out


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in the file at ``path``; fail if it is not there."""
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def line_of(path: Path, needle: str) -> int:
    """The number of the first line of ``path`` that holds ``needle``."""
    return next(n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
                if needle in line)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """The bundled memo, every audience in every format, built once through the library."""
    from memo.build import build

    out = tmp_path_factory.mktemp("output")
    result = build(CONTENT, TEMPLATES, out)
    assert result.ok, result.failures
    return out


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A writable copy of the bundled content, for tests that break it."""
    dst = tmp_path / "content"
    shutil.copytree(CONTENT, dst)
    return dst


# Debian's Chromium, quiet: no first-run, sync or update traffic from the tests.
BROWSER_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium from the system's packages, through Playwright (whose own browser
    download is never used); one per test module, since a launch costs about a second."""
    chromium = need("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=BROWSER_FLAGS)
        yield b
        b.close()


# Every DOCX a test builds into its tmp_path is checked as Word would read it
# (tests/ooxml_check.py), without each test having to ask: whatever path through the
# writer a test takes is held to it.
@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    outcome = yield
    folder = getattr(item, "funcargs", {}).get("tmp_path")
    if folder is not None:
        from .ooxml_check import check_built

        check_built(folder)
    return outcome
