"""The kinds of value memo content is made of, each with what it accepts and its JSON Schema.

Text, text per language (:data:`Label`, :data:`Prose`), ids, language codes and year
ranges: every content model (:mod:`memo.content`, :mod:`memo.profiles`) is built from
these, so a rule (no control characters, ids in lower case) holds in every file, and
``memo schema`` tells editors the same rules the validators enforce.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, WithJsonSchema

from memo import l10n
from memo.writers import FORMATS

# XML 1.0 allows tab, newline and carriage return among the C0 controls, nothing else;
# Word and python-docx refuse the rest, so they are refused here, where we can say where.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
YEARS = re.compile(r"^(\d{4})(?:\s*[-–]\s*(\d{4}))?$")


def _scalar_text(value: Any) -> Any:
    """What YAML 1.1 (PyYAML's) makes of unquoted text that YAML 1.2 (editors') reads as
    text: a date is taken as the text it was written as; a truth value is refused."""
    if isinstance(value, bool):
        raise ValueError("YAML reads yes, no, on, off, true and false as true or false, not "
                         "as text: put the text in quotes")
    if isinstance(value, (dt.date, dt.datetime)):
        return str(value)
    return value


def control_character(value: str) -> str | None:
    """What is wrong with ``value`` if it holds a control character, else None."""
    bad = _FORBIDDEN.search(value)
    return None if bad is None else (f"control character U+{ord(bad.group()):04X} at "
                                     f"character {bad.start() + 1} (often pasted from Word); "
                                     "delete it")


def _clean_text(value: str) -> str:
    bad = control_character(value)
    if bad:
        raise ValueError(bad)
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def _check_id(value: str) -> str:
    if not ID.match(value):
        raise ValueError("ids are lower-case letters, digits and hyphens, like reagan-1983")
    return value


def _lang_scalar(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("YAML reads no (Norwegian), yes, on and off as true or false: "
                         "put the code in quotes, like 'no'")
    return value


def _check_lang(value: str) -> str:
    if not l10n.LANG.match(value) or not l10n.is_known_language(value):
        raise ValueError(f"'{value}' is not a language code like en, ko or ja")
    return value


def _per_language(value: Any) -> Any:
    if isinstance(value, str):
        return {l10n.DEFAULT: value}
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str) or not l10n.LANG.match(key):
                raise ValueError(f"'{key}' is not a language code like en, ko or ja")
        return value
    raise ValueError("expected text, or text per language like {en: ..., ko: ...}")


# The JSON Schema of each type (``memo schema``) says what a YAML author may write, for
# editors to complete and check as they type; the validators stay the authority.
_TEXT = {"type": "string", "minLength": 1}


def _per_language_schema(what: str) -> WithJsonSchema:
    return WithJsonSchema({"anyOf": [_TEXT, {
        "type": "object", "minProperties": 1, "additionalProperties": _TEXT,
        "propertyNames": {"pattern": l10n.LANG.pattern}}],
        "description": f"{what}, in the memo's language or per language: {{en: ..., ko: ...}}"})


Text = Annotated[str, BeforeValidator(_scalar_text), AfterValidator(_clean_text),
                 WithJsonSchema(_TEXT)]
"""Plain text in one language, no markup: names, titles of sources."""
Lang = Annotated[str, BeforeValidator(_lang_scalar), AfterValidator(_check_lang), WithJsonSchema(
    {"type": "string", "pattern": l10n.LANG.pattern, "description": "A language code: en, ko"})]
Label = Annotated[dict[str, Text], BeforeValidator(_per_language), AfterValidator(l10n.Text),
                  _per_language_schema("Text a reader sees")]
"""Plain text a reader sees, in one language or several (:class:`memo.l10n.Text`)."""
Prose = Annotated[dict[str, Text], BeforeValidator(_per_language),
                  AfterValidator(l10n.ProseText),
                  _per_language_schema("Prose with inline Markdown (*emphasis*, [links](https://…))"
                                       " citing sources as [@id]")]
"""Like :data:`Label`, but inline Markdown (emphasis, links) citing sources as ``[@id]``."""
Id = Annotated[str, AfterValidator(_check_id), WithJsonSchema(
    {"type": "string", "pattern": ID.pattern,
     "description": "Lower-case letters, digits and hyphens, like reagan-1983"})]
FormatName = Literal[FORMATS]  # type: ignore[valid-type]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Years(BaseModel):
    model_config = ConfigDict(frozen=True)
    start: int
    end: int

    def __str__(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}–{self.end}"

    @property
    def end2(self) -> str:
        """The end year as a range written short gives it: its last two digits within the
        start's century (1983～84), else whole (1999～2001)."""
        same = self.start // 100 == self.end // 100
        return f"{self.end % 100:02d}" if same else str(self.end)


def _parse_years(value: Any) -> Any:
    if isinstance(value, (Years, dict)):
        return value
    m = YEARS.match(str(value).strip()) if isinstance(value, (str, int)) else None
    if not m:
        raise ValueError("expected a year range like 1983-1984")
    start, end = int(m.group(1)), int(m.group(2) or m.group(1))
    if end < start:
        raise ValueError(f"the range ends ({end}) before it starts ({start})")
    return {"start": start, "end": end}


YearRange = Annotated[Years, BeforeValidator(_parse_years), WithJsonSchema(
    {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": YEARS.pattern}],
     "description": "One year (1999) or a range (1983-1984)"})]


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _unique(values: list | None) -> list | None:
    if values:
        twice = sorted({v for v in values if values.count(v) > 1})
        if twice:
            raise ValueError(f"listed more than once: {', '.join(twice)}")
    return values
