"""Content loading and validation: every bad input gets file:line:column, field and reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from memo.cli import main
from memo.content import load_project
from memo.errors import ContentError, display_path
from memo.inline import _attach_notes, render

from .conftest import CONTENT


def test_bundled_content_is_valid():
    project = load_project(CONTENT)
    assert [p.id for p in project.precedents] == ["johnson-1965", "reagan-1983", "clinton-1999"]
    assert str(project.precedents[1].years) == "1983–1984"
    assert len(project.recommendations) >= 5
    assert {"principal", "staff"} <= set(project.audiences)
    assert [a["family"] for a in project.source("french2021").csl()["author"]] == \
        ["French", "Kim", "Yu"]


def _edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text()
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1))


def _line_col(folder: Path, name: str, needle: str, nth: int = 1) -> tuple[int, int]:
    """Where the ``nth`` ``needle`` starts in the file, 1-based, as the error should say."""
    for n, line in enumerate((folder / name).read_text().splitlines(), start=1):
        if needle in line:
            nth -= 1
            if not nth:
                return n, line.index(needle) + 1
    raise AssertionError(needle)


# (file, old text, new text, needle the error points at, field path, message)
# where memo.yaml says its language, found rather than hard-coded: the file grows
_LANG_LINE = (CONTENT / "memo.yaml").read_text("utf-8").splitlines().index("lang: en") + 1

CASES = [
    ("precedents.yaml", "years: 1983-1984", "years: 1983 to 1984", "1983 to 1984",
     "precedents[1].years", "expected a year range like 1983-1984"),
    ("precedents.yaml", "years: 1994-1999", "years: 1999-1994", "1999-1994",
     "precedents[2].years", "the range ends (1994) before it starts (1999)"),
    ("recommendations.yaml", "draws_on: [reagan-1983]", "draws_on: [reagan-1938]",
     "reagan-1938", "recommendations[1].draws_on[0]",
     "unknown precedent id 'reagan-1938'; did you mean 'reagan-1983'?"),
    ("recommendations.yaml", "  - id: consult-as-equals", "  - id: reaffirm-alliances",
     ("reaffirm-alliances", 2), "recommendations[3].id",
     "duplicate id 'reaffirm-alliances' (first used on line 9)"),
    ("caveats.yaml", "pressure and cajole both governments\n      toward cooperation [@french2021]",
     "pressure and cajole both governments\n      toward cooperation [@frenc2021]",
     "[@frenc2021]", "caveats[2].text", "unknown source id 'frenc2021'; did you mean 'french2021'?"),
    ("memo.yaml", "organization:\n  en: Policy Planning", "organisation:\n  en: Policy Planning",
     "organisation", "organisation", "unknown field; did you mean 'organization'?"),
    ("memo.yaml", "date: 2021-02-08", "date: sometime in 2021", "sometime",
     "date", "Input should be a valid date or datetime, invalid character in year"),
    ("memo.yaml", "lang: en\n", "lang: en\nlang: ko\n", "lang: ko",
     "lang", f"duplicate key (first given on line {_LANG_LINE})"),
    ("sources.yaml", "  type: treaty\n", "", "id: treaty1965", "sources[1].type",
     "required field is missing"),
    ("memo.yaml", "  en: Using U.S. alliance leadership to restore South Korea–Japan cooperation",
     '  en: "\\aUsing U.S. alliance"', '"\\aUsing',
     "subject.en", "control character U+0007 at character 1 (often pasted from Word); delete it"),
    ("audiences/staff.yaml", "detail: full", "detail: everything", "everything",
     "detail", "Input should be 'brief' or 'full'"),
    # YAML 1.1 (the loader's) reads these as truth values where YAML 1.2 (editors') reads
    # text: the schema would accept them, so the message says what to do
    ("sources.yaml", "container-title: The Diplomat", "container-title: yes", "yes",
     "sources[0].container-title",
     "YAML reads yes, no, on, off, true and false as true or false, not as text: put the "
     "text in quotes"),
    # a scalar shaped like a date or time that no calendar has: PyYAML's constructor
    # raises ValueError, not a YAML error
    ("memo.yaml", "date: 2021-02-08", "date: 2021-02-30", "2021-02-30", "date",
     "2021-02-30 reads as a date or time, but there is no such one (day is out of range "
     "for month); correct it, or put it in quotes if it is text"),
    ("memo.yaml", "date: 2021-02-08", "date: 2021-13-01", "2021-13-01", "date",
     "2021-13-01 reads as a date or time, but there is no such one (month must be in "
     "1..12); correct it, or put it in quotes if it is text"),
    ("sources.yaml", "container-title: The Diplomat", "container-title: 2021-02-08 25:61:00",
     "2021-02-08 25", "sources[0].container-title", "2021-02-08 25:61:00 reads as a date or time, but there is no such "
     "one (hour must be in 0..23); correct it, or put it in quotes if it is text"),
    ("caveats.yaml", "title: Political will in Tokyo and Seoul was decisive",
     "title: 2021-02-29 12:00:00", "2021-02-29", "caveats[0].title",
     "2021-02-29 12:00:00 reads as a date or time, but there is no such one (day is out of "
     "range for month); correct it, or put it in quotes if it is text"),
    ("memo.yaml", "languages: [en, ko, ja]", "languages: [en, ko, no]", "no]",
     "variants.languages[2]", "YAML reads no (Norwegian), yes, on and off as true or false: "
     "put the code in quotes, like 'no'"),
]


@pytest.mark.parametrize("name,old,new,needle,field,message", CASES,
                         ids=[c[4] + ":" + c[5][:20] for c in CASES])
def test_bad_content_is_reported_exactly(content_copy, tmp_path, name, old, new, needle, field,
                                         message):
    _edit(content_copy, name, old, new)
    line, col = _line_col(content_copy, name, *((needle,) if isinstance(needle, str) else needle))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--content", str(content_copy), "--out", str(out)])
    assert result.exit_code == 2, result.output
    rel = display_path(content_copy / name)
    expected = f"{rel}:{line}:{col}: {field}: {message}"
    assert expected in result.stderr.splitlines(), result.stderr
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir()), "nothing may be written"


def test_a_date_written_where_text_goes_is_taken_as_written(content_copy):
    """YAML 1.1 makes a date of 2021-02-08; an editor's YAML 1.2 and the schema say text."""
    _edit(content_copy, "sources.yaml", "container-title: The Diplomat",
          "container-title: 2021-02-08")
    assert load_project(content_copy).source("french2021").csl()["container-title"] == \
        "2021-02-08"


def test_a_project_folder_given_as_content_says_so(tmp_path):
    made = CliRunner().invoke(main, ["new", str(tmp_path / "p")])
    assert made.exit_code == 0
    result = CliRunner().invoke(main, ["check", "--content", str(tmp_path / "p")])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].endswith(
        "p:1:1: this is a memo project's folder, not its content: leave out --content, or "
        "give its content folder")


def test_citation_in_a_folded_block_points_at_its_own_line(content_copy):
    _edit(content_copy, "caveats.yaml", "[@french2021]. U.S.", "[@nope]. U.S.")
    with pytest.raises(ContentError) as exc:
        load_project(content_copy)
    (problem,) = exc.value.problems
    assert problem.path == "caveats[1].text"
    assert problem.message == "unknown source id 'nope'"
    assert (problem.line, problem.column) == _line_col(content_copy, "caveats.yaml", "[@nope]")


def test_every_problem_is_reported_not_only_the_first(content_copy):
    _edit(content_copy, "precedents.yaml", "years: 1965", "years: sixty-five")
    _edit(content_copy, "recommendations.yaml", "draws_on: [clinton-1999]\n", "draws_on: [x]\n")
    _edit(content_copy, "memo.yaml", "\nsubject:", "\nsubjet:")
    result = CliRunner().invoke(main, ["check", "--content", str(content_copy)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert any("precedents[0].years: expected a year range" in s for s in lines)
    assert any("recommendations[2].draws_on[0]: unknown precedent id 'x'" in s for s in lines)
    assert any(": subject: required field is missing" in s for s in lines)
    assert any(": subjet: unknown field; did you mean 'subject'?" in s for s in lines)
    assert lines[-1] == "4 problems found; nothing was written."


@pytest.mark.parametrize("text,message", [
    ("title: [unclosed\n", "invalid YAML: "),
    ("a: &x 1\nb: *x\n", "YAML aliases (*name) are not allowed in memo content"),
    ("- just\n- a list\n", "expected a mapping of fields at the top level"),
])
def test_malformed_yaml(content_copy, text, message):
    (content_copy / "memo.yaml").write_text(text)
    result = CliRunner().invoke(main, ["check", "--content", str(content_copy)])
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert re.match(r".*memo\.yaml:\d+:\d+: ", first), first
    assert message in first


def test_missing_file_and_folder(content_copy, tmp_path):
    (content_copy / "sources.yaml").unlink()
    result = CliRunner().invoke(main, ["check", "--content", str(content_copy)])
    assert result.exit_code == 2
    assert "sources.yaml:1:1: required file is missing" in result.stderr
    result = CliRunner().invoke(main, ["check", "--content", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "content folder not found" in result.stderr


def test_unknown_section_in_profile_points_at_the_profile(content_copy, tmp_path):
    _edit(content_copy, "audiences/staff.yaml", "caveats, sources", "caveat, sources")
    result = CliRunner().invoke(main, ["build", "--content", str(content_copy),
                                       "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "staff.yaml:5:" in result.stderr
    assert "sections[7]: unknown section 'caveat'" in result.stderr


# Every tag the loader has a constructor for, with the text after it generated: the
# constructors check a value's shape, not that it exists, and raise whatever Python
# raises (ValueError, KeyError, AttributeError). Each must come back located.
def _tags() -> list[str]:
    from memo.yamlsource import _Loader

    return sorted(t.rsplit(":", 1)[-1] for t in _Loader.yaml_constructors
                  if t and t.startswith("tag:yaml.org,2002:"))


_dates = st.builds(lambda y, m, d, t: f"{y:04d}-{m:02d}-{d:02d}" + (
    f" {t[0]:02d}:{t[1]:02d}:{t[2]:02d}" if t else ""),
    st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99),
    st.none() | st.tuples(st.integers(0, 99), st.integers(0, 99), st.integers(0, 99)))
_scalars = _dates | st.builds(lambda tag, text: f"!!{tag} {text}", st.sampled_from(_tags()),
                              st.from_regex(r"[A-Za-z0-9.:+_ -]{0,12}", fullmatch=True)) \
    | st.builds(lambda digits: "9" * digits, st.integers(4000, 5000))


@settings(max_examples=300, deadline=None)
@given(scalar=_scalars, as_key=st.booleans())
def test_any_scalar_loads_or_is_refused_at_its_place(tmp_path_factory, scalar, as_key):
    from memo.yamlsource import LoadFailed, load

    path = tmp_path_factory.mktemp("y") / "memo.yaml"
    path.write_text("title: T\n" + (f"{scalar}: x\n" if as_key else f"date: {scalar}\n"))
    try:
        load(path)
    except LoadFailed as exc:
        # syntax errors (a key over 1024 characters, say) are located where the parser
        # stops; a value that is not one of its type, at the value
        assert exc.problem.line == 2, exc.problem
        if not exc.problem.message.startswith("invalid YAML"):
            assert exc.problem.column == (1 if as_key else 7), exc.problem


# -- footnote calls in prose (memo.inline) ----------------------------------------------

def _note(text: str) -> str:
    return f'<span class="footnote">{text}</span>'


@pytest.mark.parametrize("html,attached", [
    (f"ally {_note('A')}", f"ally{_note('A')}"),               # against the word before
    (f"ally\n\t {_note('A')} and", f"ally{_note('A')} and"),    # any white space; after, kept
    (f"ally {_note('A')}.", f"ally.{_note('A')}"),             # after the punctuation
    (f"ally {_note('A')}, and", f"ally,{_note('A')} and"),
    (f"ally {_note('A')};", f"ally;{_note('A')}"),
    (f"ally {_note('A')}:", f"ally:{_note('A')}"),
    (f"ally {_note('A')} {_note('B')}.", f"ally.{_note('A')}{_note('B')}"),  # both, in order
    (f"Seoul {_note('A')} and Tokyo {_note('B')}.",  # the stop is the second call's alone
     f"Seoul{_note('A')} and Tokyo.{_note('B')}"),
    (f"{_note('Ibid., 4.')} ally", f"{_note('Ibid., 4.')} ally"),  # a note's own stops stay
    ('a <span class="x">b</span>.', 'a <span class="x">b</span>.'),  # other spans: no note
    ("no notes at all.", "no notes at all."),
])
def test_a_footnote_call_attaches_to_the_word_and_follows_the_punctuation(html, attached):
    assert _attach_notes(html) == attached


def test_citations_in_prose_become_attached_footnotes():
    calls = []

    def cite(cites) -> str:
        calls.append([(c.id, c.label, c.locator) for c in cites])
        return cites[0].id.upper()

    assert render("Seoul and Tokyo [@french2021]. Then [@perry1999, p. 4]; and *so*.",
                  cite) == (f"Seoul and Tokyo.{_note('FRENCH2021')} "
                            f"Then;{_note('PERRY1999')} and <em>so</em>.")
    assert calls == [[("french2021", "", "")], [("perry1999", "page", "4")]]


def test_a_file_parsed_before_is_not_parsed_again_but_each_caller_gets_its_own(tmp_path):
    """yamlsource keeps what it parsed by name and bytes: a changed file is read anew,
    and one caller changing its data changes nobody else's."""
    from memo import yamlsource

    f = tmp_path / "x.yaml"
    f.write_text("a:\n  - b\n", "utf-8")
    first = yamlsource.load(f)
    first.data["a"].append("mine")
    again = yamlsource.load(f)
    assert again.data == {"a": ["b"]} and again.values == first.values
    assert (str(f), __import__("hashlib").sha1(f.read_bytes()).digest()) in yamlsource._PARSED
    f.write_text("a:\n  - c\n", "utf-8")
    assert yamlsource.load(f).data == {"a": ["c"]}
