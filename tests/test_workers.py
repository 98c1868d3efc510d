"""What a worker keeps from one variant to the next, and when the workers start.

A worker's PDF writer keeps one font configuration and the parsed theme for all its
variants (memo.writers.pdf._stylesheets), and the workers start, and prepare their
writers, while the content is still being validated (memo.engine.Workers). Neither
may change a byte of the output, serve a stale theme, or outlive a build.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import shutil
import signal
import tempfile

import pytest

from memo import engine
from memo.build import build
from memo.content import load_project
from memo.errors import ContentError, MemoError
from memo.render import render
from memo.theme import Theme
from memo.writers import pdf

from .conftest import CONTENT, edit, pdftotext


@pytest.fixture(scope="module")
def project():
    return load_project(CONTENT)


def _pdf(project, theme: Theme, audience: str, lang: str) -> bytes:
    return pdf.write(render(project, audience, theme, lang), theme).data


def test_a_pdf_is_the_same_with_the_fonts_and_sheets_kept_from_other_variants(project):
    """Each PDF written after others, with their font configuration and stylesheets,
    is byte for byte the PDF written in a process that kept nothing."""
    theme = Theme(None)
    order = [("staff", "en"), ("partner", "ko"), ("partner", "ja"), ("principal", "en")]
    fresh = {}
    for audience, lang in order:
        pdf._PREPARED.clear()
        fresh[audience, lang] = _pdf(project, theme, audience, lang)
    pdf._PREPARED.clear()
    kept = {v: _pdf(project, theme, *v) for v in order}
    assert len(pdf._PREPARED) == 1  # one configuration served them all
    assert {v: hashlib.sha256(b).hexdigest() for v, b in kept.items()} == \
        {v: hashlib.sha256(b).hexdigest() for v, b in fresh.items()}


def test_an_edited_theme_stylesheet_is_read_again(project, tmp_path):
    """memo serve writes PDFs in one long-lived process: a stylesheet saved between two
    of them is in the second."""
    theme_dir = tmp_path / "templates"
    (theme_dir / "css").mkdir(parents=True)
    shutil.copy(Theme(None).path("css/print.css"), theme_dir / "css" / "print.css")
    theme = Theme(theme_dir)
    before = _pdf(project, theme, "principal", "en")
    with (theme_dir / "css" / "print.css").open("a") as f:
        f.write('\n@page { @top-left { content: "EDITEDSHEET"; } }\n')
    after = tmp_path / "after.pdf"
    after.write_bytes(_pdf(project, theme, "principal", "en"))
    assert after.read_bytes() != before
    assert "EDITEDSHEET" in pdftotext(after)


def test_a_refused_font_is_refused_for_every_pdf_that_uses_the_sheet(project, tmp_path):
    """The fetcher refuses a font outside the theme while the sheet is parsed, once; the
    second PDF with that sheet (parsed no more) is refused just the same."""
    theme_dir = tmp_path / "templates"
    (theme_dir / "css").mkdir(parents=True)
    shutil.copy(Theme(None).path("css/print.css"), theme_dir / "css" / "print.css")
    edit(theme_dir / "css" / "print.css", "@page", '@font-face { font-family: "Stolen"; '
         'src: url(file:///usr/share/fonts/truetype/dejavu/DejaVuSans.ttf); }\n@page')
    theme = Theme(theme_dir)
    for _ in range(2):
        with pytest.raises(MemoError, match="the theme asks for files memo will not load"):
            _pdf(project, theme, "principal", "en")


def test_content_that_does_not_load_starts_no_worker(monkeypatch, content_copy, tmp_path):
    """Invalid content answers at the speed of `memo check`: no worker started, no
    temporary folder left."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    started = []
    monkeypatch.setattr(engine.Workers, "__init__", lambda self, *a: started.append(a))
    edit(content_copy / "precedents.yaml", "    years: 1965", "    yeers: 1965")
    with pytest.raises(ContentError, match="yeers"):
        build(content_copy, None, tmp_path / "out")
    assert started == []
    assert multiprocessing.active_children() == []
    assert list(scratch.iterdir()) == []
    assert not list((tmp_path / "out").glob("*.pdf"))


def test_a_writer_that_cannot_prepare_still_writes(monkeypatch, content_copy, tmp_path):
    """Preparing is only a head start: a failure there is met again, and reported, by
    the task itself; here the task succeeds."""
    from memo import engine
    from memo.writers import pdf as pdf_writer

    def broken(theme):
        raise RuntimeError("prepare failed")

    monkeypatch.setattr(engine, "_start_method", lambda: multiprocessing.get_context("fork"))
    monkeypatch.setattr(pdf_writer, "WRITER", pdf_writer.WRITER.__class__(
        **{**pdf_writer.WRITER.__dict__, "prepare": broken}))
    signal.alarm(120)  # a worker whose start fails is started again, and again: fail, not hang
    try:
        result = build(content_copy, None, tmp_path / "out", audiences=["principal"],
                       formats=["pdf"], jobs=1)
    finally:
        signal.alarm(0)
    assert result.ok, result.failures
    assert (tmp_path / "out" / "principal-en.pdf").stat().st_size > 10_000


def test_workers_prepare_only_the_writers_of_the_formats_asked_for(monkeypatch, content_copy,
                                                                   tmp_path):
    """An HTML build's workers do not import WeasyPrint (half a second each)."""
    from memo import engine
    from memo.writers import html as html_writer
    from memo.writers import pdf as pdf_writer

    prepared = tmp_path / "prepared"
    prepared.mkdir()

    def noting(fmt):
        return lambda theme: (prepared / fmt).touch()

    monkeypatch.setattr(engine, "_start_method", lambda: multiprocessing.get_context("fork"))
    for module, fmt in ((pdf_writer, "pdf"), (html_writer, "html")):
        monkeypatch.setattr(module, "WRITER", module.WRITER.__class__(
            **{**module.WRITER.__dict__, "prepare": noting(fmt)}))
    result = build(content_copy, None, tmp_path / "out", audiences=["principal"],
                   formats=["html"], jobs=1)
    assert result.ok, result.failures
    assert sorted(p.name for p in prepared.iterdir()) == ["html"]
