"""Read YAML into plain data while remembering where every value came from.

PyYAML's composer gives nodes that know their line and column; constructing plain
Python values ourselves from those nodes lets us keep a ``path -> (line, column)`` map,
so a validation error found later can point at ``file:line:column``. Building the
values ourselves also lets us refuse what ``yaml.safe_load`` silently accepts:
duplicate keys (the last one wins there) and aliases (a billion-laughs vector, and
never needed in memo content).
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from memo.errors import Problem, display_path

try:  # the C loader is several times faster; fall back when libyaml is absent
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

MAX_BYTES = 2 * 1024 * 1024
# Files parsed in this process, by name and bytes: a project is loaded again and again
# (memo serve on every save, memo absorb for each version, a check per edit) while most
# of its files have not changed, and parsing with positions costs ten times a copy.
_PARSED: dict[tuple[str, bytes], Source] = {}
MAX_DEPTH = 32


@dataclass
class Source:
    """A YAML file read into plain data, with the position of every value and key."""

    file: Path
    data: Any
    text: str = ""
    values: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    keys: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return display_path(self.file)

    def where(self, path: tuple, *, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the value at ``path``, or of its nearest ancestor."""
        table = self.keys if key and path in self.keys else self.values
        while path and path not in table:
            path = path[:-1]
            table = self.values
        return table.get(path, (1, 1))

    def problem(self, path: tuple, message: str, *, key: bool = False,
                text: str | None = None) -> Problem:
        """A problem at ``path``; with ``text``, at that text's first place in the value."""
        line, col = self.where(path, key=key)
        if text:
            line, col = self._find(text, line, col)
        return Problem(self.name, line, col, format_path(path), message)

    def _find(self, text: str, line: int, col: int) -> tuple[int, int]:
        # A folded or multi-line value spans several lines: point at the line that holds
        # the text (a citation, say), not at the start of the value.
        lines = self.text.splitlines()
        for n in range(line - 1, min(len(lines), line + 200)):
            start = lines[n].find(text, col - 1 if n == line - 1 else 0)
            if start >= 0:
                return n + 1, start + 1
        return line, col


def format_path(path: tuple) -> str:
    """``("precedents", 1, "years")`` -> ``precedents[1].years``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class _Bad(Exception):
    def __init__(self, node: yaml.Node, path: tuple, message: str):
        super().__init__(message)
        self.node, self.path, self.message = node, path, message


def load(file: Path) -> Source:
    """Read ``file`` into a :class:`Source`; raise :class:`LoadFailed`, holding the one
    located :class:`~memo.errors.Problem`, when it cannot be read or is not valid YAML."""
    name = display_path(file)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise LoadFailed(Problem(name, 1, 1, "", f"cannot read file: {exc.strerror}")) from None
    if len(raw) > MAX_BYTES:
        raise LoadFailed(
            Problem(name, 1, 1, "", f"file is {len(raw)} bytes; the limit is {MAX_BYTES}")
        )
    key = (str(file), hashlib.sha1(raw).digest())
    seen = _PARSED.get(key)
    if seen is not None:
        return _copy(seen)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadFailed(
            Problem(name, 1, 1, "", f"not UTF-8 text (byte {exc.start}: {exc.reason})")
        ) from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise LoadFailed(Problem(name, line, col, "", f"invalid YAML: {exc.problem}")) from None
    except yaml.YAMLError as exc:
        raise LoadFailed(Problem(name, 1, 1, "", f"invalid YAML: {exc}")) from None
    finally:
        loader.dispose()
    src = Source(file, None, text)
    if node is None:
        src.data = None
        return src
    try:
        src.data = _build(node, (), src, loader, set(), 0)
    except _Bad as bad:
        mark = bad.node.start_mark
        raise LoadFailed(
            Problem(name, mark.line + 1, mark.column + 1, format_path(bad.path), bad.message)
        ) from None
    if len(_PARSED) >= 64:
        _PARSED.pop(next(iter(_PARSED)))
    _PARSED[key] = src
    return _copy(src)


def _copy(src: Source) -> Source:
    """A copy of a parsed file for one caller: whoever loads it may change its data."""
    return Source(src.file, copy.deepcopy(src.data), src.text, dict(src.values),
                  dict(src.keys))


class LoadFailed(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def _build(node: yaml.Node, path: tuple, src: Source, loader: Any, seen: set, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise _Bad(node, path, f"nested more than {MAX_DEPTH} levels deep")
    if id(node) in seen:
        raise _Bad(node, path, "YAML aliases (*name) are not allowed in memo content")
    seen.add(id(node))
    src.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Bad(key_node, path, "YAML merge keys (<<) are not allowed in memo content")
            if not isinstance(key_node, yaml.ScalarNode):
                raise _Bad(key_node, path, "mapping keys must be plain text")
            key = str(_scalar(key_node, path, loader))
            if key in out:
                first = src.keys[path + (key,)][0]
                raise _Bad(key_node, path + (key,), f"duplicate key (first given on line {first})")
            src.keys[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = _build(value_node, path + (key,), src, loader, seen, depth + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, path + (i,), src, loader, seen, depth + 1)
            for i, item in enumerate(node.value)
        ]
    return _scalar(node, path, loader)


_TIMESTAMP = "tag:yaml.org,2002:timestamp"


def _scalar(node: yaml.Node, path: tuple, loader: Any) -> Any:
    """A scalar's value. PyYAML's constructors check the shape of a value, not that it
    exists: ``2021-02-30`` matches the date pattern and then fails in ``datetime``;
    ``!!int x``, ``!!bool maybe``, ``!!timestamp soon`` and an integer of more digits
    than Python parses fail with ValueError, KeyError or AttributeError, not YAMLError.
    A scalar's constructor is a pure function of its text: any exception means the
    text is not a value of its type."""
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise _Bad(node, path, f"invalid value: {getattr(exc, 'problem', exc)}") from None
    except Exception as exc:
        value = str(node.value)[:40]
        if node.tag == _TIMESTAMP and isinstance(exc, ValueError):
            raise _Bad(node, path, f"{value} reads as a date or time, but there is no such "
                       f"one ({exc}); correct it, or put it in quotes if it is text") from None
        reason = str(exc)[:80] if isinstance(exc, ValueError) else "not a value of that type"
        kind = node.tag.rsplit(":", 1)[-1]
        raise _Bad(node, path, f"invalid value {value!r} for its type {kind} ({reason}); "
                   "put it in quotes if it is text") from None
