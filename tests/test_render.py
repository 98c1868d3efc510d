"""Rendering one variant: citations and the sources list, the pure parts directly."""

from __future__ import annotations

import re

from memo.citations import Citations
from memo.content import load_project
from memo.render import render

from .conftest import CONTENT, TEMPLATES


def test_notes_give_a_source_in_full_then_ibid_then_short():
    project = load_project(CONTENT)
    first, second = project.sources[0], project.sources[1]
    cites = Citations(project, ibid="Ibid")
    full = cites(first.id, "")
    assert first.title in full and full.endswith(".")
    assert cites(first.id, "12") == "Ibid, 12."
    assert second.title in cites(second.id, "")
    short = first.short or first.title
    assert cites(first.id, "") == (f"{short[:-1]}.”" if short.endswith("”") else f"{short}.")
    assert [s.id for s in cites.cited()] == [first.id, second.id]


def test_a_stop_after_a_quoted_title_goes_inside_the_quotation_mark():
    from memo.citations import _stop

    assert _stop("Yu, “The US Role”", ".") == "Yu, “The US Role.”"
    assert _stop("Yu, “The US Role”", ",") + " 4" == "Yu, “The US Role,” 4"
    assert _stop("<cite>Treaty</cite>", ".") == "<cite>Treaty</cite>."


def test_a_corporate_author_with_a_comma_is_one_author():
    from memo.citations import full_citation

    easr = load_project(CONTENT).source("easr1995")
    assert easr.authors == ["U.S. Department of Defense, Office of International Security "
                            "Affairs"]
    assert full_citation(easr).startswith("U.S. Department of Defense, Office of "
                                          "International Security Affairs, <cite>")


def _listed(doc) -> list[str]:
    return ["".join(li.itertext()) for li in doc.tree.iterfind(".//ol[@class='sources']/li")]


def test_the_sources_list_holds_every_source_wherever_the_profile_puts_it(tmp_path):
    """A profile may put the sources first; the list still names every source cited in
    the notes after it, in the order first cited, and the notes are unchanged."""
    import shutil

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    staff = content / "audiences" / "staff.yaml"
    text = staff.read_text()
    sections = re.search(r"sections: \[(.*)\]", text).group(1)
    assert sections.endswith(", sources, clearance")
    staff.write_text(text.replace(sections, "sources, " + sections.replace(", sources", "")))

    last = render(load_project(CONTENT), "staff", TEMPLATES, "en")
    first = render(load_project(content), "staff", TEMPLATES, "en")
    assert len(_listed(last)) >= 5
    assert _listed(first) == _listed(last)
    notes = [("".join(n.itertext())) for n in first.tree.iterfind(".//span[@class='footnote']")]
    assert notes == ["".join(n.itertext())
                     for n in last.tree.iterfind(".//span[@class='footnote']")]


def test_a_render_with_the_sources_last_takes_one_pass(monkeypatch):
    from memo import render as rendering

    passes = []
    real = rendering._run
    monkeypatch.setattr(rendering, "_run", lambda *a, **k: passes.append(1) or real(*a, **k))
    render(load_project(CONTENT), "staff", TEMPLATES, "en")
    assert len(passes) == 1
