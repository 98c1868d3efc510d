"""The house style is stated twice, in memo.style (figures, DOCX, preview) and in the
built-in theme's CSS (PDF, HTML): the two must agree."""

from __future__ import annotations

import re

from memo import style
from memo.writers import reference

from .conftest import TEMPLATES


def _css(name: str) -> str:
    return (TEMPLATES / "css" / name).read_text("utf-8")


def test_the_palette_is_the_same_in_the_css_and_in_python():
    css = _css("memo.css")
    for var, value in {"ink": style.INK, "accent": style.ACCENT, "rule": style.RULE,
                       "tint": style.TINT}.items():
        declared = re.search(rf"--{var}:\s*(#[0-9a-fA-F]{{6}})", css)
        assert declared and declared.group(1).lower() == value, (var, declared, value)
    assert style.MARK in _css("print.css").lower()  # the marking in the page margins
    assert reference.ACCENT == style.ACCENT.removeprefix("#").upper()


def test_the_page_is_the_same_in_the_css_and_in_python():
    page = re.search(r"@page\s*{[^@]*?size:\s*(\w+);\s*margin:\s*([^;]+);", _css("print.css"))
    assert page, "print.css has no @page size and margin"
    assert page.group(1) == "letter" and (style.PAGE_WIDTH_IN, style.PAGE_HEIGHT_IN) == (8.5, 11)
    top, side, bottom = (float(m.removesuffix("in")) for m in page.group(2).split())
    assert (top, side, bottom) == (style.MARGIN_TOP_IN, style.MARGIN_SIDE_IN,
                                   style.MARGIN_BOTTOM_IN)
    assert style.TEXT_WIDTH_PT <= style.TEXT_WIDTH_IN * 72 < style.TEXT_WIDTH_PT + 1


def test_the_language_table_answers_for_regional_codes_and_unknown_languages():
    from memo.l10n import language

    assert language("ko-KR").keeps_words and language("ko").cjk == "KR"
    assert not language("ja").spaced and language("ja").tag == "ja-JP"
    unknown = language("fr-CA")
    assert (unknown.locale, unknown.tag, unknown.cjk, unknown.spaced) == ("fr_CA", "fr-CA",
                                                                         None, True)
