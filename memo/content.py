"""The memo's content: typed models, loaded from a folder of YAML and checked as a whole.

A memo project is a folder::

    memo.yaml            title, subject, date, authors, marking, bottom line, strategic
                         context, and the variants to build (audiences × languages × formats)
    precedents.yaml      historical precedents (``precedents:``)
    recommendations.yaml recommendations (``recommendations:``), each citing precedents by id
    caveats.yaml         caveats (``caveats:``)
    sources.yaml         the sources registry (``sources:``); prose cites them as ``[@id]``
    briefing.yaml        optional: issues for oversight and talking points (``oversight:``,
                         ``talking_points:``), for the audiences whose profiles show them
    audiences/*.yaml     one profile per audience (see :mod:`memo.profiles`)

:func:`load_project` reads them all and raises one :class:`~memo.errors.ContentError`
listing every problem, each as ``file:line:column: field.path: what is wrong``.

Text a reader sees may be given per language (see :mod:`memo.l10n`); identifiers,
dates and the sources registry are the same in every language.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from memo import l10n, profiles
from memo.errors import ContentError, Problem, did_you_mean, display_path
from memo.fields import (
    FormatName,
    Id,
    Label,
    Lang,
    Prose,
    Text,
    YearRange,
    _Model,
    _one_or_many,
    _unique,
)
from memo.inline import CITATION, bad_links
from memo.profiles import Profile
from memo.project import MARKER
from memo.validation import load_file
from memo.yamlsource import Source


class Context(_Model):
    then: Prose = Field(description="The threat environment at the time of the precedents.")
    now: Prose = Field(description="The threat environment the recommendations answer.")


class Exclusion(_Model):
    """Leaves out the variants matching every key given, e.g. ``{audience: staff,
    language: [ko, ja]}`` (a name or a list of names)."""

    audience: Annotated[list[Id], BeforeValidator(
        _one_or_many, json_schema_input_type=Id | list[Id])] | None = None
    language: Annotated[list[Lang], BeforeValidator(
        _one_or_many, json_schema_input_type=Lang | list[Lang])] | None = None
    format: Annotated[list[FormatName], BeforeValidator(
        _one_or_many, json_schema_input_type=FormatName | list[FormatName])] | None = None

    def matches(self, audience: str, lang: str, fmt: str) -> bool:
        def hit(rule, value) -> bool:
            return rule is None or value in rule
        return hit(self.audience, audience) and hit(self.language, lang) and hit(self.format, fmt)


class Variants(_Model):
    """The variant matrix: every audience × language × format, less the exclusions."""

    audiences: Annotated[list[Id], AfterValidator(_unique)] | None = Field(
        None, description="Default: every audience profile.")
    languages: Annotated[list[Lang], AfterValidator(_unique)] | None = Field(
        None, description="Default: the memo's own language.")
    formats: Annotated[list[FormatName], AfterValidator(_unique)] | None = Field(
        None, description="Default: pdf, docx and html.")
    exclude: list[Exclusion] = []


class Memo(_Model):
    title: Label
    subject: Label
    date: dt.date
    authors: list[Label] = Field(min_length=1, alias="from")
    organization: Label | None = None
    marking: Label = Field(description="Distribution marking printed at the top and bottom.")
    lang: Lang = "en"
    summary: Prose = Field(description="The bottom line up front.")
    context: Context
    keywords: list[Text] = Field([], description="Document metadata, in the memo's language.")
    variants: Variants = Variants()


class AllyActions(_Model):
    """What Washington did with each ally, and what it did with both at once (a policy
    that covered both alliances); at least one of the three."""

    japan: Prose | None = None
    south_korea: Prose | None = None
    both: Prose | None = None

    @model_validator(mode="after")
    def _some(self) -> AllyActions:
        if self.japan is None and self.south_korea is None and self.both is None:
            raise ValueError("give at least one of japan, south_korea, both")
        return self


class Precedent(_Model):
    id: Id
    administration: Label
    years: YearRange
    title: Label
    summary: Prose = Field(description="One line, for the shortest memos.")
    setting: Prose
    us_actions: AllyActions
    outcome: Prose
    lesson: Prose


class Shared(_Model):
    title: Label
    action: Prose


class Recommendation(_Model):
    id: Id
    title: Label
    action: Prose
    rationale: Prose
    approvers: Label | None = Field(
        None, description="Who besides the addressee must approve it, as a decision memo "
        "names them: 'the President and the Secretary of Defense'.")
    draws_on: list[Id] = Field(min_length=1)
    shared: Shared | None = Field(None, description="The wording fit to show allies.")


class Caveat(_Model):
    title: Label
    text: Prose


class OversightItem(_Model):
    id: Id
    title: Label
    text: Prose


class SourceEntry(_Model):
    id: Text
    authors: list[Text] = []
    title: Text
    container: Text | None = None
    publisher: Text | None = None
    date: Text
    url: Text | None = None
    note: Text | None = None
    short: Text | None = Field(None, description="Short form for repeated citations.")


class _PrecedentsFile(_Model):
    precedents: list[Precedent] = Field(min_length=1)


class _RecommendationsFile(_Model):
    recommendations: list[Recommendation] = Field(min_length=1)


class _CaveatsFile(_Model):
    caveats: list[Caveat] = []


class _SourcesFile(_Model):
    sources: list[SourceEntry] = Field(min_length=1)


class Briefing(_Model):
    oversight: list[OversightItem] = []
    talking_points: list[Prose] = []


class Project(BaseModel):
    """A whole memo project, validated; what every later stage reads."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    folder: Path
    memo: Memo
    precedents: list[Precedent]
    recommendations: list[Recommendation]
    caveats: list[Caveat]
    sources: list[SourceEntry]
    briefing: Briefing = Briefing()
    audiences: dict[str, Profile]
    files: dict[str, Source] = {}  # file name -> its Source, to point at lines later

    @property
    def languages(self) -> list[str]:
        return self.memo.variants.languages or [self.memo.lang]

    def source(self, sid: str) -> SourceEntry:
        return next(s for s in self.sources if s.id == sid)


FILES = {
    "memo.yaml": Memo,
    "precedents.yaml": _PrecedentsFile,
    "recommendations.yaml": _RecommendationsFile,
    "caveats.yaml": _CaveatsFile,
    "sources.yaml": _SourcesFile,
}
OPTIONAL = {"briefing.yaml": Briefing}


def load_project(folder: Path) -> Project:
    """Load and validate the memo project in ``folder``; raise ContentError listing all problems."""
    folder = Path(folder)
    problems: list[Problem] = []
    if not folder.is_dir():
        problems.append(Problem(display_path(folder), 1, 1, "", "content folder not found"))
        raise ContentError(problems)
    if (folder / MARKER).is_file() and not (folder / "memo.yaml").is_file():
        raise ContentError([Problem(display_path(folder), 1, 1, "", "this is a memo project's "
                                    "folder, not its content: leave out --content, or give its "
                                    "content folder")])
    sources: dict[str, Source] = {}
    parsed: dict[str, Any] = {}
    for fname, model in {**FILES, **OPTIONAL}.items():
        path = folder / fname
        if not path.is_file():
            if fname in FILES:
                problems.append(Problem(display_path(path), 1, 1, "",
                                        "required file is missing"))
            continue
        src, parsed[fname] = load_file(path, model, problems)
        if src is not None:
            sources[fname] = src

    audiences = profiles.load_all(folder / "audiences", problems)

    _cross_check(sources, problems)
    for src in [*sources.values(), *(p._src for p in audiences.values())]:
        _check_links(src, problems)
    memo = parsed.get("memo.yaml")
    if memo is not None:
        # every profile file counts as an audience here, valid or not: an invalid one
        # has its own problems listed, and is not also "unknown"
        names = {f.stem: None for f in (folder / "audiences").glob("*.yaml")} | audiences
        _check_variants(memo, sources["memo.yaml"], names, problems)
        langs = set(memo.variants.languages or [memo.lang]) | {memo.lang}
        for fname, value in parsed.items():
            _check_languages(value, sources.get(fname), langs, problems)
        for profile in audiences.values():
            _check_languages(profile, profile._src, langs, problems)
    if parsed.get("recommendations.yaml") is not None:
        rec_ids = {r.id for r in parsed["recommendations.yaml"].recommendations}
        for profile in audiences.values():
            for i, rid in enumerate(profile.recommendation_ids or []):
                if rid not in rec_ids:
                    problems.append(profile.problem(("recommendations", i),
                                                    _unknown("recommendation", rid, rec_ids)))
    if problems:
        raise ContentError(problems)
    return Project(
        folder=folder,
        memo=memo,
        precedents=parsed["precedents.yaml"].precedents,
        recommendations=parsed["recommendations.yaml"].recommendations,
        caveats=parsed["caveats.yaml"].caveats,
        sources=parsed["sources.yaml"].sources,
        briefing=parsed.get("briefing.yaml") or Briefing(),
        audiences=audiences,
        files=sources,
    )


def _check_variants(memo: Memo, src: Source, audiences: dict, problems: list[Problem]) -> None:
    """The matrix may name only audiences that have a profile."""
    v = memo.variants
    for i, name in enumerate(v.audiences or []):
        if name not in audiences:
            problems.append(src.problem(("variants", "audiences", i),
                                        _unknown("audience", name, set(audiences))))
    for i, rule in enumerate(v.exclude):
        for j, name in enumerate(rule.audience or []):
            if name not in audiences:
                path = ("variants", "exclude", i, "audience")
                if isinstance(src.data["variants"]["exclude"][i]["audience"], list):
                    path += (j,)
                problems.append(src.problem(path, _unknown("audience", name, set(audiences))))


def _check_languages(value: Any, src: Source | None, langs: set[str],
                     problems: list[Problem]) -> None:
    """Text given in a language no variant is built in is a typo (``kr`` for ``ko``) or a
    forgotten ``variants.languages`` entry: say which."""
    if src is None:
        return
    for path, text in _texts(value, ()):
        for lang in text:
            if lang and lang not in langs:
                problems.append(src.problem(
                    path + (lang,), f"text in '{lang}', which is not among the variants' "
                    f"languages ({', '.join(sorted(langs))}); add it to variants.languages "
                    "in memo.yaml or correct the code", key=True))


def _texts(value: Any, path: tuple):
    """Every :class:`~memo.l10n.Text` inside a validated model, with its YAML path."""
    if isinstance(value, l10n.Text):
        yield path, value
    elif isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            yield from _texts(getattr(value, name), path + (info.alias or name,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _texts(item, path + (i,))


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


def _cross_check(sources: dict[str, Source], problems: list[Problem]) -> None:
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
                                                 _unknown("precedent", pid, precedent_ids)))
    if source_ids is None:
        return
    for src in sources.values():
        for path, text in _strings(src.data, ()):
            for m in CITATION.finditer(text):
                if m.group(1) not in source_ids:
                    problems.append(src.problem(path, _unknown("source", m.group(1), source_ids),
                                                text=m.group(0)))


def _check_links(src: Source, problems: list[Problem]) -> None:
    """Links only to the web and to mail: pasted content must not carry ``javascript:``,
    ``file:`` or ``data:`` links into a memo, where the renderer would show them as text."""

    for path, text in _strings(src.data, ()):
        if "](" not in text:
            continue
        for href, why in bad_links(text):
            problems.append(src.problem(path, f"link to '{href[:60]}': {why}",
                                        text=href[:40] or None))


def _unknown(kind: str, ident: str, known: set[str]) -> str:
    return f"unknown {kind} id '{ident}'{did_you_mean(ident, sorted(known))}"


def _strings(data: Any, path: tuple):
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from _strings(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _strings(v, path + (i,))
