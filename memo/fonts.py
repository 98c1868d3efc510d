"""Fonts are inputs: which font files a build used, and whether they are still the same.

The Latin faces come with the theme (``fonts/``), so the theme's hash covers them. The
Korean and Japanese faces come from the system (Debian's fonts-noto-cjk), and another
version of that package draws other glyphs and metrics, so the bytes of a Korean PDF
depend on it. Each artifact therefore records every font file it was made with
(:class:`FontFile`: the face's name, version and index, the file's name and SHA-256,
and whether it came from the theme or the system); ``manifest.json`` carries the
records, an artifact is rebuilt when a system font it used has changed or fontconfig
could now give another face (:class:`Checker`), and ``memo verify`` names a font that
differs as the cause of a file that differs.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

from memo import fontconfig
from memo.errors import MemoError

LOCAL = ".memo-fonts.json"
"""Beside the manifest: where this machine keeps each system font a build used (path,
size, mtime), and fontconfig's state then (:func:`memo.fontconfig.fingerprint`), so
that a later run checks them with a few ``stat`` calls instead of hashing 20 MB each."""


@dataclass(frozen=True, order=True)
class FontFile:
    """One font file a build used, as the manifest records it."""

    name: str  # the face's full name, from its name table: "Noto Sans CJK KR Bold"
    version: str  # the name table's version string: "Version 2.004;hotconv 1.0.118;..."
    file: str  # the file's own name ("NotoSansCJK-Bold.ttc"), or its name in the theme
    sha256: str  # of the whole file (a collection, for .ttc)
    origin: str  # "theme" (covered by the theme's hash) or "system"
    index: int = 0  # the face within a collection

    def record(self) -> dict:
        return asdict(self)

    @property
    def key(self) -> str:
        return font_key(self.record())


def font_key(record: dict) -> str:
    """A face's key, from its manifest record: which file (by hash) and which face in it."""
    return f"{record.get('sha256')}:{record.get('index', 0)}"


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
    return FontFile(name, version, file or path.name, sha256_file(path), origin, index)


def system_face(family: str, *, bold: bool = False) -> tuple[FontFile, str]:
    """The system's face of ``family`` (regular or bold): its record and its file's path;
    a family the system lacks is an error naming it."""
    query = {"family": family, "weight": fontconfig.WEIGHT["bold" if bold else "regular"],
             "slant": fontconfig.SLANT["roman"]}
    face = fontconfig.match(query)
    if face is None or not face.has(family):
        raise MemoError(f"the font {family} is not installed (for Korean and Japanese: "
                        "fonts-noto-cjk; ./dev installs it)")
    return describe(face.path, face.index), str(face.path)


def identify(family: str, index: int, size: int) -> fontconfig.Face | None:
    """The installed face of ``family`` whose file has ``size`` bytes and which is face
    ``index`` in it: the file a layout engine loaded a face of, told by what it loaded."""
    for face in fontconfig.faces(family):
        try:
            if face.index == index and face.path.stat().st_size == size:
                return face
        except OSError:
            continue
    return None


def merged(*groups) -> tuple[FontFile, ...]:
    """The records of several sources, once each, in a stable order."""
    return tuple(sorted({f for g in groups for f in g}))


# --- is a recorded font still the one this machine has? --------------------------------

def remember(out: Path, places: dict[str, str]) -> None:
    """Record where the system fonts of a build live (``places``: key -> path), and the
    state of fontconfig they were found in."""
    from memo.output import atomic_write

    if not places:
        return
    old, state = _local(out), fontconfig.fingerprint()
    table = old.get("fonts", {}) if old.get("fontconfig") == state else {}
    for key, path in places.items():
        try:
            st = os.stat(path)
        except OSError:
            continue
        table[key] = {"path": path, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    doc = {"fontconfig": state, "fonts": table}
    atomic_write(out / LOCAL, json.dumps(doc, sort_keys=True).encode())


def _local(out: Path) -> dict:
    try:
        doc = json.loads((out / LOCAL).read_text("utf-8"))
        return doc if isinstance(doc, dict) and isinstance(doc.get("fonts"), dict) else {}
    except (OSError, ValueError):
        return {}


class Checker:
    """Tells whether the system fonts an artifact recorded are still what this machine
    would give: fontconfig in the same state (no font added or removed, no configuration
    changed, which could make it answer with another face) and each file unchanged."""

    def __init__(self, out: Path):
        doc = _local(out)
        self.table, self.state = doc.get("fonts", {}), doc.get("fontconfig")
        self.seen: dict[str, bool] = {}
        self.moved: dict[str, str] = {}  # same bytes, new mtime: to remember again
        self._same_state: bool | None = None

    def unchanged(self, fonts: list[dict] | None) -> bool:
        for rec in fonts or ():
            if rec.get("origin") != "system":
                continue  # a theme font is in the theme's hash already
            if self._same_state is None:  # asked once, and only when a system font is used
                self._same_state = self.state == fontconfig.fingerprint()
            key = font_key(rec)
            if key not in self.seen:
                self.seen[key] = self._same_state and self._same(key, rec)
            if not self.seen[key]:
                return False
        return True

    def _same(self, key: str, rec: dict) -> bool:
        where = self.table.get(key)
        if not isinstance(where, dict):
            return False  # never seen on this machine: build, and learn where it is
        try:
            st = os.stat(where["path"])
            if (st.st_size, st.st_mtime_ns) == (where.get("size"), where.get("mtime_ns")):
                return True
            if sha256_file(Path(where["path"])) != rec.get("sha256"):
                return False
        except (OSError, KeyError, TypeError):
            return False
        self.moved[key] = where["path"]
        return True
