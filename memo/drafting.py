"""Drafting rules the build enforces, as an office's style guide would.

- ``forbid`` (a profile's): phrases that must never reach an audience, such as internal
  language a paper handed to a foreign ministry must not carry. Each is given in every
  language the audience is built in, and none of them, in any language, may appear in
  any of the audience's variants.
- ``require`` (the memo's, for every variant; or a profile's): phrases each variant
  must carry in its own language, such as the caveat no paper may leave out.
- ``cite_figures`` (the memo's): every sentence of prose that states a year, a date or
  a figure cites a source, but for the sentences the content names, each with a reason.

The phrases are looked for in each rendered document (:func:`check_phrases`); whether
each phrase covers the audience's languages, and the sourcing rule, are checked when the
content loads (:func:`check_content`), so ``memo check`` reports them at file:line:col.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import BaseModel

from memo import l10n
from memo.errors import ContentError, Problem
from memo.inline import CITATION
from memo.yamlsource import Source

# A sentence ends at . ! ? (then a space and what can start one) or at a CJK full stop.
_END = re.compile(r"(?<=[.!?])[”’\"')]*\s+"
                  r"(?=[A-Z0-9“‘\"(\[*\u3040-\u30ff\u4e00-\u9fff\u3131-\u318e\uac00-\ud7a3])"
                  r"|(?<=[。！？])\s*")
# ... unless the period closes an abbreviation: U.S., S. Korea, No. 632-14, Jan.
_ABBREVIATION = re.compile(r"(?:\b[A-Z]\.)+$|\b(?:No|Nos|Mr|Mrs|Ms|Dr|St|Sen|Rep|Gen|Adm|"
                           r"Jan|Feb|Mar|Apr|Aug|Sep|Sept|Oct|Nov|Dec|e\.g|i\.e|cf|vs)\.$")
# A figure: a number of two digits or more (a year, a day of the month, 9,000), a
# decimal, a percentage or an amount of money. A lone digit is left out: Korean and
# Japanese write counts so (3국, 3か国) where English spells them out.
_FIGURE = re.compile(r"\d{2,}|\d[.,]\d|[$€£¥₩]\s?\d|\d\s?(?:%|percent\b|퍼센트)")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences, abbreviations (U.S., No.) kept inside theirs."""
    out: list[str] = []
    start = 0
    for m in _END.finditer(text):
        head = text[start:m.start()]
        if _ABBREVIATION.search(head):
            continue
        out.append(head.strip())
        start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


def states_figure(sentence: str) -> bool:
    """Whether ``sentence`` states a year, a date or a figure (citations and link targets
    are not read: ``[@french2021]`` states nothing)."""
    plain = _LINK_TARGET.sub("]", CITATION.sub("", sentence))
    return bool(_FIGURE.search(plain))


def uncited(text: str) -> list[str]:
    """The sentences of ``text`` that state a figure and cite no source."""
    return [s for s in sentences(text) if states_figure(s) and not CITATION.search(s)]


def texts(value: Any, path: tuple) -> Iterator[tuple[tuple, l10n.Text]]:
    """Every :class:`~memo.l10n.Text` inside a validated model, with its YAML path."""
    if isinstance(value, l10n.Text):
        yield path, value
    elif isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            yield from texts(getattr(value, name), path + (info.alias or name,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from texts(item, path + (i,))


def check_content(memo: Any, memo_src: Source, files: Iterable[tuple[Source, Any]],
                  audiences: dict[str, Any], problems: list[Problem]) -> None:
    """The rules that can be judged on the content alone: each ``forbid`` and ``require``
    phrase is given in every language it will be looked for in, and (where the memo
    asks for it) every sentence stating a figure cites a source."""
    built = {name: memo.languages_of(name) for name in audiences}
    everywhere = sorted({lang for langs in built.values() for lang in langs})
    _coverage(memo.require, everywhere, memo.lang, memo_src, "require", problems)
    for name, profile in audiences.items():
        for key in ("forbid", "require"):
            _coverage(getattr(profile, key), built[name], memo.lang, profile._src, key,
                      problems)
    if memo.cite_figures is None:
        return
    exemptions = memo.cite_figures.exceptions
    used: set[tuple[int, str]] = set()  # (exception, language) pairs that excused a sentence
    for src, value in files:
        for path, text in texts(value, ()):
            if not isinstance(text, l10n.ProseText):
                continue
            for key, prose in text.items():
                lang = key or memo.lang
                for sentence in uncited(prose):
                    hit = [i for i, e in enumerate(exemptions)
                           if (e.text.get_text(lang, memo.lang) or "\0") in sentence]
                    used.update((i, lang) for i in hit)
                    if not hit:
                        problems.append(src.problem(
                            path + ((key,) if key else ()), f"“{_clip(sentence)}” states a "
                            "year, date or figure but cites no source: cite one ([@id]), or "
                            "name the sentence under cite_figures.exceptions in memo.yaml "
                            "with the reason", text=" ".join(sentence.split()[:2])))
    for i, e in enumerate(exemptions):
        for key in e.text:
            if (i, key or memo.lang) not in used:
                path = ("cite_figures", "exceptions", i, "text") + ((key,) if key else ())
                problems.append(memo_src.problem(
                    path, "these words match no uncited sentence any more: remove them"))


def _coverage(entries: list[l10n.Text], langs: list[str], default_lang: str, src: Source,
              key: str, problems: list[Problem]) -> None:
    """Each phrase must be given in each of ``langs``: a phrase forbidden in English only
    would let its Korean rendering through to Seoul unnoticed."""
    for i, entry in enumerate(entries):
        if set(entry) == {l10n.DEFAULT} and len(langs) > 1:
            problems.append(src.problem((key, i), "give this phrase in each language it is "
                                        f"looked for in ({', '.join(langs)}), like "
                                        "{en: ..., ko: ...}"))
            continue
        for lang in langs:
            if entry.get_text(lang, default_lang) is None:
                problems.append(src.problem((key, i), f"no {l10n.language_name(lang)} "
                                            f"phrase ({lang}); this is looked for in the "
                                            f"{lang} variants too"))


def check_phrases(doc: Any, profile: Any, required: list[tuple[l10n.Text, Source, tuple]],
                  default_lang: str) -> None:
    """A forbidden phrase in ``doc`` (in any language: English left in a Korean paper
    counts) fails the variant naming the section it is in; a required phrase missing
    from it fails the variant naming the rule."""
    problems: list[Problem] = []
    parts = [doc.article, *doc.article.iter("section", "header")]
    name = f"{doc.audience}-{doc.lang}"
    for i, entry in enumerate(profile.forbid):
        for phrase in dict.fromkeys(entry.values()):
            el = next((el for el in parts if phrase.casefold() in _own_text(el).casefold()),
                      None)
            if el is not None:
                where = f"section '{el.get('id')}'" if el.get("id") else el.get("class")
                problems.append(profile.problem(
                    ("forbid", i), f"'{phrase}' appears in the {name} memo ({where}); this "
                    "audience must not see it"))
    text = " ".join("".join(doc.article.itertext()).split()).casefold()
    for entry, src, path in required:
        phrase = entry.get_text(doc.lang, default_lang)
        if phrase and " ".join(phrase.split()).casefold() not in text:
            problems.append(src.problem(path, f"'{phrase}' does not appear in the {name} "
                                        "memo; every variant this rule covers must carry it"))
    if problems:
        raise ContentError(problems, what=name)


def check_limits(doc: Any, profile: Any) -> None:
    """Each section the profile limits is within its limit, counted as the budget counts
    (notes aside); raise ContentError at the profile's line, with the count and the limit."""
    problems = []
    for name, limit in profile.limits.items():
        found = [s for s in doc.article.iter("section")
                 if name in (s.get("class") or "").split() or s.get("id") == name]
        if not found:
            problems.append(profile._src.problem(("limits", name), f"no section '{name}' in "
                                            f"{profile.name}-{doc.lang}: the limit limits "
                                            "nothing", key=True))
            continue
        n = sum(doc.words(s) for s in found)
        if n > limit.words:
            problems.append(profile.problem(("limits", name, "words"), (
                f"section {name} of {profile.name}-{doc.lang} has {n} words; the limit is "
                f"{limit.words}: cut {n - limit.words}")))
    if problems:
        raise ContentError(problems, what=f"{profile.name}-{doc.lang}")


def _own_text(el) -> str:
    """An element's text without that of the sections inside it (each is looked in)."""
    return "".join(el.xpath("./text()|./*[not(self::section or self::header)]//text()"))


def _clip(sentence: str, n: int = 60) -> str:
    one = " ".join(sentence.split())
    return one if len(one) <= n else one[:n - 1] + "…"
