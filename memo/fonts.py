"""Fonts are inputs: which font files a build used, and whether they are still the same.

The Latin faces come with the theme (``fonts/``), so the theme's hash covers them. The
Korean and Japanese faces come from the system (Debian's fonts-noto-cjk), and another
version of that package draws other glyphs and metrics, so the bytes of a Korean PDF
depend on it. Each artifact therefore records every font file it was made with
(:class:`FontFile`: the face's name and version, the file's name and SHA-256, and
whether it came from the theme or the system); ``manifest.json`` carries the records,
an artifact whose system fonts have changed since is rebuilt (:func:`unchanged`), and
``memo verify`` names a font that differs as the cause of a file that differs.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from memo.errors import MemoError

LOCAL = ".memo-fonts.json"
"""Beside the manifest: where this machine's system fonts were (path, size, mtime), by
hash, so a later run can tell a changed font file with one ``stat`` and no hashing."""


@dataclass(frozen=True, order=True)
class FontFile:
    """One font file a build used, as the manifest records it."""

    name: str  # the face's full name, from its name table: "Noto Sans CJK KR Bold"
    version: str  # the name table's version string: "Version 2.004;hotconv 1.0.118;..."
    file: str  # the file's own name: "NotoSansCJK-Bold.ttc"
    sha256: str  # of the whole file (a collection, for .ttc)
    origin: str  # "theme" (covered by the theme's hash) or "system"

    def record(self) -> dict:
        return asdict(self)


def sha256_file(path: Path) -> str:
    """The file's SHA-256, remembered for this process by path, size and mtime: a CJK
    collection is 20-30 MB, and a build asks for it once per variant."""
    st = path.stat()
    return _sha256_file(str(path), st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=64)
def _sha256_file(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


@lru_cache(maxsize=64)
def _names(path: str, size: int, mtime_ns: int, index: int) -> tuple[str, str]:
    from fontTools.ttLib import TTFont

    try:
        with TTFont(path, fontNumber=index, lazy=True) as font:
            table = font["name"]
            name = table.getDebugName(4) or table.getDebugName(1) or Path(path).stem
            return name, table.getDebugName(5) or ""
    except Exception:  # noqa: BLE001 - a face fontTools cannot read still has a file
        return Path(path).stem, ""


def describe(path: Path, index: int = 0, origin: str = "system",
             file: str | None = None) -> FontFile:
    """The record of face ``index`` of the font file at ``path`` (``file``: the name to
    record, by default the file's own)."""
    st = path.stat()
    name, version = _names(str(path), st.st_size, st.st_mtime_ns, index)
    return FontFile(name, version, file or path.name, sha256_file(path), origin)


def match(family: str, *, bold: bool = False, italic: bool = False) -> tuple[Path, int] | None:
    """The file and face index fontconfig gives for ``family`` (what Pango, and so
    WeasyPrint, would use), or None when fontconfig falls back to another family."""
    return _match(family, bold, italic)


@lru_cache(maxsize=64)
def _match(family: str, bold: bool, italic: bool) -> tuple[Path, int] | None:
    pattern = f"{family}:weight={'bold' if bold else 'regular'}" \
              f":slant={'italic' if italic else 'roman'}"
    try:
        found = subprocess.run(["fc-match", "-f", "%{family}|%{file}|%{index}", pattern],
                               capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    families, _, rest = found.partition("|")
    path, _, index = rest.partition("|")
    if family.casefold() not in (f.strip().casefold() for f in families.split(",")):
        return None
    return Path(path), int(index or 0)


def system_face(family: str, *, bold: bool = False) -> tuple[Path, int]:
    """Like :func:`match`, but a family the system lacks is an error naming it."""
    found = match(family, bold=bold)
    if found is None:
        raise MemoError(f"the font {family} is not installed (for Korean and Japanese: "
                        "fonts-noto-cjk; ./dev installs it)")
    return found


def merged(*groups) -> tuple[FontFile, ...]:
    """The records of several sources, once each, in a stable order."""
    return tuple(sorted({f for g in groups for f in g}))


# --- is a recorded font still the one this machine has? --------------------------------

def remember(out: Path, used: dict[str, Path]) -> None:
    """Record where the system fonts of this build live (``used``: sha256 -> path)."""
    from memo.output import atomic_write

    if not used:
        return
    table = _local(out)
    for digest, path in used.items():
        try:
            st = path.stat()
        except OSError:
            continue
        table[digest] = [str(path), st.st_size, st.st_mtime_ns]
    atomic_write(out / LOCAL, json.dumps(table, sort_keys=True).encode())


def _local(out: Path) -> dict:
    try:
        table = json.loads((out / LOCAL).read_text("utf-8"))
        return table if isinstance(table, dict) else {}
    except (OSError, ValueError):
        return {}


class Checker:
    """Tells whether the system font files an artifact recorded are unchanged here."""

    def __init__(self, out: Path):
        self.table = _local(out)
        self.seen: dict[str, bool] = {}

    def unchanged(self, fonts: list[dict] | None) -> bool:
        for rec in fonts or ():
            if rec.get("origin") != "system":
                continue  # a theme font is in the theme's hash already
            digest = rec.get("sha256", "")
            if digest not in self.seen:
                self.seen[digest] = self._same(digest)
            if not self.seen[digest]:
                return False
        return True

    def _same(self, digest: str) -> bool:
        where = self.table.get(digest)
        if not isinstance(where, list) or len(where) != 3:
            return False  # never seen on this machine: build, and learn where it is
        path, size, mtime = where
        try:
            st = os.stat(path)
        except OSError:
            return False
        if (st.st_size, st.st_mtime_ns) == (size, mtime):
            return True
        return sha256_file(Path(path)) == digest
