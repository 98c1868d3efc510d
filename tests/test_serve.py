"""memo serve, driven in a real browser: headless Chromium from Debian's packages, through
Playwright with the system browser (Playwright's own download is not used)."""

from __future__ import annotations

import time

import pytest

from memo.serve import start

from .conftest import TEMPLATES, need

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def browser():
    chromium = need("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def served(content_copy):
    server = start(content_copy, TEMPLATES, port=0)
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}", content_copy
    server.stop_watching.set()
    server.shutdown()


def test_serves_on_loopback_only(served):
    url, _ = served
    assert url.startswith("http://127.0.0.1:")


def test_index_lists_variants_and_downloads_build_on_demand(browser, served):
    url, _ = served
    page = browser.new_page()
    page.goto(url + "/")
    links = page.locator("a").all_inner_texts()
    assert "partner-ko" in links and "principal-en" in links and "PDF" in links
    pdf = page.request.get(url + "/v/principal-en.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    docx = page.request.get(url + "/v/partner-ja.docx")
    assert docx.ok and docx.body().startswith(b"PK")
    assert page.request.get(url + "/fonts/../memo.css").status == 404


def test_a_saved_edit_shows_without_a_reload_and_errors_show_in_place(browser, served):
    url, content = served
    page = browser.new_page()
    page.goto(url + "/v/principal-en.html")
    page.wait_for_selector("text=Washington can help mend relations")
    memo = content / "memo.yaml"
    original = memo.read_text()

    start_edit = time.perf_counter()
    memo.write_text(original.replace("Washington can help mend relations",
                                     "LIVE EDIT: Washington can help mend relations"))
    page.wait_for_selector("text=LIVE EDIT: Washington", timeout=15_000)
    seconds = time.perf_counter() - start_edit
    print(f"\nsave to browser: {seconds:.2f} s")
    assert seconds < 5

    precedents = content / "precedents.yaml"
    good = precedents.read_text()
    precedents.write_text(good.replace("years: 1983-1984", "years: 1983 to 1984"))
    page.wait_for_selector("text=expected a year range like 1983-1984", timeout=15_000)
    text = page.inner_text("body")
    assert "precedents.yaml:" in text and "precedents[1].years" in text
    assert "LIVE EDIT" not in text  # the problems replace the memo

    precedents.write_text(good)
    page.wait_for_selector("text=LIVE EDIT: Washington", timeout=15_000)
    assert "expected a year range" not in page.inner_text("body")
