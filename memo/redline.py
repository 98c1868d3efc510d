"""``memo redline``: each variant as a redline from an older version to the current one.

For every selected variant, both versions are rendered with provenance marks
(:mod:`memo.marks`) and compared field by field (:mod:`memo.changes`); the merged
document goes to every writer like any other. The DOCX carries the changes as Word's
own tracked changes; the PDF and the HTML mark them so they print and read without
colour, under a first section, "Changes since OLD", listing each change with a link to
its place. Files are named ``AUDIENCE-LANG.redline.EXT`` beside the clean builds, which
they never overwrite, and ``manifest.json`` records them as redlines.

The old version comes from git, a release or a folder (:mod:`memo.revisions`). Both are
dated with the current version's date (or ``SOURCE_DATE_EPOCH``), so a redline is as
reproducible as every other artifact.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree, html

from memo.changes import Change, compare
from memo.document import Document, parse
from memo.errors import ContentError, MemoError
from memo.output import Artifact, atomic_write, check_out, locked, write_manifest
from memo.theme import Theme, as_theme
from memo.tracking import revisions

AUTHOR = "memo"


@dataclass
class Redlined:
    """One variant's redline: its files, and what changed."""

    variant: str
    changes: list[Change] = field(default_factory=list)
    revisions: int = 0  # the tracked changes a word processor lists
    files: list[str] = field(default_factory=list)
    new_audience: bool = False
    failure: str = ""

    @property
    def substantive(self) -> list[Change]:
        return [c for c in self.changes if c.substantive]


@dataclass
class Result:
    since: str
    out: Path
    variants: list[Redlined] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # old fields memo no longer knows

    @property
    def ok(self) -> bool:
        return not any(v.failure for v in self.variants)


def redline(content: Path, templates: Theme | Path | None, out: Path, since: str, *,
            root: Path | None = None, audiences: Iterable[str] = (),
            languages: Iterable[str] = (), formats: Iterable[str] = (),
            author: str | None = None, source_date: int | None = None,
            progress: Callable[[str, int, int], None] = lambda v, i, n: None) -> Result:
    """Write each selected variant's redline from ``since`` (a git revision of the
    project at ``root``, a release folder or archive, a content folder) into ``out``."""
    from memo import render as rendering
    from memo.build import iso_date
    from memo.content import load_project
    from memo.plan import plan
    from memo.revisions import resolve
    from memo.validation import lenient

    theme = as_theme(templates)
    project = load_project(content)
    rendering.check_templates(project, theme)
    variants = plan(project, audiences=audiences, languages=languages, formats=formats)
    created = iso_date(source_date) if source_date is not None else \
        f"{project.memo.date.isoformat()}T00:00:00Z"
    result = Result(since, out)
    with resolve(since, root, theme.override) as old:
        result.since = old.label
        old_theme = Theme(old.templates) if old.templates is not None else theme
        try:
            with lenient() as dropped:
                before = load_project(old.content)
        except ContentError as exc:
            raise MemoError(f"--since {since}: its content does not load with this version "
                            f"of memo:\n{exc}") from None
        result.ignored = [_within(old.content, d) for d in dropped]
        check_out(out)
        with locked(out):
            artifacts: list[Artifact] = []
            digest = _inputs(old.content, old_theme, content, theme, created)
            for i, v in enumerate(variants, start=1):
                try:
                    done = _variant(project, before, v, theme, old_theme, old.label, created,
                                    author or AUTHOR, out, digest, artifacts)
                except MemoError as exc:  # this variant only: the others still come
                    done = Redlined(v.name, failure=str(exc))
                result.variants.append(done)
                progress(v.name, i, len(variants))
            write_manifest(out, artifacts)
    return result


def _variant(project, before, v, theme: Theme, old_theme: Theme, since: str, created: str,
             author: str, out: Path, digest: str, artifacts: list) -> Redlined:
    """One variant's redline, in every format it is built in, written to ``out``."""
    from memo import render as rendering
    from memo.writers import writer

    new_doc = rendering.render(project, v.audience, theme, v.lang, created=created,
                               marks=True)
    old_doc = _old(before, v, old_theme, created)
    merged = compare(old_doc.article if old_doc is not None else _empty(), new_doc.article,
                     v.lang)
    done = Redlined(v.name, merged.changes, revisions(merged.article),
                    new_audience=old_doc is None)
    doc = document(new_doc, merged, since, theme, author, done.revisions,
                   new_audience=old_doc is None)
    outputs = {fmt: writer(fmt)(doc, theme) for fmt in v.formats}  # all, then write
    for fmt, output in outputs.items():
        name = f"{v.name}.redline.{fmt}"
        atomic_write(out / name, output.data)
        artifacts.append(Artifact(
            name, v.name, v.audience, v.lang, fmt, hashlib.sha256(output.data).hexdigest(),
            len(output.data), new_doc.words(), digest, output.pages,
            [f.record() for f in output.fonts],
            redline={"since": since, "revisions": done.revisions,
                     "listed": len(done.substantive)}))
        done.files.append(name)
    return done


def _old(before, v, theme: Theme, created: str) -> Document | None:
    """The variant as the old version rendered it; None if it had no such variant (a new
    audience or language: everything is then inserted)."""
    from memo import render as rendering

    if v.audience not in before.audiences or v.lang not in before.languages:
        return None
    try:
        return rendering.render(before, v.audience, theme, v.lang, created=created,
                                marks=True, rules=False)
    except MemoError as exc:
        raise MemoError(f"the old version does not render with this version of memo, so "
                        f"there is nothing to compare with:\n{exc}") from None


def _within(folder: Path, said: str) -> str:
    """``file: field`` with the file named as in the content folder, not a temporary one."""
    name, _, rest = said.partition(": ")
    try:
        name = Path(name).resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        pass
    return f"{name}: {rest}"


def _empty():
    return etree.Element("article", {"class": "memo"})


def _inputs(old_content: Path, old_theme: Theme, content: Path, theme: Theme,
            created: str) -> str:
    """What a redline's bytes depend on: both versions' content and templates, the date."""
    h = hashlib.sha256(created.encode())
    for folder in (old_content, content):
        for p in sorted(folder.rglob("*.yaml")):
            h.update(p.relative_to(folder).as_posix().encode() + b"\0" + p.read_bytes())
    for t in (old_theme, theme):
        h.update(t.digest().encode())
    return h.hexdigest()


# -- the redline document -----------------------------------------------------------------

def document(new: Document, merged, since: str, theme: Theme, author: str,
             count: int = 0, new_audience: bool = False) -> Document:
    """The new document's head and the merged article, with the list of changes first,
    the changes' spoken labels, and the meta tags the writers read."""
    from memo.localize import Localizer
    from memo.templating import Labels

    loc = Localizer(new.lang, new.lang)
    labels = Labels(theme, loc)

    def t(key: str, **fields) -> str:
        return str(labels(key, **fields))

    tree = copy.deepcopy(new.tree)
    head = tree.find("head")
    for name, value in (("memo.redline", since), ("memo.redline.author", author),
                        ("memo.label.inserted", t("inserted")),
                        ("memo.label.deleted", t("deleted"))):
        etree.SubElement(head, "meta", name=name, content=value)
    article = merged.article
    article.attrib.update(new.article.attrib)
    for el in article.iter("ins", "del"):
        el.set("data-label", t("inserted" if el.tag == "ins" else "deleted"))
    for ul in article.iter("ul"):  # a line of choices changed as one line
        if "decision" in (ul.get("class") or "").split() and any(
                li.get("data-change") or li.get("data-changed") for li in ul):
            ul.set("data-changed", "1")
    header = article.find("header")
    at = article.index(header) + 1 if header is not None else 0
    article.insert(at, _summary(merged, since, t, count, new_audience))
    old = tree.find(".//body/article")
    old.getparent().replace(old, article)
    text = html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")
    if loc.problems:
        raise ContentError(loc.problems, what=f"{new.audience}-{new.lang}")
    doc = parse(text, audience=new.audience, lang=new.lang, template="redline")
    doc.figures = new.figures
    return doc


def _summary(merged, since: str, t, count: int, new_audience: bool):
    """``section.changes``: how many tracked changes, then each change of substance,
    where it is and how big, linked to its place; changes to generated text counted."""
    section = etree.Element("section", {"class": "changes", "id": "changes",
                                        "aria-labelledby": "changes-h"})
    h2 = etree.SubElement(section, "h2", id="changes-h")
    h2.text = t("changes-since", since=since)
    listed = [c for c in merged.changes if c.substantive]
    p = etree.SubElement(section, "p")
    p.text = t("change-new-variant", since=since) if new_audience else \
        t("change-count", n=count, listed=len(listed)) if count else \
        t("change-none", since=since)
    if listed:
        ul = etree.SubElement(section, "ul", {"class": "changes"})
        for c in listed:
            li = etree.SubElement(ul, "li")
            a = etree.SubElement(li, "a", href=f"#{c.anchor}")
            a.text = _where(merged.article, c)
            a.tail = " " + _what(c, t)
    moves = [c for c in merged.changes if c.kind == "moved"]
    if moves:  # the order changed: said apart, each linked to the item's new place
        p = etree.SubElement(section, "p")
        p.text = t("change-moves", n=len(moves)) + " "
        for i, c in enumerate(moves):
            a = etree.SubElement(p, "a", href=f"#{c.anchor}")
            a.text = _where(merged.article, c)
            a.tail = t("list-separator") if i < len(moves) - 1 else ""
    generated = len(merged.changes) - len(listed) - len(moves)
    if generated:
        p = etree.SubElement(section, "p")
        p.text = t("change-generated", n=generated)
    return section


def _where(article, c: Change) -> str:
    """The heading of the section a change is in, and the field's item and name."""
    heading = ""
    for el in article.iter("section"):
        if el.get("id") == c.section:
            h = el.find("h2") if el.find("h2") is not None else el.find("h3")
            heading = " ".join("".join(h.itertext()).split()) if h is not None else ""
            break
    parts = [heading] if heading else []
    if c.field:
        path = c.field.split(":", 1)[-1].split(".")
        item = path[1] if len(path) > 2 else ""
        if item and item not in c.section:
            parts.append(item)
        parts.append(path[-1].replace("_", " "))
    return " › ".join(parts) or c.section


def _what(c: Change, t) -> str:
    if c.kind in ("section-added", "section-removed", "restyled", "cited"):
        return t(f"change-{c.kind}")
    if c.kind == "inserted":
        return t("change-inserted", added=c.added)
    if c.kind == "deleted":
        return t("change-deleted", removed=c.removed)
    return t("change-changed", added=c.added, removed=c.removed)


