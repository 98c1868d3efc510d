"""Content in one language, for templates: the language proxies.

Templates never see the content models themselves, which hold every language. They see
:class:`Localized` views that hand out each text in the variant's language; a text
missing in that language becomes a :class:`~memo.l10n.Missing` that reports the field
(file, line, column) when printed, so a variant is never silently in English.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from memo import l10n, marks
from memo.errors import Problem
from memo.yamlsource import Source


class Localizer:
    """Hands out content in one language, and collects the fields that lack it.

    Each value keeps where it came from (file and YAML path), so a missing translation
    is reported at the line to fix.
    """

    def __init__(self, lang: str, default_lang: str, marks: bool = False):
        self.lang, self.default_lang = lang, default_lang
        self.marks = marks  # hand each text out marked with its field (memo.marks)
        self.problems: list[Problem] = []

    def report(self, where: tuple[Source, tuple, str] | Problem) -> None:
        if isinstance(where, Problem):
            self.problems.append(where)
            return
        src, path, what = where
        self.problems.append(src.problem(path, what))

    def wrap(self, value: Any, src: Source, path: tuple, field: Any = None) -> Any:
        if value is None and field is not None:  # an optional field the content leaves out
            return self.absent(src, path)
        if isinstance(value, l10n.Text):
            text = value.get_text(self.lang, self.default_lang)
            if text is None:
                return self.missing(src, path)
            return marks.mark(text, marks.key_for(src, path)) if self.marks else text
        if isinstance(value, BaseModel):
            return Localized(value, self, src, path)
        if isinstance(value, list):
            return [self.wrap(v, src, path + (i,)) for i, v in enumerate(value)]
        return value

    def missing(self, src: Source, path: tuple) -> l10n.Missing:
        """The text at ``path`` has no translation into this language."""
        name = l10n.language_name(self.lang)
        return l10n.Missing(self.report, (src, path, f"no {name} text ({self.lang}); add a "
                                          f"'{self.lang}:' entry"))

    def absent(self, src: Source, path: tuple, what: str = "missing: this audience's "
               "template prints it") -> l10n.Absent:
        return l10n.Absent(self.report, (src, path, what))


class Localized:
    """A read-only view of a content model in the variant's language, for templates."""

    __slots__ = ("_model", "_loc", "_src", "_path")

    def __init__(self, model: BaseModel, loc: Localizer, src: Source, path: tuple):
        self._model, self._loc, self._src, self._path = model, loc, src, path

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(self._model, name)
        info = type(self._model).model_fields.get(name)
        key = (info.alias or name) if info else name
        return self._loc.wrap(value, self._src, self._path + (key,), info)

    def __str__(self) -> str:  # models with no text of their own, such as Years
        return str(self._model)
