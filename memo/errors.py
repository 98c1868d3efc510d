"""Errors a user can act on.

Every failure a user can fix is a :class:`MemoError`; the CLI prints it without a
traceback. :class:`ContentError` carries *all* the problems found in the content, each
pinned to a file, line and column, so one run shows everything to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path


class MemoError(Exception):
    """A failure the user can fix; the CLI shows ``str(err)`` and exits with ``exit_code``."""

    exit_code = 1


class UsageError(MemoError):
    exit_code = 2


class TemplateError(MemoError):
    """A template that does not render: a build failure (exit 1), not bad content."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content, e.g. ``content/x.yaml:4:7: a[1].b: expected ...``."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        path, message = visible(self.path), visible(self.message)
        return f"{where}: {path}: {message}" if path else f"{where}: {message}"


# Characters that would end the line or move the cursor when a problem quoting content is
# printed: a carriage return could write over the location. Tab stays.
_INVISIBLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def visible(text: str) -> str:
    """``text`` on one line, its control characters written as escapes (``\\r``,
    ``\\x1b``, ``\\u2028``), as a message quoting content must be."""
    def escape(m: re.Match) -> str:
        c = m.group(0)
        return {"\n": "\\n", "\r": "\\r"}.get(c) or (
            f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")

    return _INVISIBLE.sub(escape, text)


@dataclass
class ContentError(MemoError):
    """Invalid content. With ``what`` (a variant's name), the content is valid as a whole
    but that variant cannot be built from it (a missing translation, say)."""

    problems: list[Problem] = field(default_factory=list)
    what: str | None = None
    exit_code = 2

    def __str__(self) -> str:
        lines = [str(p) for p in sorted(set(self.problems))]
        n = len(lines)
        found = f"{n} problem{'s' if n != 1 else ''}"
        lines.append(f"{found} in {self.what}; its files were not written." if self.what
                     else f"{found} found; nothing was written.")
        return "\n".join(lines)


def did_you_mean(word: str, choices, *, or_list: bool = False) -> str:
    """The hint after an unknown name: ``; did you mean 'x'?`` for a close match, else
    `` (allowed: a, b)`` when ``or_list``, else nothing."""
    import difflib

    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=1)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f" (allowed: {', '.join(choices)})" if or_list else ""


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    try:
        shown = str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
    return str(path.resolve()) if shown == "." else shown  # "." would name nothing
