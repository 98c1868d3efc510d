"""The memo's content: typed models, loaded from a folder of YAML and checked as a whole.

A memo project is a folder::

    memo.yaml            title, subject, date, authors, marking, bottom line, strategic
                         context, and the variants to build (audiences × languages × formats)
    precedents.yaml      historical precedents (``precedents:``)
    recommendations.yaml recommendations (``recommendations:``), each citing precedents by id
    caveats.yaml         caveats (``caveats:``)
    sources.yaml         the sources registry (``sources:``); prose cites them as ``[@id]``
    briefing.yaml        optional: where things stand (``current:``), what the course costs
                         (``costs:``) and what it asks of Congress (``asks:``), for the
                         audiences whose profiles show them
    audiences/*.yaml     one profile per audience (see :mod:`memo.profiles`)

:func:`load_project` reads them all and raises one :class:`~memo.errors.ContentError`
listing every problem, each as ``file:line:column: field.path: what is wrong``.

Text a reader sees may be given per language (see :mod:`memo.l10n`); identifiers,
dates and the sources registry are the same in every language.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from memo import crosscheck, drafting, markings, profiles
from memo import review as reviews
from memo.clearance import Clearance
from memo.errors import ContentError, Problem, display_path
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
from memo.markings import Marks, Portions, Scale
from memo.profiles import Profile
from memo.project import MARKER
from memo.validation import is_lenient, load_file, validate
from memo.writers import FORMATS
from memo.yamlsource import Source


class Context(Marks):
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


class Exemption(_Model):
    """A sentence that states a figure and rightly cites nothing, found by words in it."""

    text: Label = Field(description="Words of the sentence, in each language it is in.")
    why: Text = Field(description="Why it needs no source: said once, for the reviewer.")


class CiteFigures(_Model):
    """The rule that every sentence of prose stating a year, a date or a figure cites a
    source (:func:`memo.drafting.uncited`), less the sentences named here."""

    exceptions: list[Exemption] = []


class Memo(Portions):
    title: Label
    subject: Label
    date: dt.date
    authors: list[Label] = Field(min_length=1, alias="from")
    organization: Label | None = None
    marking: Label | None = Field(
        None, description="The marking printed at the top and bottom of every page; with a "
        "markings scale, only the dissemination text after the derived banner.")
    markings: Scale | None = Field(
        None, description="The project's scale of markings (memo.markings); the banner is "
        "then derived from what each variant shows.")
    lang: Lang = "en"
    status: Literal["draft", "final"] = Field(
        "final", description="draft: DRAFT across every page of every format and in the "
        "files' metadata; memo release refuses it unless told otherwise.")
    summary: Prose = Field(description="The bottom line up front.")
    context: Context
    keywords: list[Text] = Field([], description="Document metadata, in the memo's language.")
    variants: Variants = Variants()
    require: list[Label] = Field([], description="Phrases every variant must carry, in its "
                                 "language: {en: political will, ko: 정치적 의지}.")
    clearance: Clearance | None = Field(
        None, description="Who drafted, who must clear and how, who approves "
        "(memo.clearance); shown by the sections that print it, checked by memo release.")
    decide_by: dt.date | None = Field(
        None, description="For a decision memo: the date the decision is needed by.")
    citation_style: Text | None = Field(
        None, description="The CSL style notes and the sources list are formatted by: a "
        "name in the theme's csl/ folder (apa) or a .csl file, relative to memo.yaml.")
    cite_figures: CiteFigures | None = Field(
        None, description="Fail the check when a sentence stating a year, date or figure "
        "cites no source: {exceptions: [...]}.")

    @model_validator(mode="after")
    def _banner(self) -> Memo:
        if self.marking is None and self.markings is None:
            raise ValueError("give a marking (the banner printed on every page), or a "
                             "markings scale to derive it from")
        return self

    def languages_of(self, audience: str) -> list[str]:
        """The languages ``audience`` is built in: those the exclusions leave a format of."""
        formats = self.variants.formats or FORMATS
        return [lang for lang in self.variants.languages or [self.lang]
                if any(not any(r.matches(audience, lang, f) for r in self.variants.exclude)
                       for f in formats)]


class AllyActions(Marks):
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


class Precedent(Marks):
    id: Id
    administration: Label
    years: YearRange
    title: Label
    summary: Prose = Field(description="One line, for the shortest memos.")
    setting: Prose
    us_actions: AllyActions
    outcome: Prose
    lesson: Prose


class Shared(Marks):
    title: Label
    action: Prose


class Recommendation(Marks):
    id: Id
    title: Label
    action: Prose
    rationale: Prose
    approvers: Label | None = Field(
        None, description="Who besides the addressee must approve it, as a decision memo "
        "names them: 'the President and the Secretary of Defense'.")
    recommended_by: list[Label] = Field(
        [], description="A split memo: the offices that recommend this option.")
    opposed_by: list[Label] = Field([], description="The offices that oppose it.")
    draws_on: list[Id] = Field(min_length=1)
    shared: Shared | None = Field(None, description="The wording fit to show allies.")
    public: Shared | None = Field(
        None, description="The wording fit for Congress and the public: what we are doing.")
    risks: Prose | None = Field(None, description="What it costs and what could go wrong.")


class Caveat(Marks):
    title: Label
    text: Prose


class BriefingItem(Marks):
    id: Id
    title: Label
    text: Prose


class SourceEntry(BaseModel):
    """A source: a CSL-JSON item, with every field CSL defines, checked against the CSL
    data schema at load time (:mod:`memo.sources`)."""

    model_config = ConfigDict(extra="allow", frozen=True)
    id: str = ""  # required, as type is: the schema says so, once
    type: str = ""
    title: str = ""

    def csl(self) -> dict[str, Any]:
        """The item as CSL-JSON (a date YAML read, as the text it was written as)."""
        return self.model_dump(mode="json")


class _PrecedentsFile(_Model):
    precedents: list[Precedent] = Field(min_length=1)


class _RecommendationsFile(_Model):
    recommendations: list[Recommendation] = Field(min_length=1)


class _CaveatsFile(_Model):
    caveats: list[Caveat] = []


class _SourcesFile(_Model):
    sources: list[SourceEntry] = Field(min_length=1)


class Briefing(_Model):
    """What a briefing for Congress carries besides the memo's own parts."""

    current: list[BriefingItem] = Field(
        [], description="Where things stand: the current facts, for every audience that "
        "shows them (one source, so the Hill briefing and the staff memo cannot drift).")
    costs: list[BriefingItem] = Field([], description="What the course costs.")
    asks: list[BriefingItem] = Field([], description="What the Department asks of Congress.")


class ReviewNote(_Model):
    """A reviewer's comment, kept in ``review.yaml`` (:mod:`memo.review`)."""

    field: Text = Field(description="The field's key: FILE:ID.FIELD (memo.marks).")
    lang: Lang = "en"
    author: Text = "Reviewer"
    date: Text | None = None
    quote: Text | None = Field(None, description="The words the comment was anchored on.")
    text: Text
    resolved: bool = False
    from_: Text | None = Field(None, alias="from", description="The DOCX it came from.")


class ReviewFile(_Model):
    notes: list[ReviewNote] = []


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
    review: list[ReviewNote] = []  # reviewers' comments, by field (memo absorb)
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
OPTIONAL = {"briefing.yaml": Briefing, reviews.FILE: ReviewFile}


def _check_markings(memo: Memo, sources: dict[str, Source], audiences: dict[str, Profile],
                    problems: list[Problem]) -> None:
    scale = memo.markings
    markings.check([*sources.values(), *(p._src for p in audiences.values())], scale,
                   problems)
    if scale is not None:
        markings.check_typed(memo.marking, scale, sources["memo.yaml"], problems)
    for profile in audiences.values():
        if scale is not None:
            markings.check_typed(profile.marking, scale, profile._src, problems)
        if profile.release is not None:
            markings.validate_release(profile.release, scale, profile._src, problems)


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

    if "sources.yaml" in sources:
        from memo import sources as registry

        data = sources["sources.yaml"].data
        items = data.get("sources") if isinstance(data, dict) else None
        if is_lenient() and isinstance(items, list):  # an older version: maybe before CSL
            data["sources"] = items = [registry.from_legacy(i) for i in items]
            parsed["sources.yaml"] = validate(sources["sources.yaml"], _SourcesFile, problems)
        registry.check(items, sources["sources.yaml"], problems)
    crosscheck.cross_check(sources, problems)
    for src in [*sources.values(), *(p._src for p in audiences.values())]:
        crosscheck.check_links(src, problems)
    memo = parsed.get("memo.yaml")
    if memo is not None:
        # every profile file counts as an audience here, valid or not: an invalid one
        # has its own problems listed, and is not also "unknown"
        names = {f.stem: None for f in (folder / "audiences").glob("*.yaml")} | audiences
        crosscheck.check_variants(memo, sources["memo.yaml"], names, problems)
        langs = set(memo.variants.languages or [memo.lang]) | {memo.lang}
        for fname, value in parsed.items():
            crosscheck.check_languages(value, sources.get(fname), langs, problems)
        for profile in audiences.values():
            crosscheck.check_languages(profile, profile._src, langs, problems)
        if not is_lenient():
            drafting.check_content(
                memo, sources["memo.yaml"],
                [(sources[f], v) for f, v in parsed.items() if v is not None and f in sources]
                + [(p._src, p) for p in audiences.values()], audiences, problems)
    if memo is not None:  # an invalid memo.yaml has said its own problems; no cascade
        _check_markings(memo, sources, audiences, problems)
    if parsed.get("recommendations.yaml") is not None:
        rec_ids = {r.id for r in parsed["recommendations.yaml"].recommendations}
        for profile in audiences.values():
            for i, rid in enumerate(profile.recommendation_ids or []):
                if rid not in rec_ids:
                    problems.append(profile.problem(
                        ("recommendations", i), crosscheck.unknown("recommendation", rid,
                                                                   rec_ids)))
    if problems:
        raise ContentError(problems)
    notes = parsed.get(reviews.FILE)
    project = Project(
        folder=folder,
        memo=memo,
        precedents=parsed["precedents.yaml"].precedents,
        recommendations=parsed["recommendations.yaml"].recommendations,
        caveats=parsed["caveats.yaml"].caveats,
        sources=parsed["sources.yaml"].sources,
        briefing=parsed.get("briefing.yaml") or Briefing(),
        review=notes.notes if notes is not None else [],
        audiences=audiences,
        files=sources,
    )
    if notes is not None:
        crosscheck.check_notes(project, sources[reviews.FILE], problems)
        if problems:
            raise ContentError(problems)
    return project
