"""What makes a file up to date: the hash of its inputs, checked against the manifest.

An artifact's inputs are everything that can change its bytes: the content files it was
made from (those its render read, :mod:`memo.reads`, and those it carries), the theme
(the files a build can read, a project's own over the built-in ones), memo's own code,
the versions of the libraries that shape the output, the variant and the format. The
manifest records which content files each artifact was made from; it is up to date when
its recorded inputs are those of these files now, the file on disk has the recorded
hash, and the system fonts it records are unchanged on this machine (:mod:`memo.fonts`).
``.memo-plans.json`` remembers which variants each selection planned to, so a run with
nothing changed checks hashes without loading the content at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from memo import __version__
from memo.fonts import Checker as FontChecker
from memo.output import Artifact, atomic_write
from memo.plan import Variant
from memo.theme import Theme, walk

PLANS = ".memo-plans.json"
# Libraries whose versions change what every writer is given: the rendered document and
# its figures (Pillow measures the timeline's labels), its notes (the pandoc that formats
# them). Each writer declares its own.
RENDER_LIBRARIES = ("jinja2", "markdown-it-py", "babel", "pillow", "pypandoc-binary")


def _file_digests(folder: Path, skip: Callable[[Path], bool] = lambda p: False) -> dict[str, str]:
    """The SHA-256 of every file under ``folder`` (symbolic links followed), by relative
    path. Hidden files count: a template or profile may be one."""
    out = {}
    for path in sorted(walk(folder, stay_inside=False)):
        if skip(path) or path.suffix == ".tmp":
            continue
        try:
            out[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            continue  # a dangling link or a file vanishing mid-walk: not an input
    return out


def _digest(files: dict[str, str]) -> str:
    h = hashlib.sha256()
    for rel, digest in sorted(files.items()):
        h.update(rel.encode() + b"\0" + bytes.fromhex(digest))
    return h.hexdigest()


def _tree_digest(folder: Path, skip: Callable[[Path], bool] = lambda p: False) -> str:
    """One hash of every file under ``folder``, by relative path (:func:`_file_digests`)."""
    return _digest(_file_digests(folder, skip))


def library_versions() -> str:
    """``name=version`` of memo and of every library that shapes the output."""
    from memo.writers import libraries

    found = _installed()
    out = [f"memo={__version__}"]
    for name in (*RENDER_LIBRARIES, *libraries()):
        out.append(f"{name}={found.get(_normalized(name)) or _version(name)}")
    return ";".join(out)


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _installed() -> dict[str, str]:
    """Each installed distribution's version, read off its ``NAME-VERSION.dist-info``
    folder name: one listing per path entry, where importlib.metadata.version searches
    every entry again for each name (11 names: 70 of a warm run's 200 ms)."""
    out: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in names:
            if folder.endswith(".dist-info"):
                name, _, ver = folder[: -len(".dist-info")].rpartition("-")
                out.setdefault(_normalized(name), ver)
    return out


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "none"


class Inputs:
    """The inputs hash of each artifact: everything that can change its bytes.

    Of the content, only the files the artifact was made from count (``reads``, which
    the render notes, :mod:`memo.reads`): a caveat's edit rebuilds the variants that
    show the caveats and no other. Files the loader does not know (a project's own CSL
    style, say) count for every artifact, whatever it read.
    """

    def __init__(self, content: Path, theme: Theme, out: Path, settings: str = "",
                 notes: bool = False):
        from memo.reads import PARTS
        from memo.review import FILE as REVIEW

        out_dir = out.resolve()

        def produced(path: Path) -> bool:  # an output folder inside content/ is not input
            return path.resolve().is_relative_to(out_dir)

        # the reviewers' notes change no file unless the build shows them (--review-notes)
        review = content / REVIEW
        self.files = _file_digests(content, lambda p: produced(p) or not notes and p == review)
        known = set(PARTS.values())
        self.always = sorted(rel for rel in self.files if rel not in known
                             and not re.fullmatch(r"audiences/[^/]+\.yaml", rel))
        shared = hashlib.sha256()
        shared.update(theme.digest(produced).encode())
        shared.update(library_versions().encode())
        shared.update(settings.encode())  # the PDF variant, the documents' date
        # memo's own code: an edited writer must rebuild, whatever __version__ says
        shared.update(_tree_digest(Path(__file__).parent, lambda p: p.suffix != ".py").encode())
        self.shared = shared.hexdigest()
        self.everything = hashlib.sha256(
            (self.shared + _digest(self.files)).encode()).hexdigest()

    def plan_key(self, *selection: Any) -> str:
        return hashlib.sha256(json.dumps([self.everything, *selection],
                                         default=list).encode()).hexdigest()

    def of(self, variant: Variant, fmt: str, reads: list[str] | None) -> str:
        """The inputs hash of ``variant``'s ``fmt`` file, made from the content files
        ``reads``; None (nothing recorded: an older manifest's) counts every file."""
        from memo.reads import EVERY

        names = set(self.files) if reads is None or EVERY in reads else set(reads)
        h = hashlib.sha256(self.shared.encode())
        for name in sorted(names | set(self.always)):
            h.update(f"{name}\0{self.files.get(name, 'absent')}\0".encode())
        h.update(f"{variant.name}.{fmt}".encode())
        return h.hexdigest()


def current_artifact(out: Path, variant: Variant, fmt: str, inputs: Inputs,
                     manifest: dict[str, dict], fonts: FontChecker) -> Artifact | None:
    """The manifest's record of ``variant``'s ``fmt`` file if the file on disk is what it
    describes and was built from these inputs (those of the content files it records
    reading) and these system fonts; otherwise None (rebuild it)."""
    name = f"{variant.name}.{fmt}"
    rec = manifest.get(name)
    if not rec or not fonts.unchanged(rec.get("fonts")):
        return None
    reads = rec.get("reads")
    if not isinstance(reads, list) or rec.get("inputs") != inputs.of(variant, fmt, reads):
        return None
    try:
        data = (out / name).read_bytes()
        art = Artifact(**rec)
    except (OSError, TypeError):
        return None
    return art if hashlib.sha256(data).hexdigest() == art.sha256 else None


def currency(out: Path, variant: Variant, inputs: Inputs, manifest: dict[str, dict],
             fonts: FontChecker) -> tuple[list[Artifact], tuple[str, ...]]:
    """The variant's artifacts that are up to date, and the formats to rebuild."""
    current, stale = [], []
    for fmt in variant.formats:
        art = current_artifact(out, variant, fmt, inputs, manifest, fonts)
        if art is None:
            stale.append(fmt)
        else:
            current.append(art)
    return current, tuple(stale)


def cached_plan(out: Path, key: str) -> list[Variant] | None:
    try:
        raw = json.loads((out / PLANS).read_text("utf-8"))[key]
        return [Variant(a, lang, tuple(fmts)) for a, lang, fmts in raw]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remember_plan(out: Path, key: str, variants: list[Variant]) -> None:
    try:
        plans = json.loads((out / PLANS).read_text("utf-8"))
        if not isinstance(plans, dict):
            plans = {}
    except (OSError, ValueError):
        plans = {}
    plans.pop(key, None)
    plans[key] = [[v.audience, v.lang, list(v.formats)] for v in variants]
    plans = dict(list(plans.items())[-16:])  # the latest selections are enough
    atomic_write(out / PLANS, json.dumps(plans).encode())
