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
