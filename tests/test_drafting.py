"""Drafting rules (memo.drafting): every figure sourced, forbidden phrases kept out of every
language an audience reads, required phrases in every paper. The pure functions first,
then the rules on the bundled content, then what the built files say."""

from __future__ import annotations

import re
import zipfile

import pytest
from click.testing import CliRunner
from lxml import html

from memo.cli import main
from memo.content import load_project
from memo.drafting import sentences, states_figure, uncited
from memo.errors import ContentError

from .conftest import CONTENT, pdftotext


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def _edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def _line_of(path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


# -- the pure functions -------------------------------------------------------------------

def test_sentences_end_at_stops_but_not_at_abbreviations():
    text = ("The U.S. Third Fleet led it in 2016 [@a]. Then S. Korea gave notice. "
            "No. 632-14 says so. 한국은 동의했다. 일본도 그랬다. 日本は同意した。韓国も同様だった。")
    assert sentences(text) == [
        "The U.S. Third Fleet led it in 2016 [@a].", "Then S. Korea gave notice.",
        "No. 632-14 says so.", "한국은 동의했다.", "일본도 그랬다.", "日本は同意した。",
        "韓国も同様だった。"]


@pytest.mark.parametrize("sentence,figure", [
    ("It was signed in 1965.", True),
    ("It expires on 31 March 2021.", True),
    ("about 9,000 employees", True),
    ("raised by 8.2 percent", True),
    ("a request for about $5 billion", True),
    ("10% more", True),
    ("the three governments", False),
    ("우리 3국 정부", False),  # a count written in a digit, as Korean does: not a figure
    ("3か国政府", False),
    ("the Diplomat's analysis [@french2021]", False),  # a citation's id states nothing
    ("see [the report](https://example.org/2019/report)", False),  # nor does a link target
])
def test_what_counts_as_stating_a_figure(sentence, figure):
    assert states_figure(sentence) is figure


def test_uncited_returns_only_the_sentences_with_a_figure_and_no_note():
    text = ("Seoul gave notice in August 2019 [@yonhap2019]. Tokyo waited until 2020. "
            "Neither said why. 1999年に発足した。1999年に発足した[@a]。")
    assert uncited(text) == ["Tokyo waited until 2020.", "1999年に発足した。"]


# -- the rules on the content -------------------------------------------------------------

def test_a_figure_without_a_source_is_located_in_each_language(content_copy):
    precedents = content_copy / "precedents.yaml"
    _edit(precedents, "1965년\n        한일기본조약이 체결되었다 [@french2021].",
          "1965년\n        한일기본조약이 체결되었다.")
    _edit(content_copy / "briefing.yaml", "furloughed in April\n      2020 [@military2020].",
          "furloughed in April\n      2020.")
    with pytest.raises(ContentError) as exc:
        load_project(content_copy)
    got = {p.path: p for p in exc.value.problems}
    assert sorted(got) == ["current[0].text", "precedents[0].summary.ko"]
    for problem in got.values():
        assert "states a year, date or figure but cites no source" in problem.message
    assert got["precedents[0].summary.ko"].file.endswith("precedents.yaml")
    # the line is the sentence's own, in the folded value
    assert got["precedents[0].summary.ko"].line == _line_of(precedents, "한일 양국의 정치적 의지에")
    assert got["current[0].text"].line == _line_of(content_copy / "briefing.yaml",
                                                   "With no agreement in force")


def test_an_exception_names_the_sentence_and_one_that_matches_nothing_is_reported(content_copy):
    memo = content_copy / "memo.yaml"
    _edit(memo, "        ja: 1999年のTCOGの成果を踏まえ", "        ja: 2099年のTCOGの成果を踏まえ")
    _edit(memo, "# The variants `memo batch` builds", "    - text: the TCOG of 2099\n"
          "      why: nothing says this\n\n# The variants `memo batch` builds")
    with pytest.raises(ContentError) as exc:
        load_project(content_copy)
    problems = {p.path: p for p in exc.value.problems}
    assert sorted(problems) == ["cite_figures.exceptions[0].text.ja",
                                "cite_figures.exceptions[1].text",
                                "recommendations[2].shared.action.ja"]
    # the Japanese sentence is no longer excused, the English and Korean still are ...
    assert "“1999年のTCOGの成果を踏まえ" in problems["recommendations[2].shared.action.ja"].message
    # ... and words true of no sentence are said where they stand
    assert problems["cite_figures.exceptions[0].text.ja"].line == _line_of(memo, "ja: 2099年")
    stale = problems["cite_figures.exceptions[1].text"]
    assert stale.line == _line_of(memo, "    - text: the TCOG of 2099")
    assert "match no uncited sentence" in stale.message


def test_the_rule_is_off_unless_the_memo_asks_for_it(content_copy):
    memo = content_copy / "memo.yaml"
    text = memo.read_text()
    start = text.index("cite_figures:")
    memo.write_text(text[:start] + text[text.index("\n# The variants"):])
    _edit(content_copy / "briefing.yaml", "to about 1.04 trillion won [@kbs2019]",
          "to about 1.04 trillion won")
    assert load_project(content_copy).memo.cite_figures is None


def test_two_citations_side_by_side_are_refused(content_copy):
    _edit(content_copy / "briefing.yaml", "to about 1.04 trillion won [@kbs2019]",
          "to about 1.04 trillion won [@kbs2019] [@npr2019]")
    with pytest.raises(ContentError) as exc:
        load_project(content_copy)
    [problem] = exc.value.problems
    assert problem.path == "current[0].text"
    assert "two notes side by side read as one number" in problem.message


def test_a_forbidden_phrase_must_be_given_in_every_language_the_audience_reads(content_copy):
    partner = content_copy / "audiences" / "partner.yaml"
    _edit(partner, "  - {en: cajole, ko: 회유, ja: 懐柔}", "  - {en: cajole, ko: 회유}")
    _edit(partner, "  - {en: customers, ko: 고객, ja: 顧客}", "  - customers")
    with pytest.raises(ContentError) as exc:
        load_project(content_copy)
    got = sorted((p.path, p.message) for p in exc.value.problems)
    assert got == [
        ("forbid[1]", "no Japanese phrase (ja); this is looked for in the ja variants too"),
        ("forbid[7]", "give this phrase in each language it is looked for in (en, ko, ja), "
                      "like {en: ..., ko: ...}")]


def test_a_plain_forbidden_phrase_is_enough_for_an_audience_built_in_one_language():
    # the Hill briefing is built in English only: its forbid list is plain text
    congress = load_project(CONTENT).audiences["congress"]
    assert congress.forbid and all(set(e) == {""} for e in congress.forbid)


@pytest.mark.parametrize("lang,old,new,phrase", [
    ("ko", "이를 지원할 준비가 되어 있다", "이를 지렛대로 삼을 준비가 되어 있다", "지렛대"),
    ("ja", "これを支援する用意がある", "これを梃子に支援する用意がある", "梃子"),
    # English left in a Korean paper is caught too: every phrase, every variant
    ("ko", "이를 지원할 준비가 되어 있다", "이를 leverage로 지원할 준비가 되어 있다", "leverage"),
])
def test_a_forbidden_phrase_fails_the_variant_in_its_language(content_copy, tmp_path, lang,
                                                              old, new, phrase):
    _edit(content_copy / "recommendations.yaml", old, new)
    out = tmp_path / "out"
    result = run("build", "-a", "partner", "-f", "html", "--content", str(content_copy),
                 "--out", str(out))
    assert result.exit_code == 1, result.output
    assert (f"'{phrase}' appears in the partner-{lang} memo (section 'proposals'); this "
            "audience must not see it") in result.stderr
    built = sorted(p.name for p in out.glob("*.html"))
    assert f"partner-{lang}.html" not in built and len(built) == 2


@pytest.mark.parametrize("variant,old,new", [
    ("partner-ja", "日韓両国の指導者の政治的意志と戦略的ビジョンによって",
     "日韓両国の指導者の決断によって"),
    ("principal-en", "and only when leaders in both\n  capitals have the political will to move.",
     "and only when leaders in both\n  capitals are ready to move."),
])
def test_a_paper_without_the_required_caveat_fails(content_copy, tmp_path, variant, old, new):
    audience, lang = variant.split("-")
    target = content_copy / ("audiences/partner.yaml" if audience == "partner" else "memo.yaml")
    _edit(target, old, new)
    if audience == "partner":  # the precedents carry the phrase too: take it from there
        precedents = content_copy / "precedents.yaml"
        precedents.write_text(precedents.read_text().replace("政治的意志", "意志"))
    result = run("build", "-a", audience, "-l", lang, "-f", "html", "--content",
                 str(content_copy), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1, result.output
    memo = content_copy / "memo.yaml"
    phrase = {"en": "political will", "ja": "政治的意志"}[lang]
    assert (f"{memo}:{_line_of(memo, '{en: political will')}:5: require[0]: '{phrase}' does not "
            f"appear in the {variant} memo") in result.stderr
    assert not (tmp_path / "out" / f"{variant}.html").exists()


# -- what the built files say -------------------------------------------------------------

def _texts(built, variant: str) -> dict[str, str]:
    """The variant's text as a reader of each format gets it."""
    from docx import Document

    doc = Document(str(built / f"{variant}.docx"))
    with zipfile.ZipFile(built / f"{variant}.docx") as z:
        notes = z.read("word/footnotes.xml").decode()
    return {
        "pdf": pdftotext(built / f"{variant}.pdf"),
        "docx": "\n".join(p.text for p in doc.paragraphs) + re.sub(r"<[^>]+>", "", notes),
        "html": html.parse(str(built / f"{variant}.html")).getroot().text_content(),
    }


def _squeeze(text: str, lang: str) -> str:
    """Line breaks undone: CJK text loses its spaces (a break inside 政治的意志 is not a
    space), other text keeps one."""
    return re.sub(r"\s+", "" if lang in ("ja", "zh") else " ", text).casefold()


VARIANTS = ["congress-en", "partner-en", "partner-ja", "partner-ko", "principal-en",
            "staff-en"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_built_file_holds_to_the_rules(built, variant):
    """No phrase the audience's profile forbids, in any of its languages, in any format;
    the phrase every paper must carry, in the variant's own language, in every format."""
    project = load_project(CONTENT)
    audience, lang = variant.split("-")
    forbidden = {p for e in project.audiences[audience].forbid for p in e.values()}
    required = [e.get_text(lang, project.memo.lang) for e in project.memo.require]
    assert required and all(required)
    for fmt, text in _texts(built, variant).items():
        text = _squeeze(text, lang)
        for phrase in forbidden:
            assert _squeeze(phrase, lang) not in text, (variant, fmt, phrase)
        for phrase in required:
            assert _squeeze(phrase, lang) in text, (variant, fmt, phrase)


def test_the_partner_papers_forbidden_words_are_in_the_staff_memo(built):
    """The check above can fail: the staff memo carries the candid wording the partner
    paper may not."""
    staff = _squeeze(_texts(built, "staff-en")["pdf"], "en")
    assert "pressure and cajole" in staff and "leverage" in staff


def test_nothing_reaches_allies_or_congress_that_the_principal_has_not_decided():
    """Every recommendation the partner paper proposes or the Hill briefing describes is
    one the principal's decision memo puts to a decision, item by item."""
    project = load_project(CONTENT)
    decided = project.audiences["principal"].recommendation_ids
    for audience in ("partner", "congress"):
        shown = project.audiences[audience].recommendation_ids
        assert shown and set(shown) <= set(decided), (audience, set(shown) - set(decided))
    # the bottom line promises each of these; each is decided
    summary = project.memo.summary.get_text("en", "en")
    assert "leaving the history disputes" in summary and "consult-as-equals" in decided
