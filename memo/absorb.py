"""``memo absorb``: a reviewer's edits and comments in a DOCX, back into the YAML.

A DOCX that memo built carries, in hidden bookmarks, where each field's text is
(:mod:`memo.writers.provenance`), and which content it was built from. ``absorb``:

1. reads the reviewed file as untrusted input (:mod:`memo.writers.reviewed`);
2. finds the version it was built from (the content its properties name: the current
   one, a commit in the project's git history, or ``--base``) and builds that DOCX
   again, in memory, to know each field's text as the reviewer first saw it;
3. takes each field whose text the reviewer changed (tracked changes accepted, and
   untracked edits too) back into its source (:mod:`memo.fieldtext`: markup and
   citations kept where the reviewer kept their words and notes) and writes it in
   place (:mod:`memo.yamledit`), nothing else in the file moving;
4. takes the comments into ``review.yaml`` (:mod:`memo.review`).

What cannot be taken back is listed with the reviewer's words and the nearest field's
``file:line``, and then nothing is written unless ``partial``: an edit in generated
text (headings, labels, the routing block, the decision line), a change across two
fields, a field changed in the YAML since the DOCX was built, an edit the field's
markup cannot carry. An edited note is reported against its source entry, not applied:
notes are made from ``sources.yaml``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from memo import fieldtext, review, yamledit
from memo.errors import ContentError, UsageError, display_path
from memo.marks import locate, source_of
from memo.origin import built_from
from memo.writers import drift


@dataclass
class Edit:
    key: str  # the field (memo.marks)
    file: str  # in the content folder
    path: tuple  # in that file
    line: int
    old: str
    new: str
    by: list[str]


@dataclass
class Problem:
    what: str  # why it cannot be taken back
    words: str  # the reviewer's words
    near: str  # the nearest field's file:line


@dataclass
class Absorbed:
    docx: Path
    variant: str
    base: str  # which version it was compared with
    edits: list[Edit] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)
    new_comments: int = 0  # of them, the ones review.yaml did not have yet
    problems: list[Problem] = field(default_factory=list)
    notes_edited: list[Problem] = field(default_factory=list)  # reported, not applied
    diff: str = ""
    written: list[str] = field(default_factory=list)


def absorb(docx: Path, content: Path, templates, *, root: Path | None = None,
           output: Path | None = None, base: str | None = None, dry_run: bool = False,
           partial: bool = False) -> Absorbed:
    """Take ``docx``'s review back into ``content`` (see the module's text)."""
    from memo.writers import reviewed

    after = reviewed.read(docx)
    variant = after.properties.get("memo.variant")
    if not variant or not after.fields:
        raise UsageError(f"{display_path(docx)}: carries no memo provenance (no field "
                         "bookmarks or memo.variant property): was it built by memo, and "
                         "saved by an editor that keeps bookmarks?")
    audience, _, lang = variant.rpartition("-")
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", audience or "-") or \
            not (content / "audiences" / f"{audience}.yaml").is_file():
        raise UsageError(f"{display_path(docx)}: says it is {variant!r}, which the content "
                         "has no audience for (a forged or damaged mark, or another "
                         "project's memo?)")
    files = after.properties.get("memo.content.files")
    with built_from(after.properties.get("memo.content"), content, root, base, output,
                    files.split() if files else None) as (folder, label):
        found = _compare(after, variant, folder, content, templates, label, docx)
    _still_valid(content, templates, found)
    found.new_comments = len(review.fresh(content / review.FILE, found.comments))
    if found.problems and not partial or dry_run:
        found.diff = _diff(content, found)
        return found
    found.diff = _diff(content, found)
    _write(content, found)
    return found


# -- comparing ---------------------------------------------------------------------------

def _compare(after, variant: str, folder: Path, content: Path, templates, label: str,
             docx: Path) -> Absorbed:
    from memo import render as rendering
    from memo.content import load_project
    from memo.theme import as_theme
    from memo.validation import lenient
    from memo.writers import reviewed, writer

    theme = as_theme(templates)
    now = load_project(content)  # invalid: its problems, located, exit 2
    try:
        with lenient():
            then = load_project(folder)
    except ContentError as exc:
        raise UsageError(f"cannot absorb: {label}, which the DOCX was built from, does "
                         f"not load (give another with --base):\n{exc}") from None
    audience, _, lang = variant.rpartition("-")
    if audience not in then.audiences:
        raise UsageError(f"{display_path(docx)}: says it is {variant!r}, which "
                         f"{label} has no audience for (a forged or damaged mark?)")
    doc = rendering.render(then, audience, theme, lang, marks=True, rules=False)
    built = writer("docx")(doc, theme)
    before = reviewed.read(built.data, "the DOCX as built")
    names = built.provenance  # bookmark -> field key
    out = Absorbed(docx, variant, label)
    table: dict[str, str] = {}
    # each document numbers its notes its own way (LibreOffice renumbers them)
    calls_before, calls_after = _note_chars(before, names, table), _note_chars(after, names,
                                                                               table)
    drift.undrift(before, after, calls_before, calls_after)
    for name, span in after.fields.items():
        if name not in names:
            out.problems.append(Problem("a mark memo did not make (forged, or copied from "
                                        "another document)", span.text()[:80], name))
    for name, key in names.items():
        if key.startswith("sources.yaml:"):
            continue
        was = before.fields.get(name)
        now_span = after.fields.get(name)
        near = _where(now, content, key, lang)
        if now_span is None:
            out.problems.append(Problem("the field's text is gone with its mark (a whole "
                                        "paragraph deleted?)", was.text() if was else "",
                                        near))
            continue
        old = fieldtext.normalize(was.text(notes=calls_before))
        new = fieldtext.normalize(now_span.text(notes=calls_after))
        if old == new:
            continue
        _take(out, key, old, new, now_span, then, now, content, lang, table, near)
    _once(out, lambda k: _where(now, content, k, lang))
    _gaps(out, before, after, names, lambda k: _where(now, content, k, lang))
    _notes(out, before, after, names, lambda k: _where(now, content, k, now.memo.lang))
    _comments(out, after, names, lang, docx)
    return out


def _note_chars(doc, names: dict[str, str], table: dict[str, str]) -> dict[str, str]:
    """Each footnote's call, as the character of the source its bookmark names."""
    out = {}
    for fid, span in doc.notes.items():
        key = names.get(span.name, "")
        if key.startswith("sources.yaml:sources."):
            out[fid] = fieldtext.note_char(key.split("sources.", 2)[-1], table)
    return out


def _take(out: Absorbed, key: str, old: str, new: str, span, then, now, content: Path,
          lang: str, table: dict, near: str) -> None:
    try:
        file, path = locate(now, key, lang)
        _, then_path = locate(then, key, lang)
    except LookupError as exc:
        out.problems.append(Problem(str(exc), new[:120], near))
        return
    source_then = _value(then, file, then_path)
    source_now = _value(now, file, path)
    if fieldtext.shown(source_now, table) == new:
        return  # taken already: the same review absorbed before
    if source_then != source_now:
        out.problems.append(Problem("the field was changed in the YAML since the DOCX was "
                                    "built: take the reviewer's words over by hand",
                                    _words(old, new), near))
        return
    try:
        value = fieldtext.apply(source_now, old, new, table)
    except fieldtext.Unmappable as exc:
        out.problems.append(Problem(str(exc), _words(old, new), near))
        return
    text = (content / file).read_text("utf-8")
    line = yamledit.line_of(text, path)
    by = sorted({p.author for p in span.changes if p.author}) or ["(untracked)"]
    out.edits.append(Edit(key, file, path, line, source_now, value, by))


def _once(out: Absorbed, where) -> None:
    """A field the memo shows twice (a recommendation's title in its list and in the
    decision lines) edited in one place is one edit; edited two ways, it is a problem."""
    by_key: dict[str, list[Edit]] = {}
    for e in out.edits:
        by_key.setdefault(e.key, []).append(e)
    out.edits = []
    for key, edits in by_key.items():
        if len({e.new for e in edits}) == 1:
            out.edits.append(edits[0])
        else:
            out.problems.append(Problem("a field the memo shows in two places, edited "
                                        "differently in each", " / ".join(
                                            _words(e.old, e.new) for e in edits),
                                        where(key)))


def _words(old: str, new: str) -> str:
    """What the reviewer changed, shortly: the words removed and added."""
    sm = difflib.SequenceMatcher(None, old.split(), new.split())
    parts = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag != "equal":
            gone, came = " ".join(old.split()[i1:i2]), " ".join(new.split()[j1:j2])
            parts.append(f"-[{gone}]" * bool(gone) + f"+[{came}]" * bool(came))
    return " ".join(parts)[:200]


def _gaps(out: Absorbed, before, after, names: dict[str, str], where) -> None:
    """Edits outside every field: generated text, where nothing can be taken back."""
    from memo.writers.reviewed import NOTE

    def texts(doc):
        return {g.name: fieldtext.normalize(g.text().replace(NOTE, "")) for g in doc.gaps}

    was, now = texts(before), texts(after)
    for name, text in now.items():
        if text != was.get(name, text) or any(p.state != "=" for g in after.gaps
                                                if g.name == name for p in g.pieces):
            if text == was.get(name):
                continue
            near = where(names.get(name, ""))
            out.problems.append(Problem("an edit in generated text (a heading, a label, "
                                        "the routing block or a decision line)",
                                        _words(was.get(name, ""), text), near))
    bad = drift.crossing(after.sequence)
    if bad:
        keep = []
        for e in out.edits:
            if any(names.get(n) == e.key for n in bad):
                out.problems.append(Problem("a change that runs across two fields, or "
                                            "into generated text", _words(e.old, e.new),
                                            where(e.key)))
            else:
                keep.append(e)
        out.edits = keep


def _notes(out: Absorbed, before, after, names: dict[str, str], where) -> None:
    """A note whose text the reviewer edited: reported against its source entry."""
    was = {}
    for span in before.notes.values():
        was.setdefault(span.name, fieldtext.normalize(span.text()))
    for span in after.notes.values():
        text = fieldtext.normalize(span.text())
        key = names.get(span.name, "")
        if span.name and span.name in was and text != was[span.name] or \
                any(p.state != "=" for p in span.pieces) and span.name:
            if text == was.get(span.name):
                continue
            out.notes_edited.append(Problem(
                "a note's text edited: notes are made from sources.yaml, edit the source "
                "entry there", _words(was.get(span.name, ""), text), where(key)))


def _comments(out: Absorbed, after, names: dict[str, str], lang: str, docx: Path) -> None:
    for c in after.comments:
        keys = [names[n] for n in c.fields if n in names]
        if not keys:
            out.problems.append(Problem("a comment on generated text, tied to no field",
                                        c.text[:120], c.covered[:60]))
            continue
        note = {"field": keys[0], "lang": lang, "author": c.author or "Reviewer"}
        if c.date:
            note["date"] = c.date
        if c.covered.strip():
            note["quote"] = " ".join(c.covered.split())
        note["text"] = c.text
        note["resolved"] = c.resolved
        note["from"] = docx.name
        out.comments.append(note)


# -- where a field is ------------------------------------------------------------------

def _value(project, file: str, path: tuple) -> str:
    data = source_of(project, file).data
    for part in path:
        data = data[part]
    return data


def _where(project, content: Path, key: str, lang: str) -> str:
    """``file:line`` of field ``key`` in the current content (the file alone, or the
    key, when the field is gone)."""
    if not key:
        return "the document's start"
    try:
        name, path = locate(project, key, lang, whole=True)
        text = (content / name).read_text("utf-8")
        return f"{display_path(content / name)}:{yamledit.line_of(text, path)}"
    except (LookupError, yamledit.EditError, OSError):
        return key.partition(":")[0] or key


# -- writing ---------------------------------------------------------------------------

def _new_texts(content: Path, found: Absorbed) -> dict[str, tuple[str, str]]:
    """Each file that changes: its old text and its new one."""
    texts: dict[str, tuple[str, str]] = {}
    for e in found.edits:
        old, cur = texts.get(e.file, ((content / e.file).read_text("utf-8"),) * 2)
        texts[e.file] = (old, yamledit.replace(cur, e.path, e.new))
    if found.comments:
        path = content / review.FILE
        old = path.read_text("utf-8") if path.is_file() else ""
        new = review.updated(path, found.comments)
        if new != old:
            texts[review.FILE] = (old, new)
    return texts


def _still_valid(content: Path, templates, found: Absorbed) -> None:
    """The content as absorb would leave it, checked as ``memo check`` does (loaded,
    every variant rendered, the drafting rules applied): an edit that would make it
    invalid (a field emptied, a forbidden phrase) is a problem, not written."""
    import shutil
    import tempfile

    from memo.build import check

    for _ in range(len(found.edits) + 1):  # each round drops the edits found at fault
        texts = _new_texts(content, found)
        if not found.edits or not texts:
            return
        with tempfile.TemporaryDirectory(prefix="memo-absorb-") as tmp:
            trial = Path(tmp) / "content"
            shutil.copytree(content, trial, ignore=shutil.ignore_patterns(".*"))
            for name, (_, new) in texts.items():
                (trial / name).write_text(new, "utf-8")
            try:
                check(trial, templates)
                return
            except ContentError as exc:
                problems = exc.problems
        at_fault = []
        for problem in problems:
            rel = Path(problem.file).name if "audiences" not in problem.file else \
                "audiences/" + Path(problem.file).name
            hit = [e for e in found.edits if e.file == rel and e.line == problem.line]
            at_fault += hit or found.edits  # a problem no one edit made: all of them
            message = f"it would leave the content invalid: {problem.path}: " \
                f"{problem.message}" if problem.path else problem.message
            for e in hit or found.edits:
                found.problems.append(Problem(message, _words(e.old, e.new),
                                              f"{display_path(content / e.file)}:{e.line}"))
        found.edits = [e for e in found.edits if e not in at_fault]


def _diff(content: Path, found: Absorbed) -> str:
    out = []
    for name, (old, new) in _new_texts(content, found).items():
        where = display_path(content / name)
        out += difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                    f"a/{where}", f"b/{where}")
    return "".join(out)


def _write(content: Path, found: Absorbed) -> None:
    from memo.output import atomic_write

    for name, (_, new) in _new_texts(content, found).items():
        atomic_write(content / name, new.encode("utf-8"))
        found.written.append(name)
