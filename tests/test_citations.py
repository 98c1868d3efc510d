"""Citations: pandoc's syntax parsed by memo, formatted by a real CSL processor (pandoc's
citeproc) in the project's style, the same strings in every format.

The expected notes follow the Chicago Manual of Style (17th ed.): a magazine article
(14.188), a government report with a corporate author (14.280: the agency as author),
a web page (14.206), "Ibid." for the note before's source (14.34), short forms for later
notes (14.29), the comma and period inside the closing quotation mark (6.9)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from memo import citeproc
from memo.citations import Style, load_style
from memo.inline import CITATION, Cite, cited_ids, parse_cluster, render

from .conftest import CONTENT, TEMPLATES, edit, line_of

FIXTURES = Path(__file__).parent / "fixtures"
STYLE = TEMPLATES / "csl" / "chicago-notes-bibliography-subsequent-ibid-17th-edition.csl"


@pytest.fixture(scope="module")
def items():
    import yaml

    return yaml.safe_load((CONTENT / "sources.yaml").read_text())["sources"]


@pytest.fixture(scope="module")
def chicago() -> Style:
    return load_style(STYLE, locales=TEMPLATES / "csl" / "locales.xml")


def fmt(items, style, lang, *clusters: str, note_end="."):
    parsed = [parse_cluster(c) for c in clusters]
    return citeproc.run(items, parsed, style.for_language(lang, note_end), lang,
                        style.terms(lang), style.note)


# -- the syntax ---------------------------------------------------------------------------
@pytest.mark.parametrize("text, cites", [
    ("[@french2021]", [Cite("french2021")]),
    ("[@a, p. 12]", [Cite("a", label="page", locator="12")]),
    ("[@a, 12-14]", [Cite("a", label="page", locator="12-14")]),
    ("[see @a, chap. 3]", [Cite("a", prefix="see", label="chapter", locator="3")]),
    ("[-@a; @b, pp. 4–5 and passim]",
     [Cite("a", suppress_author=True), Cite("b", label="page", locator="4–5",
                                            suffix="and passim")]),
    ("[@a, and elsewhere]", [Cite("a", suffix="and elsewhere")]),
    ("[@a.b:c-d]", [Cite("a.b:c-d")]),
])
def test_pandoc_citation_syntax_parses_into_cite_items(text, cites):
    assert CITATION.fullmatch(text)
    assert parse_cluster(text) == cites


def test_a_link_or_an_email_is_not_a_citation():
    assert CITATION.search("[write to me@example.org](mailto:me@example.org)") is None
    assert CITATION.search("costs [rose] sharply") is None
    assert cited_ids("A [@a; see @b]. B [-@c, 4].") == ["a", "b", "c"]


def test_a_note_styles_call_attaches_and_an_in_text_citation_stays():
    calls = []
    html = render("ally [@a, p. 3]. Then [@b]", lambda cs: calls.append(cs) or "N")
    assert html == 'ally.<span class="footnote">N</span> Then<span class="footnote">N</span>'
    html = render("ally [@a, p. 3].", lambda cs: "(A 2021, 3)", notes=False)
    assert html == 'ally <span class="citation">(A 2021, 3)</span>.'
    assert calls[0] == [Cite("a", label="page", locator="3")]


# -- the style and its locale corrections -------------------------------------------------
def test_japanese_notes_end_with_the_full_stop_and_the_locales_are_added(chicago):
    ja = chicago.for_language("ja", "。")
    assert 'suffix="。"' in ja[ja.index("<citation"):ja.index("</citation>")]
    assert '<term name="ibid">同上</term>' in ja
    en = chicago.for_language("en", ".")
    assert en.count('suffix="。"') == 0
    assert chicago.terms("ko")["chapter"] == "chap" and chicago.terms("en")["chapter"] == "chap."


def test_a_file_that_is_not_a_csl_style_is_refused(tmp_path):
    from memo.errors import ContentError

    bad = tmp_path / "x.csl"
    bad.write_text("<html/>")
    with pytest.raises(ContentError, match="not a CSL <style>"):
        load_style(bad)


# -- what the processor makes: Chicago's examples ----------------------------------------
def test_notes_in_chicago_style_first_ibid_short_prefix_suppress_and_two_in_one(items,
                                                                               chicago):
    done = fmt(items, chicago, "en", "[@french2021, p. 12]", "[@french2021, 13]",
               "[see @easr1995, chap. 3]", "[@french2021, 14]", "[-@perry1999]",
               "[@pacom2016; @treaty1965]", "[@easr1995]")
    url = "https://magazine.thediplomat.com/2021-02/read?page=-MRsaGjOhAXPYGdWbtXv"
    assert done.citations == (
        # magazine article, first note: authors, "title," magazine in italics, date, page
        f'Erik French, Jiyoon Kim, and Jihoon Yu, “The US Role in South Korea-Japan '
        f'Relations: From Johnson to Biden,” <cite>The Diplomat</cite>, February 2021, 12, '
        f'<a href="{url}">{url}</a>.',
        "Ibid., 13.",
        # a government report: the office is one corporate author, not two authors
        "See U.S. Department of Defense, Office of International Security Affairs, "
        "<cite>United States Security Strategy for the East Asia-Pacific Region</cite> "
        "(Washington, DC: U.S. Department of Defense, 1995), chap. 3.",
        # the short form, the comma inside the closing quotation mark
        "French, Kim, and Yu, “The US Role in South Korea-Japan Relations,” 14.",
        # the author left out where the sentence names him
        "<cite>Review of United States Policy Toward North Korea: Findings and "
        "Recommendations</cite> (U.S. Department of State, 1999), <a href=\"https://1997-2001"
        ".state.gov/regions/eap/991012_northkorea_rpt.html\">https://1997-2001.state.gov/"
        "regions/eap/991012_northkorea_rpt.html</a>.",
        # a web page by its author, the site's name in roman (14.206), then a treaty, in
        # one note
        "U.S. Third Fleet Public Affairs, “Trilateral Pacific Dragon Ballistic Missile "
        "Defense Exercise Concludes,” U.S. Pacific Command, June 28, 2016, "
        '<a href="https://www.pacom.mil/Media/News/News-Article-View/Article/816829/'
        'trilateral-pacific-dragon-ballistic-missile-defense-exercise-concludes/">https:'
        "//www.pacom.mil/Media/News/News-Article-View/Article/816829/trilateral-pacific-"
        "dragon-ballistic-missile-defense-exercise-concludes/</a>; Treaty on Basic "
        "Relations Between Japan and the Republic of Korea, June 22, 1965.",
        "U.S. Department of Defense, Office of International Security Affairs, "
        "<cite>Security Strategy for the East Asia-Pacific Region</cite>.",
    )
    bib = dict(done.bibliography)
    # by author, else title: French, Perry, Treaty, U.S. Department, U.S. Third Fleet
    assert list(bib) == ["french2021", "perry1999", "treaty1965", "easr1995", "pacom2016"]
    assert bib["easr1995"] == (
        "U.S. Department of Defense, Office of International Security Affairs. <cite>United "
        "States Security Strategy for the East Asia-Pacific Region</cite>. Washington, DC: "
        "U.S. Department of Defense, 1995.")
    assert bib["french2021"].startswith("French, Erik, Jiyoon Kim, and Jihoon Yu. “The US "
                                        "Role in South Korea-Japan Relations: From Johnson "
                                        "to Biden.” <cite>The Diplomat</cite>, February 2021.")


def test_korean_and_japanese_notes_use_their_locale_terms(items, chicago):
    ko = fmt(items, chicago, "ko", "[@french2021, p. 12]", "[@french2021, p. 13]",
             "[@easr1995, chap. 3]")
    assert ko.citations[0].startswith("Erik French, Jiyoon Kim, and Jihoon Yu, “The US ")
    assert "2021년 2월, 12, <a" in ko.citations[0]  # the locator read, the date in Korean
    assert ko.citations[1] == "위의 글, 13."
    assert ko.citations[2].endswith("1995), chap 3.")
    ja = fmt(items, chicago, "ja", "[@french2021]", "[@french2021]", "[@treaty1965]",
             note_end="。")
    assert ja.citations[0].endswith("</a>。") and "2021年2月" in ja.citations[0]
    assert ja.citations[1] == "同上。"
    assert ja.citations[2].endswith("1965年6月22日。")


def test_a_zotero_exports_quirks_format_right(chicago):
    """What Zotero writes, unchanged: date-parts as strings, a literal corporate author, a
    report's genre and number, a web page with only an access date (CMOS 14.206)."""
    items = json.loads((FIXTURES / "zotero-export.json").read_text())
    done = fmt(items, chicago, "en", *(f"[@{it['id']}]" for it in items))
    assert done.citations[1].startswith("Congressional Research Service, <cite>U.S.-Japan-"
                                        "South Korea Trilateral Relations</cite>, CRS Report "
                                        "no. R45962 (Washington, DC: Congressional Research "
                                        "Service, 2019), <a href=")
    assert done.citations[2].startswith("“U.S. Relations With the Republic of Korea,” U.S. "
                                        "Department of State, accessed November 30, 2026, <a")


def test_results_are_cached_by_their_inputs(items, chicago, tmp_path, monkeypatch):
    monkeypatch.setenv("MEMO_CACHE", str(tmp_path))
    monkeypatch.setattr(citeproc, "_memory", {})
    first = fmt(items, chicago, "en", "[@french2021]")
    assert len(list((tmp_path / "citeproc").glob("*.html"))) == 1
    monkeypatch.setattr(citeproc, "_memory", {})
    monkeypatch.setattr(citeproc, "_pandoc", lambda *a: pytest.fail("ran pandoc again"))
    assert fmt(items, chicago, "en", "[@french2021]") == first
    with pytest.raises(pytest.fail.Exception):
        fmt(items, chicago, "en", "[@french2021, 4]")  # another locator: another run


# -- the memo ------------------------------------------------------------------------------
def _notes_and_sources(doc):
    notes = [n.text_content() for n in doc.tree.iter("span") if n.get("class") == "footnote"]
    sources = [re.sub(r"^\((U|SBU)\) ", "", li.text_content()) for ul in doc.tree.iter("ul")
               if ul.get("class") == "sources" for li in ul]  # without portion marks
    return notes, sources


def test_the_sources_list_holds_every_source_cited(content_copy):
    from memo.content import load_project
    from memo.render import render as render_memo

    doc = render_memo(load_project(content_copy), "staff", TEMPLATES)
    notes, sources = _notes_and_sources(doc)
    assert notes[0].startswith("Erik French, Jiyoon Kim, and Jihoon Yu, “The US Role")
    assert "Ibid." in notes
    cited = set()
    for el in doc.tree.iter("span"):
        if el.get("class") == "footnote":
            cited.add(el.get("data-cite", "").split("|")[0])
    assert len(sources) == len(set(cited_ids((CONTENT / "precedents.yaml").read_text()
                                             + (CONTENT / "recommendations.yaml").read_text()
                                             + (CONTENT / "caveats.yaml").read_text()
                                             + (CONTENT / "briefing.yaml").read_text())))


def test_an_author_date_style_changes_the_notes_and_the_list_and_nothing_else(content_copy):
    from memo.content import load_project
    from memo.render import render as render_memo

    shutil.copy(FIXTURES / "chicago-author-date.csl", content_copy / "author-date.csl")
    before = render_memo(load_project(content_copy), "staff", TEMPLATES)
    edit(content_copy / "memo.yaml", "lang: en\n", "lang: en\ncitation_style: author-date.csl\n")
    after = render_memo(load_project(content_copy), "staff", TEMPLATES)
    assert not [n for n in after.tree.iter("span") if n.get("class") == "footnote"]
    inline = [n.text_content() for n in after.tree.iter("span") if n.get("class") == "citation"]
    assert inline[0] == "(French et al. 2021)"  # the 18th edition: et al. from three
    assert len(inline) == len(_notes_and_sources(before)[0])
    assert _notes_and_sources(after)[1] != _notes_and_sources(before)[1]
    assert any(s.startswith("French, Erik, Jiyoon Kim, and Jihoon Yu. 2021. “The US Role")
               for s in _notes_and_sources(after)[1])

    def body(doc):  # the memo's words without its citations and its sources list
        tree = doc.tree
        for el in list(tree.iter("span", "ul")):
            if el.get("class") in ("footnote", "citation", "sources"):
                tail, parent = el.tail or "", el.getparent()
                prev = el.getprevious()
                if prev is not None:
                    prev.tail = (prev.tail or "") + tail
                else:
                    parent.text = (parent.text or "") + tail
                parent.remove(el)
        text = " ".join(" ".join(tree.itertext()).split())
        return re.sub(r" ([.,;:])", r"\1", text)  # a call stood after the mark it follows

    assert body(after) == body(before)


def test_a_missing_style_is_an_error_at_its_line(content_copy):
    from memo.content import load_project
    from memo.errors import ContentError
    from memo.render import render as render_memo

    edit(content_copy / "memo.yaml", "lang: en\n", "lang: en\ncitation_style: apa\n")
    with pytest.raises(ContentError) as err:
        render_memo(load_project(content_copy), "staff", TEMPLATES)
    problem = err.value.problems[0]
    assert problem.line == line_of(content_copy / "memo.yaml", "citation_style")
    assert "citation style not found: csl/apa.csl" in problem.message
    res = _run(["check"], content_copy)  # memo check renders every variant: it says so too
    assert res.exit_code == 2 and "memo.yaml:" in res.output and "csl/apa.csl" in res.output


# -- the registry --------------------------------------------------------------------------
def test_a_misspelled_csl_field_is_an_error_at_its_line(content_copy):
    from memo.content import load_project
    from memo.errors import ContentError

    path = content_copy / "sources.yaml"
    edit(path, "  container-title: The Diplomat", "  container-titel: The Diplomat")
    edit(path, "  type: treaty", "  type: treatise")
    edit(path, "  issued:\n    date-parts: [[1994, 10, 21]]", "  issued: 21 October 1994")
    with pytest.raises(ContentError) as err:
        load_project(content_copy)
    got = {(p.line, p.message) for p in err.value.problems}
    assert (line_of(path, "issued: 21 October 1994"), "a CSL date is {date-parts: [[year, "
            "month, day]]} (or {literal: ...}), not '21 October 1994'") in got
    assert (line_of(path, "container-titel"),
            "unknown CSL field; did you mean 'container-title'?") in got
    assert any(line == line_of(path, "type: treatise") and "'treatise' is not a CSL item "
               "type; did you mean 'treaty'?" == msg for line, msg in got)


def _run(args, content):
    from memo.cli import main

    return CliRunner().invoke(main, [*args, "--content", str(content)],
                              catch_exceptions=False)


def test_a_zotero_export_imports_and_builds(content_copy, tmp_path):
    registry = content_copy / "sources.yaml"
    res = _run(["sources", "import", str(FIXTURES / "zotero-export.json")], content_copy)
    assert res.exit_code == 0, res.output
    assert "3 added, 0 already in" in res.output
    assert "added: cha1999" in res.output  # its citation key, not Zotero's URI
    again = _run(["sources", "import", str(FIXTURES / "zotero-export.json")], content_copy)
    assert "0 added, 3 already in" in again.output
    edit(content_copy / "memo.yaml", "[@french2021]", "[@cha1999, 45]")  # the summary's
    from memo.content import load_project
    from memo.render import render as render_memo

    doc = render_memo(load_project(content_copy), "staff", TEMPLATES)
    notes, sources = _notes_and_sources(doc)
    cha = next(n for n in notes if "Cha" in n)
    assert cha == ("Victor D. Cha, Alignment Despite Antagonism: The United States-Korea-"
                        "Japan Security Triangle (Stanford, CA: Stanford University Press, "
                        "1999), 45.")
    assert "Cha, Victor D. Alignment Despite Antagonism" in " ".join(sources)
    exported = json.loads(_run(["sources", "export"], content_copy).output)
    assert {"cha1999", "french2021"} <= {it["id"] for it in exported}
    import yaml

    assert yaml.safe_load(registry.read_text())["sources"][-1]["id"] == \
        "http://zotero.org/users/local/kR3bTqXe/items/3HNW9C2X"


def test_an_import_that_conflicts_writes_nothing(content_copy, tmp_path):
    registry = content_copy / "sources.yaml"
    export = tmp_path / "mine.json"
    export.write_text(json.dumps([{"id": "french2021", "type": "article-magazine",
                                   "title": "The US Role (another title)"},
                                  {"id": "new2024", "type": "webpage", "title": "New"}]))
    before = registry.read_bytes()
    res = _run(["sources", "import", str(export)], content_copy)
    assert res.exit_code == 1
    assert "conflict: french2021: differs in" in res.output and "title" in res.output
    assert registry.read_bytes() == before


def test_a_bad_export_is_named_with_its_line_and_nothing_is_written(content_copy, tmp_path):
    registry = content_copy / "sources.yaml"
    export = tmp_path / "bad.json"
    text = (FIXTURES / "zotero-export.json").read_text().replace('"publisher-place"',
                                                                  '"publisher-plaec"', 1)
    export.write_text(text)
    before = registry.read_bytes()
    res = CliRunner().invoke(__import__("memo.cli", fromlist=["main"]).main,
                             ["sources", "import", str(export), "--content",
                              str(content_copy)])
    assert res.exit_code == 2
    assert f"bad.json:{line_of(export, 'publisher-plaec')}:" in res.output
    assert "unknown CSL field; did you mean 'publisher-place'?" in res.output
    assert "Traceback" not in res.output
    assert registry.read_bytes() == before


def test_bibtex_imports_through_pandoc(content_copy, tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text("@article{kim2020,\n  author = {Kim, Jiyoon},\n  title = {A Title},\n"
                   "  journal = {Asian Survey},\n  year = {2020},\n  volume = {60},\n"
                   "  pages = {1--20}\n}\n")
    res = _run(["sources", "import", str(bib)], content_copy)
    assert res.exit_code == 0, res.output
    from memo.content import load_project

    item = next(s for s in load_project(content_copy).sources if s.id == "kim2020")
    assert item.csl()["container-title"] == "Asian Survey"
    assert item.csl()["author"] == [{"family": "Kim", "given": "Jiyoon"}]


def test_a_redline_since_a_version_from_before_csl_reads_its_registry(content_copy, tmp_path):
    """An older version's registry (authors, container, date, short), read to compare
    against, is taken as CSL items: the redline works across the change."""
    from memo.content import load_project
    from memo.errors import ContentError
    from memo.validation import lenient

    old = tmp_path / "old"
    shutil.copytree(content_copy, old)
    shutil.copy(FIXTURES / "sources-before-csl.yaml", old / "sources.yaml")
    with pytest.raises(ContentError, match="unknown CSL field"):
        load_project(old)
    with lenient():
        item = load_project(old).source("easr1995").csl()
    assert item["author"] == [{"literal": "U.S. Department of Defense, Office of "
                                          "International Security Affairs"}]
    assert item["issued"] == {"date-parts": [[1995, 2]]}
    assert item["title-short"] == "East Asia Strategy Report"
    res = _run(["redline", "--since", str(old), "-a", "staff", "-f", "html", "--out",
                str(tmp_path / "out")], content_copy)
    assert res.exit_code == 0, res.output
    assert (tmp_path / "out" / "staff-en.redline.html").is_file()
