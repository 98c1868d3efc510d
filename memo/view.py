"""What one audience sees of the memo: the profile applied to the project, in one language.

The profile (:mod:`memo.profiles`) chooses the sections and their order (used by the
templates), how many recommendations and which, and may word the title, subject,
marking, bottom line and FROM line its own way. Templates reach the content only
through a :class:`View`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from memo import l10n
from memo.content import Project
from memo.errors import Problem, display_path
from memo.localize import Localized, Localizer
from memo.profiles import Profile
from memo.yamlsource import Source


@dataclass
class View:
    """What one audience sees of the memo: the profile applied to the project, in one
    language."""

    # private (a leading underscore): the sandbox keeps templates from the raw models,
    # which would hand them every language
    _project: Project
    _profile: Profile
    lang: str
    _loc: Localizer

    def _file(self, name: str) -> Source:
        return self._project.files[name]

    @property
    def memo(self) -> Localized:
        return Localized(self._project.memo, self._loc, self._file("memo.yaml"), ())

    @property
    def audience(self) -> Localized:
        return Localized(self._profile, self._loc, self._profile._src, ())

    @property
    def recommendations(self) -> list[Localized]:
        recs = list(enumerate(self._project.recommendations))
        chosen = self._profile.recommendations
        if isinstance(chosen, int):
            recs = recs[:chosen]
        elif isinstance(chosen, list):
            index = {r.id: (i, r) for i, r in recs}
            recs = [index[rid] for rid in chosen]
        src = self._file("recommendations.yaml")
        return [Localized(r, self._loc, src, ("recommendations", i)) for i, r in recs]

    @property
    def precedents(self) -> list[Localized]:
        src = self._file("precedents.yaml")
        return [Localized(p, self._loc, src, ("precedents", i))
                for i, p in enumerate(self._project.precedents)]

    @property
    def caveats(self) -> list[Localized]:
        src = self._file("caveats.yaml")
        return [Localized(c, self._loc, src, ("caveats", i))
                for i, c in enumerate(self._project.caveats)]

    @property
    def briefing(self) -> Localized | l10n.Absent:
        src = self._project.files.get("briefing.yaml")
        if src is None:
            where = Problem(display_path(self._project.folder / "briefing.yaml"), 1, 1, "",
                            "file is missing: this audience's template prints its content")
            return l10n.Absent(self._loc.report, where)
        return Localized(self._project.briefing, self._loc, src, ())

    @property
    def marking(self) -> Any:
        return self._own("marking")

    @property
    def title(self) -> Any:
        return self._own("title")

    @property
    def subject(self) -> Any:
        return self._own("subject")

    @property
    def summary(self) -> Any:
        return self._own("summary")

    @property
    def authors(self) -> Any:
        return self._own("authors")

    @property
    def organization(self) -> Any:
        """The profile's organization where it gives its own FROM line, else the memo's."""
        if self._profile.authors is not None:
            return self.audience.organization
        return self.memo.organization

    def _own(self, name: str) -> Any:
        """The profile's own wording of a memo field when it has one, else the memo's."""
        source = self.audience if getattr(self._profile, name) is not None else self.memo
        return getattr(source, name)

    def precedent(self, pid: str) -> Localized:
        i = next(i for i, p in enumerate(self._project.precedents) if p.id == pid)
        return self.precedents[i]
