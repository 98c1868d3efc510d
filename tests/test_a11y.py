"""Accessibility: axe-core (WCAG 2.1 A and AA, and axe's best practices), run in the same
headless Chromium as memo serve's tests, finds nothing in any variant's HTML or in the
preview pages. axe-core comes from npm into .venv/npm (./dev test installs it)."""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest

from memo.content import load_project
from memo.plan import plan
from memo.serve import start

from .conftest import CONTENT, ROOT, TEMPLATES

AXE = ROOT / ".venv" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
RUN = ("tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
       " resultTypes: ['violations']})")  # details for the violations only: faster


@pytest.fixture(scope="module")
def audit(browser):
    """``audit(url, shows, name)``: axe's violations on the page at ``url``, one entry per
    rule with its first elements. ``shows`` is a selector the page must have, so that a page that
    failed to render (and has nothing to violate) cannot pass for the one meant."""
    if not AXE.is_file():
        msg = "axe-core is not installed (./dev test installs it with npm)"
        if os.environ.get("CI") == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    page = browser.new_page()
    page.add_init_script(path=str(AXE))  # one tab; axe is in every page it loads

    def run(url: str, shows: str, name: str = "") -> list[str]:
        page.goto(url)
        assert page.locator(shows).count(), f"{url}: no {shows} on the page"
        name = name or url.rsplit("/", 1)[-1]
        return [f"{name}: {v['id']} ({v['impact']}, {len(v['nodes'])} element(s)): "
                f"{v['help']}" + "".join(f"\n      {' '.join(n['target'])}  {n['html'][:100]}"
                                         for n in v["nodes"][:3])
                for v in page.evaluate(RUN, TAGS)["violations"]]

    yield run
    page.close()


@contextmanager
def serving(content):
    server = start(content, TEMPLATES, port=0)
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}"
    finally:
        server.stop_watching.set()
        server.shutdown()


def _report(problems: list[str]) -> str:
    return "axe-core finds, per page and rule (the first elements):\n  " + "\n  ".join(problems)


def test_every_variant_html_passes_axe(built, audit):
    names = [v.name for v in plan(load_project(CONTENT)) if "html" in v.formats]
    assert sorted(p.stem for p in built.glob("*.html")) == sorted(names)
    problems = [line for name in names
                for line in audit((built / f"{name}.html").as_uri(), "article.memo")]
    assert not problems, _report(problems)


def test_preview_pages_pass_axe(audit, content_copy):
    from .test_absorb import NOTES

    (content_copy / "review.yaml").write_text(NOTES, "utf-8")  # reviewers' notes shown
    names = [v.name for v in plan(load_project(content_copy))]
    with serving(content_copy) as url:
        problems = audit(url + "/", "a[href$='.pdf']", "preview index")
        for name in names:
            shows = "span.review-note" if name in ("staff-en", "partner-ko") else \
                "article.memo"
            problems += audit(f"{url}/v/{name}.html", shows, f"preview {name}")
    # The page shown instead while the content does not build. The content is broken
    # before the server starts: an edit while it runs would reload the page mid-audit.
    precedents = content_copy / "precedents.yaml"
    precedents.write_text(precedents.read_text().replace("years: 1983-1984",
                                                         "years: 1983 to 1984"))
    with serving(content_copy) as url:
        problems += audit(url + "/", ".memo-errors", "preview problems page")
    assert not problems, _report(problems)


def test_review_notes_in_the_html_pass_axe(audit, content_copy, tmp_path):
    from memo.build import build

    from .test_absorb import NOTES

    (content_copy / "review.yaml").write_text(NOTES, "utf-8")
    assert build(content_copy, TEMPLATES, tmp_path / "out", audiences=["staff", "partner"],
                 languages=["en", "ko"], formats=["html"], review_notes=True, jobs=1).ok
    problems = []
    for name in ("staff-en", "partner-ko"):
        page = tmp_path / "out" / f"{name}.html"
        assert 'class="review-note"' in page.read_text()
        problems += audit(page.as_uri(), "span.review-note")
    assert not problems, _report(problems)


def test_a_drafts_html_passes_axe(audit, content_copy, tmp_path):
    """A draft's strip (DRAFT, 초안) stays on screen in full contrast: axe finds nothing."""
    from memo.build import build

    memo_yaml = content_copy / "memo.yaml"
    memo_yaml.write_text(memo_yaml.read_text("utf-8").replace("status: final",
                                                              "status: draft"), "utf-8")
    assert build(content_copy, TEMPLATES, tmp_path / "out", audiences=["principal",
                 "partner"], languages=["en", "ko"], formats=["html"], jobs=1).ok
    problems = []
    for name in ("principal-en", "partner-ko"):
        problems += audit((tmp_path / "out" / f"{name}.html").as_uri(), "p.draft")
    assert not problems, _report(problems)


def test_a_redline_html_passes_axe(audit, tmp_path):
    """Insertions, deletions, the bars and the list of changes: still no violation."""
    from click.testing import CliRunner

    from memo.cli import main

    from .test_redline import edited

    new = edited(tmp_path / "content")
    out = tmp_path / "red"
    result = CliRunner().invoke(main, ["redline", "--since", str(CONTENT), "--content",
                                       str(new), "--templates", str(TEMPLATES), "--out",
                                       str(out), "-f", "html", "-a", "staff", "-a", "partner"])
    assert result.exit_code == 0, result.output
    pages = sorted(out.glob("*.redline.html"))
    assert len(pages) == 4
    problems = [line for page in pages for line in audit(page.as_uri(), "section.changes")]
    assert not problems, _report(problems)
