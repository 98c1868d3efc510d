"""The pieces of memo absorb, one by one: YAML edited in place, a field's text mapped
back into its markup, review notes kept and shown, changes told apart."""

from __future__ import annotations

import pytest
import yaml

from memo import fieldtext, review, yamledit
from memo.content import ReviewFile, ReviewNote
from memo.writers.drift import crossing
from memo.writers.provenance import bookmark_name, content_digest, shown_files
from memo.writers.reviewed import Piece

DOC = """\
# people wrote this file: its comments and layout are theirs
items:
  - id: one
    summary: >-
      The first line of a folded block that runs on long enough to be folded at a
      width, and then some more words.
    title: 'A ''quoted'' title'  # a comment after it
    note: "double \\"quoted\\""
    plain: plain words
    lesson:
      en: English text
      ko: 한국어 문장
"""


# -- yamledit -------------------------------------------------------------------------

@pytest.mark.parametrize("path,value", [
    (("items", 0, "summary"), "The first line, changed, of a folded block that runs on long "
     "enough to be folded at a width, and then some more words."),
    (("items", 0, "title"), "It's quoted"),
    (("items", 0, "note"), 'a "new" one'),
    (("items", 0, "plain"), "plain: with a colon"),
    (("items", 0, "lesson", "ko"), "새 문장"),
])
def test_replace_changes_that_value_and_not_one_byte_outside_it(path, value):
    out = yamledit.replace(DOC, path, value)
    data = yaml.safe_load(out)
    holder = data
    for part in path:
        holder = holder[part]
    assert holder == value
    old, new = yaml.safe_load(DOC), data
    # everything else reads the same, and the text before and after the value is kept
    node = yaml.compose(DOC)
    for part in path:
        node = next(v for k, v in node.value if k.value == part) if isinstance(
            part, str) else node.value[part]
    start, end = node.start_mark.index, node.end_mark.index
    assert out.startswith(DOC[:start]) and out.endswith(DOC[end:])
    holder_old, holder_new = old, new
    for part in path[:-1]:
        holder_old, holder_new = holder_old[part], holder_new[part]
    holder_new[path[-1]] = holder_old[path[-1]]
    assert new == old


def test_a_folded_block_is_refolded_at_its_own_indent_and_width():
    out = yamledit.replace(DOC, ("items", 0, "summary"), " ".join(["word"] * 40))
    lines = out.split("summary: >-\n", 1)[1].split("\n    title")[0].splitlines()
    assert len(lines) > 1 and all(ln.startswith("      word") for ln in lines)
    assert max(len(ln) for ln in lines) <= 86


def test_a_boolean_is_written_as_yaml_writes_one():
    text = "notes:\n  - text: x\n    resolved: false  # keep\n"
    assert yamledit.replace(text, ("notes", 0, "resolved"), True) == \
        "notes:\n  - text: x\n    resolved: true  # keep\n"


def test_a_path_that_is_not_a_text_value_is_an_edit_error():
    with pytest.raises(yamledit.EditError, match="not a text value"):
        yamledit.replace(DOC, ("items", 0, "lesson"), "x")
    with pytest.raises(yamledit.EditError, match="no items.0.missing"):
        yamledit.replace(DOC, ("items", 0, "missing"), "x")


def test_line_of_is_where_the_value_starts():
    assert yamledit.line_of(DOC, ("items", 0, "summary")) == 4
    assert yamledit.line_of(DOC, ("items", 0, "lesson", "ko")) == 12


# -- fieldtext ------------------------------------------------------------------------

def test_shown_is_what_a_reader_sees_each_note_call_one_character():
    table: dict[str, str] = {}
    text = fieldtext.shown("Allies *first*, then the rest [@perry1999].", table)
    assert text == "Allies first, then the rest." + table["perry1999"]


@pytest.mark.parametrize("source,old,new,expected", [
    # words changed; emphasis stays around the words kept
    ("Allies *first*, then the rest.", "Allies first, then the rest.",
     "Allies first, and only then the rest.", "Allies *first*, and only then the rest."),
    # a citation stays with its note call ...
    ("It held [@a].", "It held.\U00100000", "It mostly held.\U00100000",
     "It mostly held [@a]."),
    # ... and goes with it
    ("It held [@a]. It broke [@b].", "It held.\U00100000 It broke.\U00100001",
     "It held.\U00100000", "It held [@a]."),
    # a note call moved is its citation moved
    ("One [@a] and two.", "One\U00100000 and two.", "One and two.\U00100000",
     "One and two [@a]."),
    # characters that are markup in Markdown, typed by the reviewer, stay text
    ("Plain.", "Plain.", "Plain *not emphasis* [x].", r"Plain \*not emphasis\* \[x\]."),
    # Korean, by character
    ("한국어 문장이다.", "한국어 문장이다.", "한국어 새 문장이다.", "한국어 새 문장이다."),
    # the emphasis around a word deleted goes with it
    ("Keep *gone* this.", "Keep gone this.", "Keep this.", "Keep this."),
])
def test_apply_takes_the_reviewers_text_into_the_markup(source, old, new, expected):
    table: dict[str, str] = {}
    for sid in ("a", "b"):
        fieldtext.note_char(sid, table)
    assert fieldtext.apply(source, old, new, table) == expected
    assert fieldtext.shown(expected, table) == fieldtext.normalize(new)


def test_a_note_the_reviewer_made_up_cannot_be_taken_back():
    table = {"a": "\U00100000"}
    with pytest.raises(fieldtext.Unmappable, match="has no source"):
        fieldtext.apply("It held [@a].", "It held.\U00100000",
                        "It held.\U00100000 Also\U00100005", table)


def test_apply_refuses_a_text_that_is_not_the_sources():
    with pytest.raises(fieldtext.Unmappable, match="not what its source shows"):
        fieldtext.apply("One thing.", "Another thing.", "Another thing, changed.", {})


def test_words_changed_inside_a_link_stay_in_the_link():
    source = "See [the whole report](https://example.org/r) for more."
    out = fieldtext.apply(source, "See the whole report for more.",
                          "See the full report for more.", {})
    assert out == "See [the full report](https://example.org/r) for more."


# -- provenance -------------------------------------------------------------------------

def test_bookmark_names_are_stable_short_and_numbered_when_repeated():
    seen: dict[str, int] = {}
    a = bookmark_name("recommendations.yaml:recommendations.revive.title", seen)
    b = bookmark_name("recommendations.yaml:recommendations.revive.title", seen)
    assert a.startswith("_m") and len(a) <= 40 and b == a + "_2"
    assert bookmark_name("recommendations.yaml:recommendations.revive.title", {}) == a


def test_the_content_digest_depends_on_names_and_bytes_not_order():
    files = [("a.yaml", b"x: 1\n"), ("b.yaml", b"y: 2\n")]
    assert content_digest(files) == content_digest(list(reversed(files)))
    assert content_digest(files) != content_digest([("a.yaml", b"x: 2\n"), files[1]])
    assert content_digest(files) != content_digest([("c.yaml", b"x: 1\n"), files[1]])
    # of the files a DOCX shows, only: another file changed changes nothing
    assert content_digest(files, ["a.yaml"]) == content_digest(
        [files[0], ("b.yaml", b"y: 3\n")], ["a.yaml"])
    assert shown_files(["precedents.yaml:precedents.x.lesson"], "staff") == [
        "audiences/staff.yaml", "memo.yaml", "precedents.yaml", "sources.yaml"]


# -- crossing -------------------------------------------------------------------------

def _seq(*items):
    return [(Piece(text, state), names) for text, state, names in items]


def test_a_replacement_split_at_a_field_boundary_is_one_change_across_two_fields():
    # LibreOffice's replacement of "person. In" across a title and an action
    seq = _seq(("Early, ", "=", ("t",)), ("in person", "-", ("t",)), (".", "-", ()),
               (" ", "-", ()), ("In", "-", ("a",)), ("in person; in", "+", ("a",)),
               (" the first months", "=", ("a",)))
    assert crossing(seq) == {"t", "a"}


def test_two_edits_with_text_kept_between_them_are_two_changes():
    seq = _seq(("Early, ", "=", ("t",)), ("now", "+", ("t",)), (".", "=", ()),
               (" ", "=", ()), ("In", "-", ("a",)), (" the first months", "=", ("a",)))
    assert crossing(seq) == set()


# -- review notes -----------------------------------------------------------------------

NOTE = {"field": "precedents.yaml:precedents.johnson-1965.lesson", "lang": "en",
        "author": "Dana Reviewer", "date": "2021-02-10T09:00:00Z", "text": "Source?",
        "resolved": False, "from": "staff-en.docx"}


def test_notes_are_appended_once_and_a_resolved_one_is_marked_in_place(tmp_path):
    path = tmp_path / review.FILE
    path.write_text(review.updated(path, [NOTE]), "utf-8")
    first = path.read_text("utf-8")
    assert first.startswith("# Review notes") and review.updated(path, [NOTE]) == first
    assert review.fresh(path, [NOTE]) == []
    other = {**NOTE, "text": "And this?"}
    assert review.fresh(path, [NOTE, other]) == [other]
    done = review.updated(path, [{**NOTE, "resolved": True}])
    assert yaml.safe_load(done)["notes"][0]["resolved"] is True
    assert done.replace("resolved: true", "resolved: false") == first
    ReviewFile.model_validate(yaml.safe_load(done))


def test_attach_puts_an_open_note_at_the_end_of_its_fields_paragraph():
    from lxml import html

    tree = html.fromstring(
        '<html><body><article><ol><li><strong><span class="field" data-field="k.title">'
        'Title</span>:</strong> <span class="field" data-field="k.text">Text.</span>'
        '<ul><li>sub</li></ul></li></ol><p><span class="field" data-field="k.other">'
        'Other</span> after.</p></article></body></html>')
    notes = [ReviewNote.model_validate(n) for n in (
        {**NOTE, "field": "k.title", "text": "On the title"},
        {**NOTE, "field": "k.other", "text": "On other"},
        {**NOTE, "field": "k.other", "text": "Done", "resolved": True},
        {**NOTE, "field": "k.text", "lang": "ko", "text": "Korean only"},
        {**NOTE, "field": "k.gone", "text": "Nowhere"})]
    missed = review.attach(tree, notes, "en")
    assert [n.text for n in missed] == ["Nowhere"]
    item = tree.find(".//ol/li")
    assert [c.tag for c in item] == ["strong", "span", "span", "ul"]
    assert item[2].get("class") == "review-note" and item[2].text == "On the title"
    assert item[2].get("data-author") == "Dana Reviewer"
    p = tree.find(".//article/p")
    assert p[-1].text == "On other" and p[0].tail == " after."
    assert "Done" not in html.tostring(tree, encoding="unicode")
