"""Which version of the content a DOCX was built from: what ``memo absorb`` compares a
reviewed DOCX with.

A DOCX memo builds names its content by a digest (``memo.content``,
:mod:`memo.writers.provenance`). That version is, in this order: ``--base`` when given;
the current content, when it has not moved since; the copy the build kept in its
output folder (:func:`memo.build.keep_sources`); the newest commit of the project's git
history whose content has that digest.
"""

from __future__ import annotations

import re
from pathlib import Path

from memo.errors import UsageError


class built_from:
    """The content folder the DOCX was built from, for the ``with``'s length."""

    def __init__(self, digest: str | None, content: Path, root: Path | None,
                 base: str | None, output: Path | None, files: list[str] | None = None):
        self.digest, self.content, self.root, self.base = digest, content, root, base
        self.output, self.files = output, files
        self.stack = None

    def __enter__(self):
        from contextlib import ExitStack

        from memo.revisions import resolve

        self.stack = ExitStack()
        if self.base is not None:
            old = self.stack.enter_context(resolve(self.base, self.root))
            return old.content, old.label
        if self.digest is None or self.digest == digest_of(self.content, self.files):
            return self.content, "the current content"
        kept = _kept(self.output, self.digest, self.files)
        if kept is not None:
            import tempfile

            tmp = Path(self.stack.enter_context(tempfile.TemporaryDirectory()))
            return _unpack(kept, tmp / "content"), "the content it was built from"
        found = _in_history(self.digest, self.content, self.root, self.files)
        if found is None:
            raise UsageError(
                "the DOCX was built from content that is neither the current one nor any "
                "commit of the project's history: give the version with --base REV or "
                "--base DIR")
        old = self.stack.enter_context(resolve(found, self.root))
        return old.content, f"commit {found[:12]}"

    def __exit__(self, *exc):
        self.stack.close()


def _kept(output: Path | None, digest: str, files: list[str] | None) -> Path | None:
    """The build's own copy of the content whose ``files`` have ``digest``
    (memo.build.keep_sources), the newest first."""
    import zipfile

    from memo.build import SNAPSHOTS
    from memo.writers.provenance import content_digest

    if output is None or not re.fullmatch(r"[0-9a-f]{64}", digest):
        return None
    folder = output / SNAPSHOTS
    exact = folder / f"{digest}.zip"
    if exact.is_file():
        return exact
    kept = sorted(folder.glob("*.zip"), key=lambda p: p.stat().st_mtime, reverse=True) \
        if folder.is_dir() else []
    for path in kept:  # named by the whole content's digest: a DOCX's is of its files
        try:
            with zipfile.ZipFile(path) as z:
                names = [(n, z.read(n)) for n in z.namelist() if n.endswith(".yaml")]
        except (zipfile.BadZipFile, OSError):
            continue
        if content_digest(names, files) == digest:
            return path
    return None


def _unpack(archive: Path, folder: Path) -> Path:
    import zipfile

    from memo.revisions import _inside

    with zipfile.ZipFile(archive) as z:
        for name in z.namelist():
            target = _inside(folder, name)
            if target is None or not name.endswith(".yaml"):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(z.read(name))
    return folder


def digest_of(content: Path, files: list[str] | None = None) -> str:
    from memo.build import _sources
    from memo.writers.provenance import content_digest

    return content_digest(_sources(content), files)


def _in_history(digest: str, content: Path, root: Path | None,
                only: list[str] | None) -> str | None:
    """The newest commit whose content folder has ``digest`` (the last 500 touching it)."""
    import subprocess

    if root is None:
        return None

    def git(*args, data=None):
        return subprocess.run(["git", "-C", str(root), *args], input=data,
                              capture_output=True, timeout=120)

    top = git("rev-parse", "--show-toplevel")
    if top.returncode != 0:
        return None
    rel = Path(content).resolve().relative_to(Path(top.stdout.decode().strip()).resolve())
    log = git("log", "--format=%H", "-n", "500", "--", rel.as_posix())
    from memo.review import FILE as REVIEW
    from memo.writers.provenance import content_digest

    for sha in log.stdout.decode().split():
        tree = git("ls-tree", "-r", sha, "--", rel.as_posix()).stdout.decode()
        blobs = [(line.split("\t", 1)[1], line.split()[2]) for line in tree.splitlines()
                 if line.endswith(".yaml") and "\t" in line]
        files = []
        for name, blob in blobs:
            data = git("cat-file", "blob", blob).stdout
            inner = Path(name).relative_to(rel).as_posix()
            if not any(part.startswith(".") for part in Path(inner).parts) and \
                    inner != REVIEW:
                files.append((inner, data))
        if content_digest(files, only) == digest:
            return sha
    return None
