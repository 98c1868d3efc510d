"""Audience profiles: which sections a reader gets, in what order, and how long.

A profile is data, one YAML file per audience in the content's ``audiences/`` folder::

    label: Principal
    to: The Secretary of State       # text a reader sees may be given per language
    sections: [bluf, recommendations, precedents]
    recommendations: 3        # the first three, in content order; or a list of ids
    detail: brief             # brief: one line per precedent; full: each in depth
    budget: {pages: 1, words: 600}   # a variant over budget fails
    template: principal.html.j2   # optional; must extend base.html.j2
    title: ...                # optional: the audience's own title (and subject, marking)
    summary: ...              # optional: its own bottom line, for the `bluf` section
    from: [...]               # optional: its own FROM line (and organization)
    framing: ...              # optional opening paragraph, for the `framing` section
    headings: {precedents: shared-record}   # a section's heading from another label
    forbid: [{en: cajole, ko: 회유}]   # phrases that must never reach this audience
    require: [{en: political will, ko: 정치적 의지}]   # phrases it must be given
    typography: {face: Times New Roman, size: 14, margins: 1in}   # optional: the body's
                              # face and size in points, the page's margins (1-4 lengths)

Each name in ``sections`` is a template, ``templates/sections/<name>.html.j2``, so a
new audience needs a profile and, at most, a template: no Python.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, PrivateAttr, WithJsonSchema

from memo.errors import Problem, display_path
from memo.fields import Id, Label, Prose, Text, _check_id, _Model
from memo.markings import Portions, Release
from memo.validation import load_file
from memo.writers import typeface
from memo.yamlsource import Source


def _how_many(value: Any) -> Any:
    """A count (1 or more) or a non-empty list of ids, with one clear message otherwise."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    if isinstance(value, list) and value:
        return value
    raise ValueError("expected a number of recommendations (1 or more) or a list of their ids")


class Budget(_Model):
    pages: int | None = Field(None, ge=1)
    words: int | None = Field(None, ge=1)


def _face(value: Any) -> Any:
    return typeface.check_face(value) if isinstance(value, str) else value


def _size(value: Any) -> Any:
    """Points, in halves: Word sets sizes in half points, so the PDF gets the same."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not ok or not typeface.SIZE_MIN <= value <= typeface.SIZE_MAX or value * 2 % 1:
        raise ValueError(f"expected a size in points from {typeface.SIZE_MIN} to "
                         f"{typeface.SIZE_MAX}, in steps of 0.5, like 12 or 10.5")
    return value


def _margins(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("expected lengths with their unit, like 1in, 2.5cm, 25mm or 72pt")
    typeface.parse_margins(value)
    return " ".join(value.split())


class Typography(_Model):
    face: Annotated[str, BeforeValidator(_face), WithJsonSchema(
        {"type": "string", "minLength": 1, "maxLength": 64,
         "description": "A font family, like Times New Roman"})] | None = Field(
        None, description="The body text's face. The DOCX names it; the PDF embeds it, or "
        "a free face with its metrics where it is not free to embed (Liberation Serif for "
        "Times New Roman).")
    size: Annotated[float, BeforeValidator(_size), WithJsonSchema(
        {"type": "number", "minimum": typeface.SIZE_MIN, "maximum": typeface.SIZE_MAX,
         "multipleOf": 0.5})] | None = Field(
        None, description="The body text's size in points; headings and notes keep their "
        "proportion to it.")
    margins: Annotated[str, BeforeValidator(_margins), WithJsonSchema(
        {"type": "string", "pattern": typeface.LENGTHS_PATTERN})] | None = Field(
        None, description="The page's margins: one to four lengths (top, right, bottom, "
        "left, as in CSS), like 1in or 2.5cm 2cm, each from 0.25in to 3in.")


class Limit(_Model):
    words: int = Field(ge=1, description="The most words the section may have.")


class Profile(Portions):
    model_config = ConfigDict(extra="forbid", frozen=False)
    label: Label
    description: Text | None = Field(None, description="For `memo list`.")
    to: Label = Field(description="The addressee, printed on the TO line.")
    marking: Label | None = Field(None, description="Overrides the memo's marking.")
    sections: list[Id] = Field(min_length=1)
    recommendations: Annotated[int | list[Id], BeforeValidator(_how_many)] | None = Field(
        None, description="How many recommendations, from the first; or which, by id.")
    detail: Literal["brief", "full"] = "full"
    budget: Budget = Budget()
    limits: dict[Id, Limit] = Field(
        {}, description="Limits per section that fail the build: {bluf: {words: 120}}.")
    template: Text | None = None
    title: Label | None = Field(None, description="Overrides the memo's title.")
    subject: Label | None = Field(None, description="Overrides the memo's subject.")
    summary: Prose | None = Field(None, description="Overrides the memo's bottom line.")
    authors: list[Label] | None = Field(None, alias="from", min_length=1,
                                        description="Overrides the memo's FROM line.")
    organization: Label | None = Field(None, description="Overrides the memo's organization.")
    framing: Prose | None = Field(None, description="An opening paragraph for this audience.")
    headings: dict[Id, Id] = Field(
        {}, description="A section's heading taken from another label of labels.yaml: "
        "{precedents: shared-record}.")
    why_now: Prose | None = Field(
        None, description="For a decision memo: the fact that forces the decision now.")
    forbid: list[Label] = Field(
        [], description="Phrases that must not appear, each in every language the audience "
        "is built in: {en: cajole, ko: 회유}; none of them may appear in any variant.")
    require: list[Label] = Field(
        [], description="Phrases each variant must carry, in its own language.")
    typography: Typography | None = Field(
        None, description="The body's face and size and the page's margins, in the PDF and "
        "the DOCX: {face: Times New Roman, size: 14, margins: 1in}.")
    release: Release | None = Field(
        None, description="The most this audience may receive, on the markings scale: "
        "{max: U, caveats: []}; content above it fails the build (memo.markings).")
    dissemination: bool = Field(True, description="false: the derived banner alone, "
                                "without the memo's dissemination text (memo.markings).")
    portion_marks: bool = Field(False, description="Print each paragraph's marking before "
                                "it, as offices that portion-mark do: (SBU) ...")
    _name: str = PrivateAttr("")
    _src: Source | None = PrivateAttr(None)

    @property
    def name(self) -> str:
        return self._name

    @property
    def recommendation_ids(self) -> list[str] | None:
        return self.recommendations if isinstance(self.recommendations, list) else None

    def problem(self, path: tuple, message: str) -> Problem:
        assert self._src is not None
        return self._src.problem(path, message)


def load_all(folder: Path, problems: list[Problem]) -> dict[str, Profile]:
    """Every ``audiences/*.yaml`` in ``folder``, by audience name (the file's stem)."""
    files = sorted(f for f in folder.glob("*.yaml") if not f.name.startswith(".")) \
        if folder.is_dir() else []
    if not files:
        problems.append(Problem(display_path(folder), 1, 1, "",
                                "no audience profiles (audiences/<name>.yaml) found"))
    out: dict[str, Profile] = {}
    for file in files:
        name = file.stem
        try:
            _check_id(name)
        except ValueError as exc:
            problems.append(Problem(display_path(file), 1, 1, "", f"audience name: {exc}"))
            continue
        src, profile = load_file(file, Profile, problems)
        if profile is not None:
            profile._name, profile._src = name, src
            out[name] = profile
    return out
