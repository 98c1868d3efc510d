"""Citations in notes and the sources list, Chicago style (notes and bibliography).

Prose cites a source as ``[@id]`` or ``[@id, p. 4]`` (:mod:`memo.inline`). The first
note citing a source gives it in full; a note citing the same source as the note before
it says "Ibid." (in the variant's language: labels ``ibid`` and ``note-end``, so a
Japanese note reads 同上。); any other repeat gives the short title. The sources list gives every
cited source in the order first cited, wherever in the memo the list stands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from memo.content import Project, SourceEntry


@dataclass
class Citations:
    """Notes in reading order, Chicago style: a source's first note in full, a note citing
    the same source as the note before it "Ibid.", any other repeat in the short form.

    ``known`` is the order of first citation in the whole memo, when a first pass found
    it: a sources list printed before the last note still lists every source."""

    project: Project
    ibid: str = "Ibid"
    stop: str = "."  # what ends a note: "." or, in Japanese, "。"
    known: tuple[str, ...] = ()
    order: list[str] = field(default_factory=list)
    last: str = ""
    listed: int | None = None  # how many sources the shortest list printed held

    def __call__(self, sid: str, locator: str) -> str:
        src = self.project.source(sid)
        if sid not in self.order:
            self.order.append(sid)
            text = full_citation(src)
        elif sid == self.last:
            text = escape(self.ibid)
        else:
            text = escape(src.short or src.title)
        self.last = sid
        if locator:
            text = _stop(text, ",") + f" {escape(locator)}"
        return _stop(text, self.stop)

    def cited(self) -> list[SourceEntry]:
        """The sources cited in the memo, in order of first citation."""
        if self.known:
            return [self.project.source(s) for s in self.known]
        # whether more notes follow is not known yet: remember what this list held
        self.listed = min(len(self.order), self.listed if self.listed is not None else 1 << 30)
        return [self.project.source(s) for s in self.order]

    @property
    def complete(self) -> bool:
        """Whether every list of sources printed holds every source the memo cites."""
        return bool(self.known) or self.listed is None or self.listed == len(self.order)


def _stop(text: str, mark: str) -> str:
    """``text`` followed by ``mark``. A comma or period goes inside a closing quotation
    mark, as U.S. Chicago style has it (``“The US Role,” 4.``, ``“The US Role.”``); a
    Japanese full stop stays outside (``“The US Role”。``)."""
    if text.endswith("”") and mark in ".,":
        return text[:-1] + mark + "”"
    return text + mark


def _names(authors: list[str]) -> str:
    if len(authors) <= 2:
        return " and ".join(authors)
    return ", ".join(authors[:-1]) + " and " + authors[-1]


def full_citation(src: SourceEntry) -> str:
    """A note-style citation, as HTML: authors, title, container, publisher, date, link."""
    parts = []
    if src.authors:
        parts.append(escape(_names(src.authors)))
    if src.container:
        parts.append(f"“{escape(src.title)},” <cite>{escape(src.container)}</cite>")
    else:
        parts.append(f"<cite>{escape(src.title)}</cite>")
    if src.publisher:
        parts.append(escape(src.publisher))
    parts.append(escape(src.date))
    text = ", ".join(parts)
    if src.url:
        text += f', <a href="{escape(src.url)}">{escape(src.url)}</a>'
    return text


def bibliography_entry(src: SourceEntry) -> str:
    """A sources-list entry, as HTML."""
    text = full_citation(src) + "."
    if src.note:
        text += " " + escape(src.note)
    return text
