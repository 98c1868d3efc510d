"""Clearance and decision (memo.clearance): the clearance block in every internal format
and never in the partner paper, `memo clearance`, a release refused while a clearance is
pending or the memo is a draft, decision lines with a decide-by date and a split, and
word limits per section."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import docx
import pytest
from click.testing import CliRunner
from lxml import html

from memo import clearance as clearing
from memo.cli import main
from memo.content import ReviewNote, load_project
from memo.errors import ContentError

from .conftest import CONTENT, TEMPLATES, edit, line_of, pdftotext

ORTIZ = "L/EAP: R. Ortiz (ok with edits, February 5, 2021)"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


# -- the pure functions -------------------------------------------------------------------

def _block(*entries) -> clearing.Clearance:
    return clearing.Clearance(drafted={"name": "K. Morgan", "office": "S/P"},
                              cleared=list(entries))


def test_outstanding_is_the_required_clearances_not_given():
    day = dt.date(2021, 2, 5)
    block = _block({"office": "A", "status": "cleared", "date": day},
                   {"office": "B", "status": "pending"},
                   {"office": "C", "status": "not-cleared", "date": day},
                   {"office": "D", "status": "pending", "required": False},
                   {"office": "E", "status": "cleared-with-edits", "date": day})
    assert [c.office for c in clearing.outstanding(block)] == ["B", "C"]
    assert clearing.outstanding(None) == []
    lines = clearing.table(block)
    assert lines[-1] == "outstanding: B (pending), C (not-cleared)"
    assert any(ln.startswith("cleared   D") and ln.endswith("(not required)") for ln in lines)


def test_a_clearance_cleared_with_edits_finds_its_reviewers_notes():
    who = clearing.Clearer(office="L/EAP", name="R. Ortiz", status="cleared-with-edits",
                           date=dt.date(2021, 2, 5))
    notes = [ReviewNote(field="memo.yaml:summary", author="r. ortiz", text="Cite it."),
             ReviewNote(field="memo.yaml:summary", author="Dana Reviewer", text="Shorter.")]
    assert [n.text for n in clearing.notes_of(who, notes)] == ["Cite it."]
    state = clearing.state(_block(who.model_dump()), notes)
    assert state == [{"office": "L/EAP", "name": "R. Ortiz", "status": "cleared-with-edits",
                      "date": "2021-02-05", "required": True, "review_notes": 1}]


def test_a_status_and_its_date_go_together():
    with pytest.raises(ValueError, match="status cleared needs the date"):
        clearing.Clearer(office="A", status="cleared")
    with pytest.raises(ValueError, match="a pending clearance has no date yet"):
        clearing.Clearer(office="A", date=dt.date(2021, 2, 5))


# -- the bundled memo ----------------------------------------------------------------------

@pytest.mark.parametrize("variant", ["principal-en", "staff-en"])
def test_the_clearance_block_closes_each_internal_memo_in_every_format(built, variant):
    # -raw: in drawing order; the layout mode reads the hanging heads as a column apart
    text = " ".join(pdftotext(built / f"{variant}.pdf", "-raw").split())
    assert "Drafted: S/P: K. Morgan, 202-647-2972" in text
    assert "Cleared: EAP/K: J. Lee (ok, February 4, 2021)" in text
    assert ORTIZ in text and "EB/TPN: A. Chen (not cleared, info, February 5, 2021)" in text
    assert text.rindex("Approved: S/P: Director of Policy Planning") > text.rindex(ORTIZ)
    word = docx.Document(str(built / f"{variant}.docx")).paragraphs
    paras = [p.text for p in word]
    assert paras[-1] == "Approved: S/P: Director of Policy Planning"
    assert ORTIZ in paras
    # one block on one page: each line kept with the next, as Word and LibreOffice read it
    block = word[paras.index("Drafted: S/P: K. Morgan, 202-647-2972"):]
    assert [p.paragraph_format.keep_with_next for p in block] == [True] * 6 + [None]
    page = html.fromstring((built / f"{variant}.html").read_bytes())
    block = page.find(".//section[@class='clearance']")
    assert ORTIZ in [" ".join(p.text_content().split()) for p in block.iter("p")]


@pytest.mark.parametrize("variant", ["partner-en", "partner-ko", "partner-ja", "congress-en"])
def test_no_clearance_block_goes_outside(built, variant):
    assert "K. Morgan" not in pdftotext(built / f"{variant}.pdf")
    assert not any("K. Morgan" in p.text
                   for p in docx.Document(str(built / f"{variant}.docx")).paragraphs)


def test_decision_lines_carry_the_date_and_the_split(built):
    text = " ".join(pdftotext(built / "principal-en.pdf").split())
    assert "Decisions Decision needed by: February 19, 2021" in text
    assert ("2. Settle host-nation support without brinkmanship. Conclude quickly"
            in text)
    assert "keep alliance commitments apart from disputes over trade. Recommended by EAP, " \
        "PM. Opposed by EB." in text
    assert text.count("Approve") >= 6 and text.count("Disapprove") == 6
    paras = [p.text for p in docx.Document(str(built / "principal-en.docx")).paragraphs]
    assert "Decision needed by: February 19, 2021" in paras


def test_memo_clearance_shows_the_table_and_what_is_outstanding(content_copy):
    result = run("clearance", "--content", str(content_copy))
    assert result.exit_code == 0, result.output
    assert "cleared   L/EAP    R. Ortiz       cleared-with-edits  2021-02-05  0 review " \
        "notes from R. Ortiz" in result.output
    assert result.output.rstrip().endswith("all required clearances given")
    (content_copy / "review.yaml").write_text(
        "notes:\n  - {field: 'memo.yaml:summary', author: R. Ortiz, text: Cite the 1998 "
        "declaration., resolved: true}\n", "utf-8")
    memo_yaml = content_copy / "memo.yaml"
    edit(memo_yaml, "{office: PM/RSAT, name: D. Brooks, status: cleared, date: 2021-02-05}",
          "{office: PM/RSAT, status: pending}")
    result = run("clearance", "--content", str(content_copy))
    assert result.exit_code == 1
    assert "1 review note from R. Ortiz" in result.output
    assert result.output.rstrip().endswith("outstanding: PM/RSAT (pending)")


def test_a_bad_clearance_is_refused_at_its_line(content_copy):
    memo_yaml = content_copy / "memo.yaml"
    edit(memo_yaml, "{office: EAP/J, name: M. Sato, status: cleared, date: 2021-02-04}",
          "{office: EAP/J, name: M. Sato, status: cleared}")
    edit(memo_yaml, "status: cleared-with-edits", "status: ok")
    result = run("check", "--content", str(content_copy), "--templates", str(TEMPLATES))
    assert result.exit_code == 2
    assert f"memo.yaml:{line_of(memo_yaml, 'M. Sato')}:" in result.output
    assert "status cleared needs the date it was given" in result.output
    assert f"memo.yaml:{line_of(memo_yaml, 'status: ok')}:" in result.output
    assert "Traceback" not in result.output


def _release(content, out, *extra):
    return subprocess.run([sys.executable, "-m", "memo", "release", "--version", "t9",
                           "--content", str(content), "--templates", str(TEMPLATES),
                           "--out", str(out), *extra], capture_output=True, text=True,
                          cwd=out.parent, env={**os.environ})


def test_a_release_is_refused_while_a_clearance_is_pending(content_copy, tmp_path):
    edit(content_copy / "memo.yaml", "{office: L/EAP, name: R. Ortiz, status: "
          "cleared-with-edits, date: 2021-02-05}", "{office: L/EAP, status: pending}")
    out = tmp_path / "dist"
    refused = _release(content_copy, out)
    assert refused.returncode == 2, refused.stderr
    assert "no release: " in refused.stderr and "clearance outstanding from L/EAP (pending)" \
        in refused.stderr and "--allow-uncleared" in refused.stderr
    assert not out.exists()
    edit(content_copy / "memo.yaml", "status: final", "status: draft")
    refused = _release(content_copy, out, "--allow-uncleared")
    assert refused.returncode == 2
    assert "says status: draft; set status: final once it is cleared, or give --allow-draft" \
        in refused.stderr
    assert not out.exists() and "Traceback" not in refused.stderr


def test_a_word_limit_is_reported_with_the_count_and_the_limit(content_copy):
    profile = content_copy / "audiences" / "principal.yaml"
    edit(profile, "limits: {bluf: {words: 110}}", "limits: {bluf: {words: 80}}")
    result = run("check", "--content", str(content_copy), "--templates", str(TEMPLATES))
    assert result.exit_code == 2
    line = line_of(profile, "limits:")
    assert (f"principal.yaml:{line}:24: limits.bluf.words: section bluf of principal-en has "
            "101 words; the limit is 80: cut 21") in result.output
    edit(profile, "limits: {bluf: {words: 80}}", "limits: {blurb: {words: 80}}")
    with pytest.raises(ContentError, match="no section 'blurb' in principal-en"):
        from memo.build import check

        check(content_copy, TEMPLATES)
    assert load_project(CONTENT).audiences["principal"].limits["bluf"].words == 110
