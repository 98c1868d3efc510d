"""Release artifacts: the whole matrix as one archive that anyone can check.

``memo release`` builds every declared variant (PDF/A-3b, carrying the memo's content
files) into ``dist/memo-<version>/``, or merges CI shards that did; adds to
``manifest.json`` what made them (memo's and the libraries' versions, the hash of all
inputs, the PDF variant, the date); writes ``SHA256SUMS`` in the format
``sha256sum -c`` reads; and packs the folder into ``dist/memo-<version>.zip`` with its
entries in a fixed order and fixed timestamps. The same inputs give the same bytes, so
two releases of one commit have the same ``SHA256SUMS``.

``memo verify`` takes a release (folder or archive), checks it against its own
``SHA256SUMS``, rebuilds it from the current content with the settings its manifest
records, and compares file by file.
"""

from __future__ import annotations

import hashlib
import json
import platform
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from memo import clearance as clearing
from memo.errors import MemoError, UsageError, display_path
from memo.output import (
    MANIFEST,
    atomic_write,
    manifest_doc,
    merge,
    read_manifest,
    reproducible_zip,
    shard_settings,
)
from memo.theme import Theme, as_theme

SUMS = "SHA256SUMS"
RELEASE_PDF = "pdf/a-3b"
VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$")
KEEP = {MANIFEST, SUMS}


@dataclass
class Release:
    version: str
    folder: Path
    archive: Path
    files: list[str]
    sha256: str


def git_version(where: Path) -> str | None:
    """``git describe --tags --always --dirty`` for the repository holding ``where``: the
    tag on a tagged commit, else the nearest tag and distance, else the short hash."""
    try:
        proc = subprocess.run(["git", "describe", "--tags", "--always", "--dirty"],
                              cwd=where, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    version = proc.stdout.strip()
    return version if proc.returncode == 0 and version else None


def release(content: Path, templates: Theme | Path | None, dist: Path, *,
            version: str | None = None,
            jobs: int | None = None, source_date: int | None = None,
            shards: Iterable[Path] = (), progress: Callable = lambda o, i, n: None,
            allow_draft: bool = False, allow_uncleared: bool = False) -> Release:
    """Build (or merge ``shards`` into) ``dist/memo-<version>/`` and pack it.

    Refused (:class:`~memo.errors.UsageError`, nothing written) for a memo whose status
    is draft unless ``allow_draft``, and while a required clearance is pending or
    refused unless ``allow_uncleared``; the manifest records both."""
    from memo.build import build, iso_date
    from memo.cache import Inputs, library_versions

    theme = as_theme(templates)
    version = version or git_version(content.resolve().parent)
    if not version:
        raise UsageError("no version: not in a git repository with commits; pass --version")
    if not VERSION.match(version):
        raise UsageError(f"--version {version!r}: use letters, digits and . _ + - only")
    project = _releasable(content, allow_draft, allow_uncleared)
    name = f"memo-{version}"
    folder = dist / name
    shards = [Path(s) for s in shards]
    for where, settings in zip(shards, shard_settings(shards), strict=True):
        if settings.get("pdf_variant") != RELEASE_PDF:
            raise UsageError(f"{display_path(where)} was not built for a release: build "
                             f"each shard with --pdf-variant {RELEASE_PDF}")
        source_date = settings.get("source_date")
    created = iso_date(source_date) if source_date is not None else None
    inputs = Inputs(content, theme, folder, settings=f"{RELEASE_PDF};{created}")
    if shards:
        for where in shards:  # the manifest will vouch for these inputs: they must match
            if _shard_inputs(where) != inputs.everything:
                raise MemoError(f"{display_path(where)} was built from other content, "
                                "templates or versions than this checkout's; rebuild it")
        _clear(folder)
        merge(shards, folder)
    else:
        result = build(content, theme, folder, pdf_variant=RELEASE_PDF,
                       source_date=source_date, jobs=jobs, progress=progress)
        if not result.ok:
            failed = ", ".join(f.variant for f in result.failures)
            raise MemoError(f"no release: {failed} failed\n" + "\n".join(
                f"failed: {f.variant}: {f.message}" for f in result.failures))
        _prune(folder, {a.path for a in result.artifacts})

    arts = read_manifest(folder)
    doc = {
        "release": {
            "version": version,
            "pdf_variant": RELEASE_PDF,
            "source_date": source_date,
            "inputs": inputs.everything,
            "status": project.memo.status,
            "clearance": clearing.state(project.memo.clearance, project.review),
            "tools": {"python": platform.python_version(),
                      **dict(v.split("=", 1) for v in library_versions().split(";"))},
        },
        "artifacts": arts,
    }
    atomic_write(folder / MANIFEST,
                 (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode())
    files = sorted([a["path"] for a in arts] + [MANIFEST])
    sums = "".join(f"{_sha256(folder / f)}  {f}\n" for f in files)
    atomic_write(folder / SUMS, sums.encode())
    archive = dist / f"{name}.zip"
    stamp = _zip_time(source_date)
    atomic_write(archive, _zip(folder, name, files + [SUMS], stamp))
    return Release(version, folder, archive, files + [SUMS], _sha256(archive))


def _releasable(content: Path, allow_draft: bool, allow_uncleared: bool):
    """The project, once its status and clearance allow a release."""
    from memo.content import load_project

    project = load_project(content)
    memo_yaml = display_path(content / "memo.yaml")
    if project.memo.status == "draft" and not allow_draft:
        raise UsageError(f"no release: {memo_yaml} says status: draft; set status: final "
                         "once it is cleared, or give --allow-draft")
    left = clearing.outstanding(project.memo.clearance)
    if left and not allow_uncleared:
        raise UsageError(f"no release: {memo_yaml}: clearance outstanding from " + ", ".join(
            f"{c.office} ({c.status})" for c in left) + "; see memo clearance, or give "
            "--allow-uncleared")
    return project


def _shard_inputs(folder: Path) -> str | None:
    shard = manifest_doc(folder).get("shard")
    return shard.get("inputs") if isinstance(shard, dict) else None


def _clear(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)


def _prune(folder: Path, keep: set[str]) -> None:
    """Remove what an earlier release left that this one does not hold."""
    for path in folder.iterdir():
        if path.is_file() and path.name not in keep | KEEP and not path.name.startswith("."):
            path.unlink()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _zip_time(source_date: int | None) -> datetime:
    """Every entry's timestamp: the release's date (the zip epoch, 1980, without one)."""
    if source_date is not None:
        return datetime.fromtimestamp(source_date, timezone.utc)
    return datetime(1980, 1, 1, tzinfo=timezone.utc)


def _zip(folder: Path, name: str, files: list[str], when: datetime) -> bytes:
    """The folder as a zip: entries under ``name/``, sorted."""
    return reproducible_zip(((f"{name}/{f}", (folder / f).read_bytes()) for f in sorted(files)),
                            when)


# --- verify ----------------------------------------------------------------------------

@dataclass
class Check:
    file: str
    status: str  # ok, differs, corrupt, missing, not rebuilt, new
    detail: str = ""


@dataclass
class Verdict:
    release: str
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.status == "ok" for c in self.checks)


def verify(target: Path, content: Path, templates: Theme | Path | None, *,
           jobs: int | None = None) -> Verdict:
    """Check a release folder or archive against itself and against a fresh build.

    A file that differs is explained where the manifests can tell why: a font file that
    is not the one the release was made with, or another version of memo or of a
    library that shapes the bytes.
    """
    from memo.build import build
    from memo.cache import library_versions

    with tempfile.TemporaryDirectory(prefix="memo-verify-") as tmp:
        folder = _unpack(target, Path(tmp)) if target.is_file() else target
        doc = _release_doc(folder)
        verdict = Verdict(doc["release"].get("version", "?"))
        verdict.checks += _check_sums(folder)
        rebuilt = Path(tmp) / "rebuilt"
        result = build(content, templates, rebuilt, pdf_variant=doc["release"]["pdf_variant"],
                       source_date=doc["release"].get("source_date"), jobs=jobs, force=True)
        fresh = {a.path: a for a in result.artifacts}
        failed = {f.variant: f.message for f in result.failures}
        tools = tool_changes(doc["release"].get("tools"), library_versions())
        for art in doc["artifacts"]:
            path = art["path"]
            if path in fresh:
                new = fresh.pop(path)
                if new.sha256 == art["sha256"]:
                    verdict.checks.append(Check(path, "ok"))
                else:
                    why = font_changes(art.get("fonts"), new.fonts) + tools + \
                        carried_changes(folder / path, rebuilt / path)
                    verdict.checks.append(Check(path, "differs", "; ".join(why)))
            elif art.get("variant") in failed:
                verdict.checks.append(Check(path, "not rebuilt", failed[art["variant"]]))
            else:
                verdict.checks.append(Check(path, "not rebuilt",
                                            "the content no longer declares this variant"))
        verdict.checks += [Check(p, "new", "the content now declares it; the release lacks it")
                           for p in sorted(fresh)]
    return verdict


def font_changes(then: list[dict] | None, now: list[dict] | None) -> list[str]:
    """How the font files of a release's artifact and of its rebuild differ, in words."""
    if then is None:
        return []  # a release made before memo recorded its fonts
    old = {r.get("name", "?"): r for r in then if isinstance(r, dict)}
    new = {r.get("name", "?"): r for r in now or () if isinstance(r, dict)}
    out = [f"font {name}: the release used {_font(old[name])}, this machine has "
           f"{_font(new[name])}" for name in sorted(old.keys() & new.keys())
           if old[name].get("sha256") != new[name].get("sha256")]
    gone, came = sorted(old.keys() - new.keys()), sorted(new.keys() - old.keys())
    if gone or came:
        out.append("fonts: " + "; ".join(x for x in (
            f"the release used {', '.join(gone)}" if gone else "",
            f"this machine used {', '.join(came)}" + (" instead" if gone else "")
            if came else "") if x))
    return out


def carried_changes(then: Path, now: Path) -> list[str]:
    """Which content files a release's PDF carries that its rebuild does not, or the
    reverse, in words (memo hands an audience with a ``release`` limit only the files
    within it, where a release made before 2026-12-02 carried them all)."""
    if then.suffix != ".pdf":
        return []
    from memo.writers.pdf import attached

    try:
        old, new = set(attached(then.read_bytes())), set(attached(now.read_bytes()))
    except Exception:  # a file pypdf cannot read: the hashes have said it differs
        return []
    out = []
    if old - new:
        out.append(f"the release carries {', '.join(sorted(old - new))}, which a rebuild "
                   "does not (an audience with a release limit is handed only the files "
                   "within it)")
    if new - old:
        out.append(f"a rebuild carries {', '.join(sorted(new - old))}, which the release "
                   "does not")
    return out


def _font(rec: dict) -> str:
    version = (rec.get("version") or "no version").split(";")[0]
    return f"{rec.get('file') or '?'} {version} (sha256 {str(rec.get('sha256'))[:12]}…)"


def tool_changes(then: dict | None, now: str) -> list[str]:
    """memo and the output libraries: the release's versions against this machine's."""
    if not isinstance(then, dict):
        return []
    here = dict(v.split("=", 1) for v in now.split(";"))
    return [f"{name} {then[name]} made the release, this machine has {version}"
            for name, version in here.items() if name in then and then[name] != version]


def _unpack(archive: Path, into: Path) -> Path:
    try:
        with zipfile.ZipFile(archive) as z:
            names = z.namelist()
            tops = {n.split("/", 1)[0] for n in names}
            if len(tops) != 1 or any(".." in Path(n).parts or n.startswith("/") for n in names):
                raise MemoError(f"{display_path(archive)}: not a memo release archive "
                                "(one memo-<version>/ folder expected)")
            z.extractall(into)
    except zipfile.BadZipFile as exc:
        raise MemoError(f"{display_path(archive)}: not a zip archive ({exc})") from None
    return into / tops.pop()


def _release_doc(folder: Path) -> dict:
    doc = manifest_doc(folder, required=True)
    if not isinstance(doc.get("release"), dict) \
            or not isinstance(doc.get("artifacts"), list):
        raise UsageError(f"{display_path(folder)}: not a release (its {MANIFEST} has no "
                         "release section); make one with memo release")
    return doc


def _check_sums(folder: Path) -> list[Check]:
    """The release against its own SHA256SUMS, as ``sha256sum -c`` would check it."""
    try:
        lines = (folder / SUMS).read_text("utf-8").splitlines()
    except OSError:
        return [Check(SUMS, "missing")]
    checks = []
    for line in lines:
        digest, _, name = line.partition("  ")
        try:
            actual = _sha256(folder / name)
        except OSError:
            checks.append(Check(name, "missing", f"listed in {SUMS}"))
            continue
        if actual != digest:
            checks.append(Check(name, "corrupt", f"does not match {SUMS}"))
    return checks
