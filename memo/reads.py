"""Which content files a render read: what one variant's files depend on.

A variant shows part of the memo: the staff memo has the caveats, the principal's does
not. Its files need rebuilding when a file it read changes, and only then, so
:func:`memo.render.render` reads the project through a :class:`Reading`, which notes the
file behind each part it is asked for (``project.caveats``: ``caveats.yaml``), and the
rendered document carries the names (``Document.reads``). The build records them with
each artifact and hashes only those files into its inputs (:mod:`memo.cache`), as a
compiler's dependency file tells make which headers an object was made from.

Recording errs on the side of reading more: a part of the project not named here counts
as reading every file (:data:`EVERY`), and so do the files the loader does not know
(a project's own CSL style, say), which :mod:`memo.cache` counts for every variant.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

EVERY = "*"
"""Read where no single file can be named: the variant depends on every content file."""

PARTS = {
    "memo": "memo.yaml", "languages": "memo.yaml",
    "precedents": "precedents.yaml", "recommendations": "recommendations.yaml",
    "caveats": "caveats.yaml", "briefing": "briefing.yaml",
    "sources": "sources.yaml", "source": "sources.yaml",
    "review": "review.yaml",
}
"""Each part of a :class:`memo.content.Project` and the file it comes from."""

NOT_CONTENT = {"folder"}  # a path: where the files are, none of what is in them


def profile_file(audience: str) -> str:
    return f"audiences/{audience}.yaml"


class Reading:
    """``project`` as the render sees it, noting what it is asked for (:meth:`noted`).
    Every attribute is the project's own: ``files`` too, which this must not shadow."""

    def __init__(self, project: Any):
        self._project = project
        self._noted: set[str] = set()

    def noted(self) -> frozenset[str]:
        """The files read so far, by path inside the content folder (or :data:`EVERY`)."""
        return frozenset(self._noted)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._project, name)
        if name == "files":
            return _Noted(value, self._noted, lambda key: key)
        if name == "audiences":
            return _Noted(value, self._noted, profile_file)
        if name not in NOT_CONTENT:
            self._noted.add(PARTS.get(name, EVERY))
        return value


class _Noted(Mapping):
    """A mapping of the project whose lookups note the file behind each key; going
    through all of it notes :data:`EVERY`."""

    def __init__(self, inner: Mapping, seen: set[str], file_of):
        self._inner, self._seen, self._file_of = inner, seen, file_of

    def __getitem__(self, key: str) -> Any:
        self._seen.add(self._file_of(key))
        return self._inner[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self._seen.add(self._file_of(key))
        return key in self._inner

    def __iter__(self) -> Iterator[str]:
        self._seen.add(EVERY)
        return iter(self._inner)

    def __len__(self) -> int:
        self._seen.add(EVERY)
        return len(self._inner)
