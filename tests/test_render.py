"""Rendering one variant: citations and the sources list, the pure parts directly."""

from __future__ import annotations

import re

from memo.content import load_project
from memo.render import render

from .conftest import CONTENT, TEMPLATES


def _listed(doc) -> list[str]:
    return ["".join(li.itertext()) for li in doc.tree.iterfind(".//ul[@class='sources']/li")]


def test_the_sources_list_holds_every_source_wherever_the_profile_puts_it(tmp_path):
    """A profile may put the sources first; the list still names every source cited in
    the notes after it, and the notes are unchanged."""
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
