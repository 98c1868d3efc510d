"""Languages: translatable text, the templates' labels, dates and word counts.

Any text field of the content may be given in several languages::

    summary:
      en: >-
        Washington can help mend relations ...
      ko: >-
        미국은 ...
      ja: "米国は……"        # Japanese on one line: YAML folding would put spaces in it

A plain string is text in the memo's own language (``lang`` in memo.yaml). A variant in
another language takes that language's text and never falls back to English: when
rendering reaches a field with no text in the variant's language, the variant fails
with the field's file, line and path (see :class:`Missing`). Only the fields its
templates actually print need translating, so a one-page memo can be translated
without the full one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

LANG = re.compile(r"^[a-z]{2,3}(-[A-Z][A-Za-z]{1,3})?$")
DEFAULT = ""  # the key a plain string is stored under: "in the memo's own language"

_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")



@dataclass(frozen=True)
class Language:
    """What memo knows of a language beyond its code: the one table the dates, the word
    counts, the writers and the figures read."""

    locale: str  # Babel's, for dates: "ko_KR"
    tag: str  # with its region, as Word marks text: "ko-KR"
    cjk: str | None = None  # the region of its Noto CJK faces ("KR": Noto Sans CJK KR)
    spaced: bool = True  # words are spaced: counted as words, not characters
    keeps_words: bool = False  # lines break between words only, never inside one


LANGUAGES = {
    "en": Language("en_US", "en-US"),
    # Korean spaces its words, and breaks lines between them
    "ko": Language("ko_KR", "ko-KR", "KR", keeps_words=True),
    # Japanese and Chinese are counted a character a word, as those languages count
    "ja": Language("ja_JP", "ja-JP", "JP", spaced=False),
    "zh": Language("zh_Hans_CN", "zh-CN", "SC", spaced=False),
}


def language(lang: str) -> Language:
    """The table's entry for ``lang`` (``ko`` or ``ko-KR``); a language it does not list
    is taken as written, spaced, and not CJK."""
    known = LANGUAGES.get(lang.split("-")[0].lower())
    return known or Language(lang.replace("-", "_"), lang)


class Text(dict):
    """Text in one or more languages: ``{"en": ..., "ko": ...}``; a plain string's text is
    stored under ``""`` (:data:`DEFAULT`)."""

    def get_text(self, lang: str, default_lang: str) -> str | None:
        if lang in self:
            return self[lang]
        return self.get(DEFAULT) if lang == default_lang else None


class ProseText(Text):
    """Prose: text per language with inline Markdown and ``[@id]`` citations, which the
    drafting rules read (:mod:`memo.drafting`); a :class:`Text` in every other way."""


def language_name(lang: str) -> str:
    """``"ko"`` -> ``"Korean"``, for messages."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(lang.replace("-", "_")).english_name or lang
    except (UnknownLocaleError, ValueError):
        return lang


def is_known_language(lang: str) -> bool:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(lang.replace("-", "_"))
        return True
    except (UnknownLocaleError, ValueError):
        return False


def longdate(value, lang: str) -> str:
    """A date written the local way: 8 February 2021 style per locale (``ko``: 2021년 2월 8일)."""
    from babel.dates import format_date

    return format_date(value, format="long", locale=language(lang).locale)


def count_words(text: str, lang: str) -> int:
    """Words in ``text``; for Japanese and Chinese, characters, as those languages count."""
    if not language(lang).spaced:
        cjk = len(_CJK_CHAR.findall(text))
        return cjk + len(_WORD.findall(_CJK_CHAR.sub(" ", text)))
    return len(_WORD.findall(text))


class Missing:
    """Stands in for a field with no text in the variant's language.

    Using it (printing it, ``| md``, ``| join``, ``| length``, a loop) records the problem
    with the place to fix it and yields nothing; the render then fails listing every
    such field. A template that never uses the field never asks for it. It is true in
    an ``{% if %}``: the field exists, only its translation does not.
    """

    __slots__ = ("_report", "_where")

    def __init__(self, report: Callable[[Any], None], where: Any):
        self._report, self._where = report, where

    def _used(self) -> None:
        self._report(self._where)

    def __str__(self) -> str:
        self._used()
        return ""

    __html__ = __str__

    def __len__(self) -> int:
        self._used()
        return 0

    def __iter__(self):
        self._used()
        return iter(())

    def __bool__(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Missing:
        if name.startswith("_"):
            raise AttributeError(name)
        return self


class Absent(Missing):
    """Stands in for an optional field or block the content leaves out: false in an
    ``{% if %}``, so a template can skip it; used regardless, it is reported like
    :class:`Missing`."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False
