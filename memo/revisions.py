"""The old version a redline compares against: a git revision, a release, or a folder.

``memo redline --since OLD`` takes any of:

- a **git revision** of the project (``HEAD~1``, ``v1.2``, a commit): its content and
  templates are read from git at that revision (``git archive``) into a temporary
  folder; nothing is checked out, the working tree is not touched;
- a **release** made by ``memo release``, its folder (``dist/memo-V/``) or its archive
  (``dist/memo-V.zip``): its PDF/A-3 PDFs carry the memo's content files, which are read
  from there; a release carries no templates, so the old version is rendered with the
  current ones;
- a memo **content folder** (one holding ``memo.yaml``), or a project folder.

:func:`resolve` gives an :class:`Old`: where its content and templates are, and what to
call it ("Changes since v1.2"). Its temporary folder is removed when the ``with`` ends.
"""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from memo.errors import UsageError, display_path
from memo.project import DEFAULTS, MARKER


@dataclass
class Old:
    label: str  # what the redline calls it: "v1.2", "HEAD~1 (3f2a1c9)"
    content: Path
    templates: Path | None  # None: the current templates (a release has none)
    kind: str  # "git", "release", "folder"


@contextmanager
def resolve(since: str, root: Path | None, templates: Path | None = None) -> Iterator[Old]:
    """The version ``since`` names, for the project at ``root`` (None: no project), in a
    temporary folder for as long as the ``with`` lasts. ``templates`` are the current
    ones, which a release is rendered with."""
    path = Path(since)
    with tempfile.TemporaryDirectory(prefix="memo-since-") as tmp:
        tmp = Path(tmp)
        if path.is_file() and zipfile.is_zipfile(path):
            yield _from_archive(path, tmp, templates)
        elif path.is_dir():
            yield _from_folder(path, tmp, templates)
        elif path.exists():
            raise UsageError(f"--since {since}: not a release archive (.zip), a release or "
                             "content folder, or a git revision")
        else:
            yield _from_git(since, root, tmp)


def _from_folder(folder: Path, tmp: Path, templates: Path | None) -> Old:
    if (folder / "memo.yaml").is_file():
        return Old(folder.name, folder, templates, "folder")
    if (folder / MARKER).is_file():
        from memo.project import settings

        given = settings(folder)
        theme = folder / given["templates"]
        return Old(folder.name, folder / given["content"],
                   theme if theme.is_dir() else None, "folder")
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        raise UsageError(f"--since {display_path(folder)}: not a release folder (no "
                         "manifest.json), a content folder (no memo.yaml) or a project")
    pdfs = sorted(folder.glob("*.pdf"))
    return _from_pdfs(((p.name, p.read_bytes()) for p in pdfs), _version(manifest.read_bytes(),
                      folder.name), display_path(folder), tmp, templates)


def _from_archive(archive: Path, tmp: Path, templates: Path | None) -> Old:
    with zipfile.ZipFile(archive) as z:
        names = z.namelist()
        manifest = next((n for n in names if n.endswith("/manifest.json")
                         or n == "manifest.json"), None)
        label = _version(z.read(manifest), archive.stem) if manifest else archive.stem
        pdfs = [(n, z.read(n)) for n in names if n.endswith(".pdf")]
    return _from_pdfs(pdfs, label, display_path(archive), tmp, templates)


def _version(manifest: bytes, fallback: str) -> str:
    try:
        release = json.loads(manifest).get("release") or {}
    except (ValueError, AttributeError):
        return fallback
    return str(release.get("version") or fallback)


def _from_pdfs(pdfs, label: str, where: str, tmp: Path, templates: Path | None) -> Old:
    """The content files a release's PDF/A-3s carry as their attachments, together: a
    variant for an audience with a ``release`` limit carries only part of them."""
    from memo.writers.pdf import attached

    yamls: dict[str, bytes] = {}
    for name, data in pdfs:
        for rel, blob in attached(data).items():
            if not rel.endswith(".yaml") or rel in yamls:
                continue
            if _inside(tmp, rel) is None:
                raise UsageError(f"--since {where}: {name} carries a file named {rel!r}, "
                                 "outside any content folder")
            yamls[rel] = blob
    if "memo.yaml" not in yamls:
        raise UsageError(f"--since {where}: its PDFs carry no content files; a release made "
                         "by `memo release` (PDF/A-3b) does")
    content = tmp / "content"
    for rel, blob in yamls.items():
        target = _inside(content, rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob)
    return Old(label, content, templates, "release")


def _inside(root: Path, rel: str) -> Path | None:
    parts = PurePosixPath(rel).parts
    if not parts or PurePosixPath(rel).is_absolute() or ".." in parts:
        return None
    return root.joinpath(*parts)


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True,
                              timeout=60)
    except FileNotFoundError:
        raise UsageError("--since: git is not installed, so a revision cannot be read") \
            from None


def _from_git(rev: str, root: Path | None, tmp: Path) -> Old:
    if root is None:
        raise UsageError(f"--since {rev}: no such file or folder, and no project to read a "
                         "git revision of")
    top = _git(root, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise UsageError(f"--since {rev}: no such file or folder, and {display_path(root)} "
                         "is not in a git repository")
    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if commit.returncode != 0:
        raise UsageError(f"--since {rev}: not a revision of this repository (nor a file or "
                         "folder)")
    sha = commit.stdout.decode().strip()
    # the project's folder inside the repository, and its layout at that revision
    prefix = Path(root).resolve().relative_to(Path(top.stdout.decode().strip()).resolve())
    marker = _git(root, "show", f"{sha}:{(prefix / MARKER).as_posix()}")
    given = dict(DEFAULTS)
    if marker.returncode == 0:
        import yaml

        data = yaml.safe_load(marker.stdout) or {}
        given.update({k: str(v) for k, v in data.items() if k in given and isinstance(v, str)})
    paths = [(prefix / given[k]).as_posix() for k in ("content", "templates")]
    listed = _git(root, "ls-tree", "-d", "--name-only", sha, "--", *paths)
    present = set(listed.stdout.decode().split())
    if (prefix / given["content"]).as_posix() not in present:
        raise UsageError(f"--since {rev}: the project has no {given['content']}/ at "
                         f"{sha[:12]}")
    archive = _git(Path(top.stdout.decode().strip()), "archive", "--format=tar", sha, "--",
                   *[p for p in paths if p in present])
    if archive.returncode != 0:
        raise UsageError(f"--since {rev}: git archive failed: "
                         f"{archive.stderr.decode().strip()}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(tmp, filter="data")
    templates = tmp / prefix / given["templates"]
    short = sha[:12]
    label = rev if rev.startswith(short[:7]) else f"{rev} ({short[:7]})"
    return Old(label, tmp / prefix / given["content"],
               templates if templates.is_dir() else None, "git")
