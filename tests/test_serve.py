"""memo serve, driven in a real browser: headless Chromium from Debian's packages, through
Playwright with the system browser (Playwright's own download is not used)."""

from __future__ import annotations

import contextlib
import ipaddress
import re
import shutil
import socket
import subprocess

import pytest

from memo.serve import start

from .conftest import TEMPLATES


@pytest.fixture
def served(content_copy):
    server = start(content_copy, TEMPLATES, port=0)
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}", content_copy
    server.stop_watching.set()
    server.shutdown()


def _other_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback: every one `ip` lists, and the
    one a route out would leave from."""
    found = []
    ip = shutil.which("ip")
    if ip:
        listed = subprocess.run([ip, "-4", "-o", "addr", "show"], capture_output=True,
                                text=True).stdout
        found += re.findall(r"\binet (\d+\.\d+\.\d+\.\d+)/", listed)
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("192.0.2.1", 9))  # UDP: sends nothing, only picks the route
        found.append(s.getsockname()[0])
    return sorted({a for a in found if not ipaddress.ip_address(a).is_loopback
                   and not ipaddress.ip_address(a).is_unspecified})


def test_serves_on_loopback_only(served):
    url, _ = served
    port = int(url.rsplit(":", 1)[1])
    socket.create_connection(("127.0.0.1", port), timeout=5).close()  # it is up, there
    others = _other_addresses()
    if not others:
        pytest.skip("this machine has no IPv4 address but loopback: no other address to "
                    "probe memo serve on")
    for address in others:  # another machine would reach it at these
        try:
            socket.create_connection((address, port), timeout=5).close()
        except OSError:
            continue
        pytest.fail(f"memo serve answers on {address}:{port}, not on loopback only")


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

    # how soon is bench/run.py's to say; the timeout only bounds a page that never updates
    memo.write_text(original.replace("Washington can help mend relations",
                                     "LIVE EDIT: Washington can help mend relations"))
    page.wait_for_selector("text=LIVE EDIT: Washington", timeout=15_000)

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
