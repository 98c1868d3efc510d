"""Which variants to build: the matrix ``memo.yaml`` declares, filtered and sharded.

A *variant* is an audience in a language (``partner-ko``) with the formats it is built
in. The matrix is every audience × language × format less the exclusions
(:class:`memo.content.Variants`); ``--audience``, ``--lang`` and ``--format`` select from
it, and ``--shard K/N`` takes every N-th variant of the sorted plan from the K-th on, so
N CI runners split it without overlap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from memo.errors import UsageError
from memo.writers import FORMATS


@dataclass(frozen=True, order=True)
class Variant:
    audience: str
    lang: str
    formats: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.audience}-{self.lang}"


def select(available: Iterable[str], wanted: Iterable[str], what: str) -> list[str]:
    """``wanted`` checked against ``available`` (all of them when nothing is wanted)."""
    available, wanted = list(available), list(dict.fromkeys(wanted))
    unknown = [w for w in wanted if w not in available]
    if unknown:
        raise UsageError(f"unknown {what} {', '.join(map(repr, unknown))}; "
                         f"the variants declare: {', '.join(available)}")
    return wanted or available


def plan(project, *, audiences: Iterable[str] = (), languages: Iterable[str] = (),
         formats: Iterable[str] = (), shard: tuple[int, int] | None = None) -> list[Variant]:
    """The declared variants (``variants:`` in memo.yaml) that the filters select, sorted
    by name; with ``shard=(k, n)``, the k-th of n interleaved slices of them."""
    matrix = project.memo.variants
    auds = select(matrix.audiences or list(project.audiences), audiences, "audience")
    langs = select(project.languages, languages, "language")
    fmts = select(matrix.formats or FORMATS, formats, "format")
    out = []
    for audience in auds:
        for lang in langs:
            kept = tuple(f for f in fmts
                         if not any(rule.matches(audience, lang, f) for rule in matrix.exclude))
            if kept:
                out.append(Variant(audience, lang, kept))
    if not out:
        if not (audiences or languages or formats):
            raise UsageError("variants.exclude in memo.yaml leaves out every variant")
        raise UsageError("no declared variant matches the --audience, --lang and --format "
                         "given; `memo list` shows the variants")
    out.sort()
    if shard:
        k, n = shard
        out = out[k - 1::n]
    return out


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` -> ``(2, 4)``."""
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise UsageError(f"--shard {text!r}: expected K/N, like 1/4") from None
    if not 1 <= k <= n:
        raise UsageError(f"--shard {text!r}: K must be between 1 and N")
    return k, n
