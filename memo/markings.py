"""Markings: how sensitive each piece of content is, and what each audience may receive.

A project declares its scale in ``memo.yaml``; the scale is the project's own::

    markings:
      levels:                      # lowest first
        - {id: U, banner: {en: UNCLASSIFIED, ko: 비밀 아님}}
        - {id: SBU, banner: SENSITIVE BUT UNCLASSIFIED}
      caveats:                     # handling caveats, added to a level
        - {id: NOFORN, banner: NOFORN, portion: NF}

Any content item (a precedent, a recommendation, a caveat, a briefing item, or a
mapping inside one, such as a recommendation's ``shared`` wording) may carry
``marking: SBU`` or ``marking: SBU//NOFORN``; the innermost marking holds for the
fields inside it. One field of an item, or of ``memo.yaml`` or a profile, is marked
with ``portions: {summary: SBU}``. Unmarked content is at the lowest level.

The banner is derived, never typed: :func:`stamp` reads which fields a rendered
variant actually shows (the provenance spans of :mod:`memo.marks`) and takes the
highest level among them and every caveat they carry. ``memo.yaml``'s ``marking`` (or
a profile's) is then only the dissemination text printed after it. A profile's
``release: {max: U, caveats: []}`` bounds what its audience may receive: a field above
it makes the render fail at the line that marks it (:func:`refusals`), so nothing is
written for that variant.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from memo.fields import Id, Label, Text, _Model
from memo.marks import locate, source_of
from memo.yamlsource import Source

JOIN = "//"  # between a level and its caveats, as banners and portion marks write it


class Level(_Model):
    id: Id | Text
    banner: Label = Field(description="How the banner writes it: SENSITIVE BUT UNCLASSIFIED.")
    portion: Text | None = Field(None, description="How a portion mark writes it: SBU "
                                 "(default: the id).")


class Caveat(_Model):
    id: Id | Text
    banner: Label
    portion: Text | None = None


class Release(_Model):
    """What an audience may receive: up to ``max``, with only the caveats listed."""

    max: Text = Field(description="The highest level this audience may receive.")
    caveats: list[Text] = Field([], description="The caveats it may receive (NOFORN is for "
                                "U.S. readers only: leave it out for foreign governments).")


class Portions(_Model):
    """One field's own marking, for a file's root (memo.yaml, a profile) and every item."""

    portions: dict[Text, Text] = Field({}, description="One field's own marking: "
                                       "{risks: SBU//NOFORN}.")


class Marks(Portions):
    """The two ways to mark content, for every item that may carry them."""

    marking: Text | None = Field(None, description="How sensitive this item is, on the "
                                 "scale of memo.yaml markings: SBU, or SBU//NOFORN.")


class Scale(_Model):
    levels: list[Level] = Field(min_length=1, description="Lowest first.")
    caveats: list[Caveat] = []

    def level(self, ident: str) -> int:
        return next(i for i, lv in enumerate(self.levels) if lv.id == ident)


@dataclass(frozen=True)
class Marking:
    level: int
    caveats: frozenset[str] = frozenset()

    def within(self, other: Marking) -> bool:
        return self.level <= other.level and self.caveats <= other.caveats

    def portion(self, scale: Scale) -> str:
        """``SBU//NF``: as a portion mark writes it, caveats in the scale's order."""
        parts = [scale.levels[self.level].portion or scale.levels[self.level].id]
        parts += [c.portion or c.id for c in scale.caveats if c.id in self.caveats]
        return JOIN.join(parts)

    def banner(self, scale: Scale, lang: str, default_lang: str) -> str | None:
        """``SENSITIVE BUT UNCLASSIFIED//NOFORN`` in ``lang``; None when a part of it has
        no text in that language."""
        parts = [scale.levels[self.level].banner.get_text(lang, default_lang)]
        parts += [c.banner.get_text(lang, default_lang) for c in scale.caveats
                  if c.id in self.caveats]
        return None if None in parts else JOIN.join(parts)


def parse(text: str, scale: Scale) -> Marking:
    """``"SBU//NOFORN"`` -> a :class:`Marking`; ValueError naming what the scale lacks."""
    level, *caveats = [p.strip() for p in str(text).split(JOIN)]
    levels = [lv.id for lv in scale.levels]
    if level not in levels:
        raise ValueError(f"'{level}' is not a level of the scale in memo.yaml markings "
                         f"(levels: {', '.join(levels)})")
    known = {c.id for c in scale.caveats}
    for c in caveats:
        if c not in known:
            raise ValueError(f"'{c}' is not a caveat of the scale in memo.yaml markings "
                             f"(caveats: {', '.join(sorted(known)) or 'none declared'})")
    return Marking(scale.level(level), frozenset(caveats))


def highest(markings: Iterable[Marking]) -> Marking:
    level, caveats = 0, frozenset()
    for m in markings:
        level, caveats = max(level, m.level), caveats | m.caveats
    return Marking(level, caveats)


@dataclass(frozen=True)
class Marked:
    """A field's marking, and where it was given (``src`` None: unmarked, the lowest)."""

    marking: Marking
    src: Source | None = None
    path: tuple = ()


def of_field(project, key: str) -> Marked:
    """The marking of field ``key`` (``file:id.field``, :mod:`memo.marks`) in ``project``:
    its own ``portions`` entry, else the innermost ``marking`` of the items holding it."""
    scale = project.memo.markings
    found = Marked(Marking(0))
    try:
        file, path = locate(project, key, "", whole=True)  # "": no language's entry
    except LookupError:
        return found
    src = source_of(project, file)
    data = src.data
    for depth, step in enumerate(path):
        if isinstance(data, dict):
            if depth:  # a root's `marking` is dissemination text
                found = _at(data, "marking", src, path[:depth], scale) or found
            own = data.get("portions")
            if isinstance(own, dict) and step in own:
                return _at(own, step, src, (*path[:depth], "portions"), scale) or found
        data = data[step]
    if isinstance(data, dict) and path:
        found = _at(data, "marking", src, path, scale) or found
    return found


def _at(data: dict, name: str, src: Source, path: tuple, scale: Scale) -> Marked | None:
    value = data.get(name)
    if not isinstance(value, str):
        return None
    try:
        return Marked(parse(value, scale), src, (*path, name))
    except ValueError:
        return None  # said when the project loaded (check)


def check(sources: Iterable[Source], scale: Scale | None, problems: list) -> None:
    """Every ``marking`` and ``portions`` entry of the content names the scale's levels
    and caveats, and ``portions`` names fields the item has."""
    for src in sources:
        for path, value, fields in _entries(src.data, ()):
            if scale is None:
                problems.append(src.problem(path, "a marking, but memo.yaml declares no "
                                            "markings scale (markings: {levels: [...]})"))
                continue
            try:
                parse(value, scale)
            except ValueError as exc:
                problems.append(src.problem(path, str(exc)))
            if fields is not None and path[-1] not in fields:
                problems.append(src.problem(path, f"portions: no field '{path[-1]}' here "
                                            f"(fields: {', '.join(sorted(fields))})", key=True))


def _entries(data: Any, path: tuple) -> Iterator[tuple[tuple, str, set | None]]:
    """(path, marking text, the item's fields or None) for each marking in ``data``."""
    if isinstance(data, dict):
        for k, v in data.items():
            if k == "marking" and path and isinstance(v, str):
                yield (*path, k), v, None
            elif k == "portions" and isinstance(v, dict):
                fields = {f for f in data if f not in ("portions", "marking", "id")}
                for name, m in v.items():
                    yield (*path, k, name), str(m), fields
            else:
                yield from _entries(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _entries(v, (*path, i))


def shown(tree) -> list[str]:
    """The keys of the content fields a rendered memo's body shows (not its marking line)."""
    return [s.get("data-field") for s in tree.iterfind(".//body//span[@class='field']")
            if not _in_marking(s)]


def _in_marking(el) -> bool:
    return any(a.tag == "p" and "marking" in (a.get("class") or "").split()
               for a in el.iterancestors())


def refusals(project, keys: Iterable[str], profile, lang: str) -> list:
    """A problem at the line that marks each shown field above what the profile's
    ``release`` allows."""
    release, scale = profile.release, project.memo.markings
    limit = Marking(scale.level(release.max), frozenset(release.caveats))
    allowed = f"{release.max}, {', '.join(release.caveats) or 'no caveats'}"
    line, _ = profile._src.where(("release",))
    out, seen = [], set()
    for key in keys:
        got = of_field(project, key)
        if got.marking.within(limit) or got.src is None or (got.src.name, got.path) in seen:
            continue
        seen.add((got.src.name, got.path))
        out.append(got.src.problem(got.path, (
            f"marked {got.marking.portion(scale)}, but audience '{profile.name}' may "
            f"receive only up to {allowed} ({profile._src.name}:{line}: release): "
            f"{key.partition(':')[2]} must not reach {profile.name}-{lang}; leave it out "
            "of that profile or mark it lower")))
    return out


def releasable(project, profile, names: Iterable[str]) -> frozenset[str]:
    """Of the content files ``names``, those ``profile``'s audience may be handed whole:
    all of them when it has no ``release``; else those that mark nothing above it.

    A PDF/A-3 carries content files as attachments. The partner's text leaves out the
    items marked NOFORN, but the file that holds them, attached, would hand them over.
    """
    from memo.reads import profile_file

    names = frozenset(names)
    scale = project.memo.markings
    if profile.release is None or scale is None:
        return names
    limit = Marking(scale.level(profile.release.max), frozenset(profile.release.caveats))
    out = set()
    for name in names:
        src = project.files.get(name)
        if name == profile_file(profile.name):
            src = profile._src
        if src is None:
            continue  # not a file memo read (another audience's profile): not handed over
        try:
            if all(parse(text, scale).within(limit) for _, text, _ in _entries(src.data, ())):
                out.add(name)
        except ValueError:
            continue  # said when the project loaded; withheld meanwhile
    return frozenset(out)


def check_typed(marking: Any, scale: Scale, src: Source, problems: list) -> None:
    """A dissemination text that starts with a level's banner types what is derived."""
    for lang, text in (marking or {}).items():
        for lv in scale.levels:
            for banner in lv.banner.values():
                if str(text).upper().startswith(str(banner).upper()):
                    path = ("marking", lang) if lang else ("marking",)
                    problems.append(src.problem(path, (
                        f"'{banner}' is derived from what each variant shows (memo.yaml "
                        "markings): give only the dissemination text after it, or "
                        "dissemination: false for none")))
                    return


def validate_release(release: Release, scale: Scale | None, src: Source, problems: list):
    if scale is None:
        problems.append(src.problem(("release",), "release is set, but memo.yaml declares "
                                    "no markings scale"))
        return
    if release.max not in [lv.id for lv in scale.levels]:
        problems.append(src.problem(("release", "max"), f"'{release.max}' is not a level of "
                                    "the scale in memo.yaml markings"))
    known = {c.id for c in scale.caveats}
    for i, c in enumerate(release.caveats):
        if c not in known:
            problems.append(src.problem(("release", "caveats", i),
                                        f"'{c}' is not a caveat of the scale"))


def stamp(doc, project, profile, lang: str, rules: bool = True) -> Marking:
    """Derive ``doc``'s banner from the fields it shows and print it in ``p.marking``
    (the dissemination text after it); with the profile's ``portion_marks``, mark each
    paragraph. With ``rules``, a field above the profile's ``release`` raises
    :class:`~memo.errors.ContentError` at the line that marks it. Returns the marking."""
    from memo.errors import ContentError

    scale = project.memo.markings
    keys = shown(doc.tree)
    if rules and profile.release is not None:
        refused = refusals(project, keys, profile, lang)
        if refused:
            raise ContentError(refused, what=f"{profile.name}-{lang}")
    found = highest(of_field(project, k).marking for k in keys)
    banner = found.banner(scale, lang, project.memo.lang)
    if banner is None:
        src = project.files["memo.yaml"]
        raise ContentError([src.problem(("markings",), f"the banner {found.portion(scale)} "
                                        f"has no text in '{lang}': give each of its levels' "
                                        f"and caveats' banner in {lang}")],
                           what=f"{profile.name}-{lang}")
    for p in doc.tree.iterfind(".//p[@class='marking']"):
        rest = " ".join("".join(p.itertext()).split())
        for child in list(p):
            p.remove(child)
        p.text = f"{banner} {JOIN} {rest}" if rest and profile.dissemination else banner
    head = doc.tree.find("head")
    if head is not None:
        head.append(head.makeelement("meta", {"name": "memo.marking",
                                              "content": found.portion(scale)}))
    if profile.portion_marks:
        _portion_marks(doc.tree, project)
    doc.retext()
    return found


def _portion_marks(tree, project) -> None:
    """``(SBU) `` before each paragraph and list item that shows content, its mark the
    highest of the fields in it (a note holds no field: it cites, it does not state)."""
    body = tree.find("body")
    for el in body.iter("p", "li") if body is not None else ():
        # a list item of paragraphs is marked paragraph by paragraph; the memo's header
        # (a theme may put a field there) is routing, not a portion
        if el.find("p") is not None or next(el.iterancestors("header"), None) is not None:
            continue
        keys = [s.get("data-field") for s in el.iterfind(".//span[@class='field']")]
        if not keys:
            continue
        mark = highest(of_field(project, k).marking for k in keys) \
            .portion(project.memo.markings)
        el.text = f"({mark}) " + (el.text or "")
