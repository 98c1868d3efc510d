"""Which content files a render reads (memo.reads), and the inputs hash made of them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from memo.cache import Inputs
from memo.content import FILES, OPTIONAL, load_project
from memo.plan import Variant, plan
from memo.reads import EVERY, PARTS, Reading
from memo.render import render
from memo.theme import as_theme

from .conftest import CONTENT

# a change each variant that shows the file shows, the content valid before and after
EDITS = {
    "caveats.yaml": ("U.S. influence alone", "U.S. influence by itself"),
    "briefing.yaml": ("Cost-sharing with South Korea", "Cost sharing with South Korea"),
    "precedents.yaml": ("steady U.S. encouragement", "patient U.S. encouragement"),
}


def test_the_parts_name_every_file_the_loader_knows():
    assert set(PARTS.values()) == set(FILES) | set(OPTIONAL)


def test_reading_notes_each_part_asked_for_and_everything_for_what_it_cannot_name():
    project = load_project(CONTENT)
    seen = Reading(project)
    assert seen.caveats == project.caveats and seen.folder == project.folder
    assert seen.files.get("briefing.yaml") is project.files["briefing.yaml"]
    assert seen.audiences["staff"] is project.audiences["staff"]
    assert "partner" in seen.audiences
    assert seen.noted() == {"caveats.yaml", "briefing.yaml", "audiences/staff.yaml",
                            "audiences/partner.yaml"}
    list(seen.audiences)  # every profile: no single file to name
    assert EVERY in seen.noted()
    other = Reading(project)
    other.model_dump()  # a part this module does not know
    assert other.noted() == {EVERY}


def test_each_variant_reads_what_its_profile_shows():
    project = load_project(CONTENT)
    reads = {v.name: render(project, v.audience, None, v.lang).reads for v in plan(project)}
    assert "caveats.yaml" in reads["staff-en"]
    assert not {"caveats.yaml", "precedents.yaml", "briefing.yaml"} & reads["principal-en"]
    for name, files in reads.items():
        assert {"memo.yaml", "sources.yaml", f"audiences/{name.split('-')[0]}.yaml"} <= files
        assert not any(f.startswith("audiences/") and name.split("-")[0] not in f
                       for f in files), "another audience's profile"


@pytest.mark.parametrize("edited", sorted(EDITS))
def test_a_file_a_variant_does_not_read_cannot_change_it(edited, tmp_path):
    """The soundness of the record: edit a file, and every variant that did not read it
    renders (marked, as a build does) to the same document; one that did, to another."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    before = load_project(content)
    variants = plan(before)
    docs = {v.name: render(before, v.audience, None, v.lang, marks=True) for v in variants}
    old, new = EDITS[edited]
    text = (content / edited).read_text("utf-8")
    assert old in text
    (content / edited).write_text(text.replace(old, new, 1), "utf-8")
    after = load_project(content)
    changed = set()
    for v in variants:
        doc = render(after, v.audience, None, v.lang, marks=True)
        if doc.html != docs[v.name].html:
            changed.add(v.name)
            assert edited in docs[v.name].reads, f"{v.name} changed without reading {edited}"
    assert changed, f"the edit of {edited} changed no variant"


def test_the_inputs_hash_covers_the_files_read_and_those_the_loader_does_not_know(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    theme, out = as_theme(None), tmp_path / "out"
    staff, principal = Variant("staff", "en", ("html",)), Variant("principal", "en", ("html",))
    reads = {"staff": ["caveats.yaml", "memo.yaml"], "principal": ["memo.yaml"]}

    def hashes():
        inputs = Inputs(content, theme, out)
        return (inputs.of(staff, "html", reads["staff"]),
                inputs.of(principal, "html", reads["principal"]),
                inputs.of(principal, "html", [EVERY]), inputs.of(principal, "html", None))

    first = hashes()
    assert first[0] != Inputs(content, theme, out).of(staff, "pdf", reads["staff"])
    (content / "caveats.yaml").write_text("caveats: []\n")
    second = hashes()
    assert second[0] != first[0] and second[1] == first[1], "only what read the caveats"
    assert second[2] != first[2] and second[3] != first[3], "everything, or not recorded"
    (content / "house.csl").write_text("<style/>")  # a project's own style: read by all
    third = hashes()
    assert all(a != b for a, b in zip(second, third, strict=True))


def test_an_archival_pdf_depends_on_every_file_it_carries(tmp_path):
    """A PDF/A-3 carries the content files as attachments: its bytes change with any of
    them, whatever its text shows; a PDF/UA only with what it shows."""
    from memo.build import _sources
    from memo.engine import Job, make
    from memo.writers import Options

    project, theme = load_project(CONTENT), as_theme(None)
    sources = _sources(Path(CONTENT))
    inputs = Inputs(Path(CONTENT), theme, tmp_path)
    principal = Variant("principal", "en", ("pdf",))
    reads = {}
    for variant in ("pdf/a-3b", "pdf/ua-1"):
        job = Job(project, theme, tmp_path, Options(variant, sources), None, inputs=inputs)
        (artifact, _), = make(job, principal, ("pdf",)).files
        assert artifact.inputs == inputs.of(principal, "pdf", artifact.reads)
        reads[variant] = set(artifact.reads)
    assert reads["pdf/a-3b"] == {name for name, _ in sources}
    assert "caveats.yaml" not in reads["pdf/ua-1"] and "memo.yaml" in reads["pdf/ua-1"]
