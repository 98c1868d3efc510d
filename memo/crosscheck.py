"""Checks that span the content's files, run when the project loads: ids unique and
known wherever they are cited, links only to the web and to mail, no two notes side by
side, and text only in the languages the variants are built in.

Each check reads the raw data of the files it needs (:class:`~memo.yamlsource.Source`),
so one broken file does not hide the problems of the others, and says each problem at
the line to fix.
"""

from __future__ import annotations

import re
from typing import Any

from memo.drafting import texts
from memo.errors import Problem, did_you_mean
from memo.inline import CITATION, bad_links, parse_cluster
from memo.yamlsource import Source


def check_variants(memo: Any, src: Source, audiences: dict, problems: list[Problem]) -> None:
    """The matrix may name only audiences that have a profile."""
    v = memo.variants
    for i, name in enumerate(v.audiences or []):
        if name not in audiences:
            problems.append(src.problem(("variants", "audiences", i),
                                        unknown("audience", name, set(audiences))))
    for i, rule in enumerate(v.exclude):
        for j, name in enumerate(rule.audience or []):
            if name not in audiences:
                path = ("variants", "exclude", i, "audience")
                if isinstance(src.data["variants"]["exclude"][i]["audience"], list):
                    path += (j,)
                problems.append(src.problem(path, unknown("audience", name, set(audiences))))


def check_languages(value: Any, src: Source | None, langs: set[str],
                     problems: list[Problem]) -> None:
    """Text given in a language no variant is built in is a typo (``kr`` for ``ko``) or a
    forgotten ``variants.languages`` entry: say which."""
    if src is None:
        return
    for path, text in texts(value, ()):
        for lang in text:
            if lang and lang not in langs:
                problems.append(src.problem(
                    path + (lang,), f"text in '{lang}', which is not among the variants' "
                    f"languages ({', '.join(sorted(langs))}); add it to variants.languages "
                    "in memo.yaml or correct the code", key=True))


def _duplicates(src: Source, key: str, problems: list[Problem]) -> set[str]:
    """The ids in the file's ``key`` list, read from the raw data so that a file with other
    problems still yields its ids; a repeated id is a problem."""
    items = src.data.get(key) if isinstance(src.data, dict) else None
    seen: dict[str, int] = {}
    for i, item in enumerate(items if isinstance(items, list) else []):
        ident = item.get("id") if isinstance(item, dict) else None
        if not isinstance(ident, str):
            continue
        if ident in seen:
            line = src.where((key, seen[ident], "id"))[0]
            problems.append(src.problem((key, i, "id"),
                                        f"duplicate id '{ident}' (first used on line {line})"))
        else:
            seen[ident] = i
    return set(seen)


def cross_check(sources: dict[str, Source], problems: list[Problem]) -> None:
    """Checks that span files: duplicate ids, unknown precedent and source ids.

    Each check runs when the files it needs are valid, so one broken file does not hide
    the problems of the others.
    """
    def ids(fname: str, key: str) -> set[str] | None:
        return _duplicates(sources[fname], key, problems) if fname in sources else None

    precedent_ids = ids("precedents.yaml", "precedents")
    ids("recommendations.yaml", "recommendations")
    source_ids = ids("sources.yaml", "sources")

    if precedent_ids is not None and "recommendations.yaml" in sources:
        rsrc = sources["recommendations.yaml"]
        recs = rsrc.data.get("recommendations") if isinstance(rsrc.data, dict) else None
        for i, rec in enumerate(recs if isinstance(recs, list) else []):
            draws_on = rec.get("draws_on") if isinstance(rec, dict) else None
            for j, pid in enumerate(draws_on if isinstance(draws_on, list) else []):
                if isinstance(pid, str) and pid not in precedent_ids:
                    problems.append(rsrc.problem(("recommendations", i, "draws_on", j),
                                                 unknown("precedent", pid, precedent_ids)))
    if source_ids is None:
        return
    for src in sources.values():
        for path, text in strings(src.data, ()):
            for m in _SIDE_BY_SIDE.finditer(text):
                problems.append(src.problem(path, "two notes side by side read as one "
                                            "number (³⁴): move one to the words it supports",
                                            text=m.group(0)))
            for m in CITATION.finditer(text):
                for cite in parse_cluster(m.group()):
                    if cite.id not in source_ids:
                        problems.append(src.problem(path, unknown("source", cite.id,
                                                                  source_ids), text=m.group(0)))


# Two citations with nothing but space between them: their note calls would touch.
_SIDE_BY_SIDE = re.compile(r"\[@[^\]]*\]\s*(?=\[@)")


def check_links(src: Source, problems: list[Problem]) -> None:
    """Links only to the web and to mail: pasted content must not carry ``javascript:``,
    ``file:`` or ``data:`` links into a memo, where the renderer would show them as text."""

    for path, text in strings(src.data, ()):
        if "](" not in text:
            continue
        for href, why in bad_links(text):
            problems.append(src.problem(path, f"link to '{href[:60]}': {why}",
                                        text=href[:40] or None))


def unknown(kind: str, ident: str, known: set[str]) -> str:
    return f"unknown {kind} id '{ident}'{did_you_mean(ident, sorted(known))}"


def strings(data: Any, path: tuple):
    """Every string inside ``data``, with its path."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from strings(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from strings(v, path + (i,))


def check_notes(project: Any, src: Source, problems: list[Problem]) -> None:
    """Each review note is on a field the content still has, in a language it has."""
    from memo.marks import locate

    for i, note in enumerate(project.review):
        try:
            locate(project, note.field, note.lang)
        except LookupError as exc:
            problems.append(src.problem(("notes", i, "field"), f"{exc}: the note is on "
                                        "nothing; move it to the field it is about, or "
                                        "delete it"))
