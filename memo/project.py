"""A memo project: the folder a memo lives in, found from wherever the command runs.

A project is a folder with ``memo-project.yaml`` at its root, as a git repository is
one with ``.git``. Every command looks for it in the current folder and then in each
folder above, and resolves the project's folders against that root, never against
the current folder::

    my-memo/
      memo-project.yaml     the marker; every key optional
      content/              the memo (memo.yaml, precedents.yaml, audiences/ ...)
      templates/            this project's overrides of the built-in theme, if any
      output/               what memo build writes
      dist/                 what memo release writes

The marker may move those folders (paths relative to the root, inside it)::

    content: content
    templates: templates
    output: output
    dist: dist

``--content``, ``--templates`` and ``--out`` still override. With ``--content`` the
project is sought from that folder upward instead, so a command run from anywhere
gives the same result as one run inside the project. A content folder that is no
project's content (in no project, or kept inside another project's folder) still
builds, with the built-in theme, into ``output/`` beside it.

Reading the marker needs no content model: a build with nothing to do stays fast.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from memo.errors import ContentError, Problem, UsageError, did_you_mean

MARKER = "memo-project.yaml"
DEFAULTS = {"content": "content", "templates": "templates", "output": "output", "dist": "dist"}


@dataclass(frozen=True)
class Paths:
    """Where a command reads and writes."""

    root: Path | None  # the project's folder; None for a content folder in no project
    content: Path
    templates: Path | None  # the project's theme overrides (need not exist); None: none
    output: Path
    dist: Path


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding ``memo-project.yaml``."""
    here = Path(os.path.abspath(start))
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file():
            return folder
    return None


def settings(root: Path) -> dict[str, str]:
    """The marker's folders, with the defaults for those it leaves out; a bad marker is a
    :class:`~memo.errors.ContentError` at the line to fix."""
    from memo import yamlsource

    try:
        src = yamlsource.load(root / MARKER)
    except yamlsource.LoadFailed as exc:
        raise ContentError([exc.problem]) from None
    data = {} if src.data is None else src.data
    if not isinstance(data, dict):
        raise ContentError([src.problem((), "expected a mapping, like 'content: content'")])
    problems: list[Problem] = []
    for key, value in data.items():
        if key not in DEFAULTS:
            problems.append(src.problem(
                (key,), f"unknown key{did_you_mean(key, DEFAULTS, or_list=True)}", key=True))
        elif not isinstance(value, str) or not _relative(value):
            problems.append(src.problem((key,), "expected a folder inside the project, as a "
                                        "relative path like 'content'"))
    if problems:
        raise ContentError(problems)
    return {**DEFAULTS, **data}


def _relative(value: str) -> bool:
    path = PurePosixPath(value.replace("\\", "/"))
    return bool(value.strip()) and "\0" not in value and not path.is_absolute() \
        and ".." not in path.parts and ":" not in path.parts[0]


def locate(content: Path | None = None, templates: Path | None = None,
           output: Path | None = None, dist: Path | None = None, *,
           cwd: Path | None = None) -> Paths:
    """The folders a command uses: those given (relative to the current folder), the
    rest from the project found from ``content`` (if given) or the current folder."""
    cwd = Path(os.path.abspath(cwd if cwd is not None else Path.cwd()))
    start = _at(cwd, content) if content is not None else cwd
    root = find_root(start if start.is_dir() else start.parent)
    given = settings(root) if root is not None else DEFAULTS
    if root is not None and content is not None and \
            os.path.realpath(start) != os.path.realpath(_at(root, given["content"])):
        root = None  # a memo kept inside another project's folder is not that project's
    if root is None:
        if content is None:
            raise UsageError(f"not in a memo project: no {MARKER} in {cwd} or "
                             "any folder above it; start one with 'memo new DIR', or give "
                             "--content")
        beside = start.parent  # writes go beside the content, wherever the shell is
        return Paths(None, start, _at(cwd, templates) if templates is not None else None,
                     _at(cwd, output) if output is not None else beside / "output",
                     _at(cwd, dist) if dist is not None else beside / "dist")

    def pick(option: Path | None, key: str) -> Path:
        return _at(cwd, option) if option is not None else _at(root, given[key])

    return Paths(root, pick(content, "content"), pick(templates, "templates"),
                 pick(output, "output"), pick(dist, "dist"))


def _at(base: Path, path: Path | str) -> Path:
    """``path`` from ``base``, absolute and without ``..`` (symbolic links kept)."""
    return Path(os.path.abspath(base / path))
