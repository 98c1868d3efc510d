"""Korean is set with line breaks between words, never inside one (issue 11): read back
from the Korean PDFs, and from the Korean DOCX as LibreOffice lays it out; the PDF
writer's transform (memo.writers.keepall) on its own; Japanese, which breaks between
characters, left as it was."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree, html

from memo.writers.keepall import FREE, HANGUL, KEEP, MAX_KEPT, keep_korean_words

from .conftest import CONTENT, TEMPLATES, need, pdftotext

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
INLINE = {"em", "strong", "cite", "a", "span", "time"}
PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
             "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens",
             "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE",
             "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
             "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc"]


def korean_variants() -> list[str]:
    from memo.content import load_project
    from memo.plan import plan

    return [v.name for v in plan(load_project(CONTENT), languages=["ko"], formats=["pdf"])]


KOREAN = korean_variants()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The Korean variants, PDF and DOCX, and the Japanese partner paper's PDF."""
    from memo.build import build

    out = tmp_path_factory.mktemp("korean")
    for langs, auds, fmts in ((["ko"], [], ["pdf", "docx"]), (["ja"], ["partner"], ["pdf"])):
        result = build(CONTENT, TEMPLATES, out / langs[0], languages=langs, audiences=auds,
                       formats=fmts, jobs=2)
        assert result.ok, result.failures
    return out


def source_words(variant: str) -> set[str]:
    """The words of the variant's text, as the writers get it: runs between spaces,
    across inline elements; a note's call (its number) is part of the word it follows,
    and the note's own words are words too."""
    from memo.content import load_project
    from memo.render import render

    audience, lang = variant.rsplit("-", 1)
    doc = render(load_project(CONTENT), audience, TEMPLATES, lang)
    notes: list[str] = []

    def flow(el) -> str:
        parts = [el.text or ""]
        for child in el:
            if not isinstance(child.tag, str):
                pass
            elif child.tag == "span" and "footnote" in (child.get("class") or "").split():
                notes.append(flow(child))
                parts.append(str(len(notes)))
            elif child.tag in INLINE:
                parts.append(flow(child))
            else:  # a block: its own lines
                parts.append(f" {flow(child)} ")
            parts.append(child.tail or "")
        return "".join(parts)

    return set((flow(doc.article) + " " + " ".join(notes)).split())


def mid_word_breaks(text: str, words: set[str], script: re.Pattern | None = HANGUL) -> list[str]:
    """The line breaks of ``text`` (pdftotext's lines) that fall inside a word: the last
    token of a line and the first of the next together make (part of) one word of the
    source, which has no space there. A break at a space joins two tokens that are no
    word's parts; blank lines (paragraph ends) are not line breaks within a text. Only
    words in ``script`` count (Korean, by default): a URL in a note must break where it
    can, as in any language."""
    lines = text.splitlines()
    found = []
    for this, nxt in zip(lines[:-1], lines[1:], strict=True):
        if not this.strip() or not nxt.strip():
            continue
        a, b = this.split()[-1], nxt.split()[0]
        if any(a + b in w and (script is None or script.search(w)) for w in words):
            found.append(f"{a} / {b}")
    return found


def test_mid_word_breaks_finds_what_it_should():
    words = {"얻는다.1", "이", "문서는", "협의체를", "Diplomat,"}
    assert mid_word_breaks("이익을 얻는\n다.1 이 문서는", words) == ["얻는 / 다.1"]
    assert mid_word_breaks("이익을 얻는다.1\n이 문서는\n\n협의\n체를", words) == ["협의 / 체를"]
    assert mid_word_breaks("The Diplomat,\nFebruary", words) == []
    url = "http://www.koreaherald.com/view.php?ud=1"
    assert mid_word_breaks("http://\nwww.koreaherald.com/view.php?ud=1", words | {url}) == []
    # a break inside a Korean word's digits is inside a Korean word, even where the
    # reader's layout spaced the digits from the suffix (LibreOffice: "5 년")
    assert mid_word_breaks("더해져 196\n5 년 한일", words | {"1965년"}) == ["196 / 5"]
    assert _libreoffice_break("196", "5년") and _libreoffice_break("핵·", "미사일")
    assert not _libreoffice_break("얻는", "다.1")


@pytest.mark.parametrize("variant", KOREAN)
def test_korean_pdf_breaks_lines_only_between_words(built, variant):
    text = pdftotext(built / "ko" / f"{variant}.pdf")
    words = source_words(variant)
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) > 20, "a memo's worth of lines to look at"
    assert mid_word_breaks(text, words) == []
    # and the text is whole: every word of the source, none cut or joined
    assert {w for w in words if any("가" <= c <= "힣" for c in w)} <= set(text.split())


def test_japanese_pdf_still_breaks_between_characters(built):
    """Japanese has no spaces between words: its lines break inside runs of text, which
    the same check sees, so Japanese kept its own line breaking (and the check works)."""
    text = pdftotext(built / "ja" / "partner-ja.pdf")
    assert len(mid_word_breaks(text, source_words("partner-ja"), script=None)) >= 5


def test_korean_docx_asks_word_to_break_between_words(built):
    """ECMA-376 17.3.1.45 w:wordWrap: on, a word that does not fit moves to the next
    line whole; off, Word breaks it between characters (its Korean option "allow Hangul
    words to break"). The document default says on, and no style turns it off."""
    for variant in KOREAN:
        with zipfile.ZipFile(built / "ko" / f"{variant}.docx") as z:
            styles = etree.fromstring(z.read("word/styles.xml"))
        ppr = styles.find(f"{W}docDefaults/{W}pPrDefault/{W}pPr")
        wrap = ppr.find(f"{W}wordWrap")
        assert wrap is not None and wrap.get(f"{W}val") in (None, "1", "true", "on")
        names = [etree.QName(el).localname for el in ppr]
        known = [PPR_ORDER.index(n) for n in names if n in PPR_ORDER]
        assert known == sorted(known), f"pPr children out of CT_PPrBase order: {names}"
        offs = [el for el in styles.iter(f"{W}wordWrap")
                if el.get(f"{W}val") in ("0", "false", "off")]
        assert not offs


def test_korean_docx_in_libreoffice_breaks_lines_only_between_words(built, tmp_path):
    """LibreOffice does not read w:wordWrap (it keeps it only to write it back); its own
    Korean line breaking is by words, but it also breaks beside a middle dot (U+00B7)
    inside one, as in 핵·미사일 (before or after the dot, as the line falls), and between
    the digits of a number that a Korean suffix follows (196 / 5년, with or without
    w:wordWrap): those, and nothing else, are allowed here."""
    exe = need("soffice")
    docs = [str(built / "ko" / f"{v}.docx") for v in KOREAN]
    proc = subprocess.run(
        [exe, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to",
         "pdf", "--outdir", str(tmp_path), *docs], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    for variant in KOREAN:
        text = pdftotext(tmp_path / f"{variant}.pdf")
        breaks = mid_word_breaks(text, source_words(variant))
        assert all(_libreoffice_break(*b.split(" / ")) for b in breaks), breaks


def _libreoffice_break(before: str, after: str) -> bool:
    return before.endswith("\u00b7") or after.startswith("\u00b7") or \
        (before[-1:].isdigit() and after[:1].isdigit())


# -- the transform ------------------------------------------------------------------------

def keep(markup: str) -> tuple[int, str]:
    root = html.fromstring(markup)
    count = keep_korean_words(root)
    body = root.find("body")
    return count, "".join(html.tostring(c, encoding="unicode") for c in body)


def k(text: str) -> str:
    return f'<span style="{KEEP}">{text}</span>'


def test_each_korean_word_is_kept_with_the_space_after_it():
    count, out = keep('<html lang="ko"><body><p>각자 이익을 얻는다.</p></body></html>')
    assert count == 3
    assert out == f"<p>{k('각자 ')}{k('이익을 ')}{k('얻는다.')}</p>"


def test_latin_words_and_other_languages_are_left_alone():
    markup = ('<html lang="ko"><body><p>The Diplomat, 2021</p>'
              '<p lang="ja">三か国、一つの課題</p><p lang="en">한국</p></body></html>')
    count, out = keep(markup)
    assert count == 0
    assert out == markup.split("<body>")[1].split("</body>")[0]
    count, out = keep('<html lang="en"><body><p lang="ko-KR">한국 Seoul</p></body></html>')
    assert (count, out) == (1, f'<p lang="ko-KR">{k("한국 ")}Seoul</p>')


def test_a_word_across_elements_is_one_word():
    count, out = keep('<html lang="ko"><body><p>우리 <em>공동 관심사</em>에 기반한</p>'
                      '</body></html>')
    em = f'<em style="{FREE}">{k("공동 ")}{k("관심사")}</em>'
    assert out == f"<p>{k('우리 ')}{k(em + '에 ')}{k('기반한')}</p>"
    assert count == 5


def test_a_note_stays_with_its_word_and_its_text_wraps():
    count, out = keep('<html lang="ko"><body><p>얻는다.<span class="footnote">위의 글.'
                      '</span> 이 문서</p></body></html>')
    note = f'<span class="footnote" style="{FREE}">{k("위의 ")}{k("글.")}</span>'
    # the space after the call goes with the next word: alone, it would not be drawn
    assert out == f"<p>{k('얻는다.' + note)}{k(' 이 ')}{k('문서')}</p>"


def test_the_space_after_a_lead_in_goes_inside_it():
    _, out = keep('<html lang="ko"><body><li><strong>존슨 행정부(1965).</strong> 양 동맹국'
                  '</li></body></html>')
    assert out == (f"<li><strong>{k('존슨 ')}{k('행정부(1965). ')}</strong>"
                   f"{k('양 ')}{k('동맹국')}</li>")


def test_blocks_are_never_joined_into_a_word():
    _, out = keep('<html lang="ko"><body><dl><dt>수신</dt><dd>국무장관</dd></dl></body></html>')
    assert out == f"<dl><dt>{k('수신')}</dt><dd>{k('국무장관')}</dd></dl>"


def test_a_word_too_long_for_a_line_may_still_break():
    long = "가" * (MAX_KEPT + 1)
    count, out = keep(f'<html lang="ko"><body><p>{long} 나라</p></body></html>')
    assert (count, out) == (1, f"<p>{long} {k('나라')}</p>")


def test_the_text_is_unchanged():
    markup = ('<html lang="ko"><body><p><strong>존슨 행정부(1965).</strong> 양 <em>공동 '
              '관심사</em>에 얻는다.<span class="footnote">위의 글.</span> 이 문서 '
              '<a href="#x">링크</a> 참조 Latin 1983–1984</p></body></html>')
    root = html.fromstring(markup)
    before = root.text_content()
    assert keep_korean_words(root) > 5
    assert root.text_content() == before
