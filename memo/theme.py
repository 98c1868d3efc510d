"""The theme a memo is drawn with: templates, stylesheets, fonts, labels, Word styles.

memo carries a built-in theme: this repository's ``templates/`` folder, installed with
the package as ``memo/builtin_theme``. A project's own ``templates/`` folder overrides
it file by file, as Sphinx's and MkDocs' theme folders do: a project that wants another
``sections/bluf.html.j2`` or its own ``reference.docx`` holds just that file, and every
other file still comes from the built-in theme. ``labels.yaml`` is the one file that
is merged rather than replaced: a project's ``labels.yaml`` overrides the labels it
names, each as a whole (all its languages), so a translation is never half the
project's and half the theme's.

A name inside the theme (``css/memo.css``) is looked up in each layer in turn; the file
must resolve inside the layer it is found in, so ``..`` and symbolic links cannot lead
out of either folder. The Jinja loader, WeasyPrint's URL fetcher and every writer find
their files through :meth:`Theme.find`, so one rule holds in both places.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path, PurePosixPath

from memo.errors import MemoError, UsageError, display_path

NOT_INPUTS = {".git", "__pycache__", ".hg", ".svn"}  # folders no build reads


@lru_cache(maxsize=1)
def builtin_folder() -> Path:
    """The built-in theme: ``memo/builtin_theme`` in an installed package; in a source
    checkout (an editable install), the repository's ``templates/``, which is its source."""
    here = Path(__file__).resolve().parent
    for folder in (here / "builtin_theme", here.parent / "templates"):
        if (folder / "base.html.j2").is_file():
            return folder
    raise MemoError(f"memo's built-in theme is missing from {here}; reinstall memo")


def theme_name(name: str | PurePosixPath) -> str | None:
    """``name`` as a path inside a theme (``css/memo.css``), or None if it cannot be one:
    absolute, empty, climbing out with ``..``, or holding a NUL."""
    text = str(name).replace("\\", "/")
    if not text or "\0" in text or text.startswith("/"):
        return None
    parts = [p for p in PurePosixPath(text).parts if p != "."]
    if not parts or ".." in parts:
        return None
    return "/".join(parts)


def _inside(root: Path, name: str) -> Path | None:
    """``root/name`` if it is a file that resolves inside ``root``."""
    try:
        path = (root / name).resolve()
        return path if path.is_relative_to(root.resolve()) and path.is_file() else None
    except (OSError, ValueError):  # a name too long for this file system, and the like
        return None


class Theme:
    """A project's templates folder (``override``) over the built-in theme.

    ``Theme(None)`` is the built-in theme alone. The override folder need not exist: a
    project with no templates of its own is drawn entirely with the built-in theme.
    """

    def __init__(self, override: Path | None = None):
        self.override = Path(override) if override is not None else None
        self.builtin = builtin_folder()
        layers = [self.builtin]
        if self.override is not None and self.override.is_dir() and not _same(
                self.override, self.builtin):
            layers.insert(0, self.override)
        self.layers: tuple[Path, ...] = tuple(layers)

    def __repr__(self) -> str:
        return f"Theme({' over '.join(str(p) for p in self.layers)})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Theme) and self.layers == other.layers

    def __hash__(self) -> int:
        return hash(self.layers)

    def find(self, name: str | PurePosixPath) -> Path | None:
        """The file for ``name`` from the first layer that has it, or None.

        Something there that cannot be used (a symbolic link out of its folder, to
        ``/etc/passwd`` say; a broken link; a folder) is an error, not a reason to fall
        back to the built-in file silently.
        """
        rel = theme_name(name)
        if rel is None:
            return None
        for root in self.layers:
            path = in_layer(root, rel)
            if path is not None:
                return path
        return None

    def find_builtin(self, name: str) -> Path | None:
        """The built-in theme's own file for ``name``, shadowed or not."""
        rel = theme_name(name)
        return in_layer(self.builtin, rel) if rel else None

    def each(self, name: str) -> list[Path]:
        """``name`` from every layer that has it, the built-in one first: for the one
        file that is merged rather than shadowed (``labels.yaml``)."""
        found = (in_layer(root, name) for root in reversed(self.layers))
        return [p for p in found if p is not None]

    def path(self, name: str) -> Path:
        """Like :meth:`find`, but a missing file is an error naming where it was sought."""
        found = self.find(name)
        if found is None:
            raise MemoError(f"the theme has no {name} (looked in {self.where()})")
        return found

    def where(self) -> str:
        return " and ".join(display_path(p) for p in self.layers)

    def name_of(self, path: Path) -> str | None:
        """The theme name of a path under one of the layers, else None. The path is not
        resolved: a link in the project's folder is judged by :meth:`find`, as the link
        it is, not as the file it leads to."""
        path = Path(os.path.abspath(path))
        for root in self.layers:
            for top in (Path(os.path.abspath(root)), root.resolve()):
                try:
                    return path.relative_to(top).as_posix()
                except ValueError:
                    continue
        return None

    def is_own(self, path: Path) -> bool:
        """Whether ``path`` is the project's own file rather than the built-in one."""
        return self.override is not None and len(self.layers) > 1 and \
            path.resolve().is_relative_to(self.layers[0].resolve())

    def files(self, skip: Callable[[Path], bool] = lambda p: False) -> dict[str, Path]:
        """Every file the theme holds, by name; a project's file shadows the built-in one."""
        found: dict[str, Path] = {}
        for root in reversed(self.layers):
            for path in walk(root):
                rel = path.relative_to(root).as_posix()
                if not skip(path) and _inside(root, rel) is not None:
                    found[rel] = path
        return dict(sorted(found.items()))

    def digest(self, skip: Callable[[Path], bool] = lambda p: False) -> str:
        """One hash of what a build can read from the theme: every entry of every layer,
        by layer and name; an entry a build would refuse (a link out of its folder)
        counts as such, so that adding or removing one is noticed too."""
        h = hashlib.sha256()
        for n, root in enumerate(self.layers):
            for path in walk(root):
                rel = path.relative_to(root).as_posix()
                if skip(path) or path.suffix == ".tmp":
                    continue
                try:
                    inside = _inside(root, rel)
                    data = hashlib.sha256(inside.read_bytes()).digest() if inside else \
                        b"refused"
                except OSError:
                    continue  # vanished mid-walk: not an input
                h.update(f"{n}:{rel}".encode() + b"\0" + data)
        return h.hexdigest()


def in_layer(root: Path, rel: str) -> Path | None:
    """``root/rel`` if it is a file inside ``root``; None if there is nothing there; an
    error if there is something there that a theme may not use."""
    path = _inside(root, rel)
    if path is not None or not os.path.lexists(root / rel):
        return path
    what = "is a folder, not a file" if (root / rel).is_dir() else \
        "leads outside its folder" if (root / rel).exists() else "is a broken link"
    raise MemoError(f"{display_path(root / rel)} {what}: a theme's files must be files "
                    f"inside {display_path(root)}")


def walk(root: Path, *, stay_inside: bool = True):
    """Every file under ``root``, following links to folders, each folder once (a link
    loop must not walk forever); with ``stay_inside``, only links to folders inside
    ``root`` (a theme's rule). The content's inputs hash walks the same way, following
    links anywhere, since the content loader reads through them."""
    top = os.path.realpath(root)
    seen = {top}
    for folder, dirs, names in os.walk(root, followlinks=True):
        keep = []
        for d in sorted(dirs):
            real = os.path.realpath(os.path.join(folder, d))
            if d not in NOT_INPUTS and real not in seen and \
                    (not stay_inside or real == top or real.startswith(top + os.sep)):
                seen.add(real)
                keep.append(d)
        dirs[:] = keep
        for n in sorted(names):
            yield Path(folder) / n


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def as_theme(templates: Theme | Path | str | None) -> Theme:
    """A :class:`Theme` from what callers hold: a theme, or a project's templates folder
    (None: the built-in theme alone)."""
    if isinstance(templates, Theme):
        return templates
    return Theme(Path(templates) if templates is not None else None)


def listing(theme: Theme) -> list[tuple[str, str]]:
    """Every file of the theme with where it comes from: ``built-in``, ``project``
    (the project's, shadowing the built-in one) or ``project only``."""
    builtin = Theme(None).files()
    rows = []
    for name, path in theme.files().items():
        if not theme.is_own(path):
            rows.append((name, "built-in"))
        else:
            rows.append((name, "project" if name in builtin else "project only"))
    return rows


def copy(theme: Theme, names: list[str], *, overwrite: bool = False) -> list[Path]:
    """Copy built-in files (by theme name, or every one for ``names == []``) into the
    theme's override folder (a project's templates folder), to edit there. Refuses to
    replace the project's own files unless ``overwrite``; nothing is copied if any name
    is wrong."""
    builtin = Theme(None).files()
    chosen = list(builtin) if not names else []
    unknown = []
    for name in names:
        rel = theme_name(name)
        inside = [n for n in builtin if n.startswith(f"{rel}/")] if rel else []  # a folder
        if rel in builtin:
            chosen.append(rel)
        elif inside:
            chosen += inside
        else:
            unknown.append(name)
    if unknown:
        import difflib

        hints = [f"'{u}'" + (f" (did you mean '{c[0]}'?)" if (c := difflib.get_close_matches(
            u, builtin, n=1)) else "") for u in unknown]
        raise UsageError(f"the built-in theme has no {', '.join(hints)}; "
                         "'memo theme list' shows its files")
    into = theme.override
    if into is None:
        raise UsageError("no templates folder to copy into: give --templates, or run this "
                         "inside a memo project")
    if _same(into, theme.builtin):
        raise UsageError(f"{display_path(into)} is the built-in theme itself")
    existing = [n for n in chosen if (into / n).exists()]
    if existing and not overwrite:
        raise UsageError(f"{display_path(into)} already has {', '.join(existing)}; "
                         "--force replaces them with the built-in files")
    written = []
    for name in dict.fromkeys(chosen):
        dst = into / name
        try:
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(builtin[name].read_bytes())
        except OSError as exc:
            raise MemoError(f"cannot write {display_path(dst)}: {exc.strerror}") from None
        written.append(dst)
    return written
