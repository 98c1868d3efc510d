"""Ask fontconfig which font file serves a family: the question Pango, and so WeasyPrint,
asks when it lays out text.

memo asks it in the process, through the system's libfontconfig (which WeasyPrint needs
anyway), so that the answer is the one the build got, with ``FONTCONFIG_FILE`` and the
user's own configuration applied, and so that checking a dozen faces on a run with
nothing to build costs a few milliseconds rather than a subprocess each. Where the
library cannot be loaded by name (some macOS and musl set-ups), the ``fc-match`` and
``fc-list`` commands answer the same questions.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

WEIGHT = {"regular": 80, "bold": 200}  # FC_WEIGHT_REGULAR, FC_WEIGHT_BOLD
SLANT = {"roman": 0, "italic": 100}  # FC_SLANT_ROMAN, FC_SLANT_ITALIC


@dataclass(frozen=True)
class Face:
    """One face of a font file, as fontconfig describes it."""

    path: Path
    index: int
    families: tuple[str, ...]
    style: str

    def has(self, family: str) -> bool:
        return family.casefold() in (f.casefold() for f in self.families)


class _FontSet(ctypes.Structure):
    _fields_ = [("nfont", ctypes.c_int), ("sfont", ctypes.c_int),
                ("fonts", ctypes.POINTER(ctypes.c_void_p))]


class _Library:
    """The few libfontconfig calls memo needs."""

    def __init__(self, lib: ctypes.CDLL):
        vp, cp, ip = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
        for name, res, args in [
            ("FcInitLoadConfigAndFonts", vp, []),
            ("FcPatternCreate", vp, []),
            ("FcPatternDestroy", None, [vp]),
            ("FcPatternAddString", ip, [vp, cp, cp]),
            ("FcPatternAddInteger", ip, [vp, cp, ip]),
            ("FcPatternGetString", ip, [vp, cp, ip, ctypes.POINTER(cp)]),
            ("FcPatternGetInteger", ip, [vp, cp, ip, ctypes.POINTER(ip)]),
            ("FcConfigSubstitute", ip, [vp, vp, ip]),
            ("FcDefaultSubstitute", None, [vp]),
            ("FcFontMatch", vp, [vp, vp, ctypes.POINTER(ip)]),
            ("FcObjectSetCreate", vp, []),
            ("FcObjectSetAdd", ip, [vp, cp]),
            ("FcObjectSetDestroy", None, [vp]),
            ("FcFontList", ctypes.POINTER(_FontSet), [vp, vp, vp]),
            ("FcFontSetDestroy", None, [ctypes.POINTER(_FontSet)]),
            ("FcConfigGetConfigFiles", vp, [vp]),
            ("FcConfigGetFontDirs", vp, [vp]),
            ("FcStrListNext", cp, [vp]),
            ("FcStrListDone", None, [vp]),
        ]:
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = res, args
        self.fc = lib
        self.config = lib.FcInitLoadConfigAndFonts()

    def _pattern(self, query: dict):
        p = self.fc.FcPatternCreate()
        for key, value in query.items():
            if isinstance(value, int):
                self.fc.FcPatternAddInteger(p, key.encode(), value)
            else:
                self.fc.FcPatternAddString(p, key.encode(), value.encode())
        return p

    def _face(self, p) -> Face | None:
        s, i = ctypes.c_char_p(), ctypes.c_int()
        if self.fc.FcPatternGetString(p, b"file", 0, ctypes.byref(s)) != 0:
            return None
        path = Path(s.value.decode())
        index = i.value if self.fc.FcPatternGetInteger(p, b"index", 0, ctypes.byref(i)) == 0 \
            else 0
        families, n = [], 0
        while self.fc.FcPatternGetString(p, b"family", n, ctypes.byref(s)) == 0:
            families.append(s.value.decode())
            n += 1
        style = s.value.decode() if self.fc.FcPatternGetString(
            p, b"style", 0, ctypes.byref(s)) == 0 else ""
        return Face(path, index, tuple(families), style)

    def match(self, query: dict) -> Face | None:
        p = self._pattern(query)
        try:
            self.fc.FcConfigSubstitute(self.config, p, 0)  # FcMatchPattern
            self.fc.FcDefaultSubstitute(p)
            result = ctypes.c_int()
            found = self.fc.FcFontMatch(self.config, p, ctypes.byref(result))
        finally:
            self.fc.FcPatternDestroy(p)
        if not found:
            return None
        try:
            return self._face(found)
        finally:
            self.fc.FcPatternDestroy(found)

    def faces(self, family: str) -> list[Face]:
        p = self._pattern({"family": family})
        os_ = self.fc.FcObjectSetCreate()
        for key in (b"file", b"index", b"family", b"style"):
            self.fc.FcObjectSetAdd(os_, key)
        try:
            fs = self.fc.FcFontList(self.config, p, os_)
        finally:
            self.fc.FcObjectSetDestroy(os_)
            self.fc.FcPatternDestroy(p)
        if not fs:
            return []
        try:
            found = (self._face(fs.contents.fonts[i]) for i in range(fs.contents.nfont))
            return sorted((f for f in found if f), key=lambda f: (str(f.path), f.index))
        finally:
            self.fc.FcFontSetDestroy(fs)


    def _strings(self, strlist) -> list[str]:
        out = []
        try:
            while (item := self.fc.FcStrListNext(strlist)) is not None:
                out.append(item.decode())
        finally:
            self.fc.FcStrListDone(strlist)
        return out

    def sources(self) -> list[str]:
        return self._strings(self.fc.FcConfigGetConfigFiles(self.config)) + \
            self._strings(self.fc.FcConfigGetFontDirs(self.config))


class _Commands:
    """The same questions through fc-match and fc-list."""

    FORMAT = "%{file}|%{index}|%{family}|%{style[0]}\n"

    @staticmethod
    def _escape(value: str) -> str:
        return "".join("\\" + c if c in "\\-:," else c for c in value)

    def _run(self, *args: str) -> list[Face]:
        try:
            out = subprocess.run(list(args), capture_output=True, text=True, timeout=20).stdout
        except (OSError, subprocess.TimeoutExpired):
            return []
        faces = []
        for line in out.splitlines():
            path, _, rest = line.partition("|")
            index, _, rest = rest.partition("|")
            families, _, style = rest.partition("|")
            if path:
                faces.append(Face(Path(path), int(index or 0),
                                  tuple(f.strip() for f in families.split(",")), style))
        return faces

    def match(self, query: dict) -> Face | None:
        named = {"weight": {v: k for k, v in WEIGHT.items()},
                 "slant": {v: k for k, v in SLANT.items()}}
        parts = [self._escape(query.get("family", ""))]
        for key, value in query.items():
            if key != "family":
                shown = named[key][value] if key in named else self._escape(value)
                parts.append(f"{key}={shown}")
        found = self._run("fc-match", "-f", self.FORMAT, ":".join(parts))
        return found[0] if found else None

    def faces(self, family: str) -> list[Face]:
        return sorted(self._run("fc-list", "-f", self.FORMAT, self._escape(family)),
                      key=lambda f: (str(f.path), f.index))

    def sources(self) -> list[str]:
        try:
            out = subprocess.run(["fc-conflist"], capture_output=True, text=True,
                                 timeout=20).stdout  # "+ /etc/fonts/conf.d/x.conf: ..."
        except (OSError, subprocess.TimeoutExpired):
            out = ""
        files = [line[2:].split(":")[0] for line in out.splitlines() if line.startswith("+ ")]
        return files + sorted({str(f.path.parent) for f in self._run(
            "fc-list", "-f", "%{file}|0||\n")})


@lru_cache(maxsize=1)
def system() -> _Library | _Commands:
    """This process's fontconfig: the library if it loads, else the commands."""
    for name in (ctypes.util.find_library("fontconfig"), "libfontconfig.so.1",
                 "libfontconfig.1.dylib"):
        if not name:
            continue
        try:
            return _Library(ctypes.CDLL(name))
        except (OSError, AttributeError):
            continue
    return _Commands()


def match(query: dict) -> Face | None:
    """The face fontconfig gives for ``query`` (``family``, and ``style`` or ``weight``
    and ``slant``), with the system's substitutions applied, as Pango would get it."""
    return system().match(query)


def faces(family: str) -> list[Face]:
    """Every installed face of ``family``."""
    return system().faces(family)


def fingerprint() -> str:
    """What fontconfig's answers depend on, in one hash: its configuration files and the
    font folders it reads, with their times and sizes, and the environment that chooses
    them. A new font, another package version, a user's alias: each moves it."""
    import hashlib
    import os

    h = hashlib.sha256()
    for var in ("FONTCONFIG_FILE", "FONTCONFIG_PATH", "FONTCONFIG_SYSROOT"):
        h.update(f"{var}={os.environ.get(var, '')}\0".encode())
    for name in system().sources():
        try:
            st = os.stat(name)
            h.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
        except OSError:
            h.update(f"{name}\0-\0".encode())
    return h.hexdigest()
