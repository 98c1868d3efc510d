"""The output folder: atomic writes, ``manifest.json``, and merging shard folders.

Every file is written to a temporary name in the output folder and renamed into place,
so a failed or interrupted build never leaves a half-written file. ``manifest.json``
lists what the folder holds: one :class:`Artifact` per file, with its hash, size, page
and word counts, the hash of its inputs (:mod:`memo.cache`) and the font files it was
made with (:mod:`memo.fonts`).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from memo.errors import MemoError, UsageError, display_path

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Artifact:
    path: str
    variant: str
    audience: str
    lang: str
    format: str
    sha256: str
    bytes: int
    words: int
    inputs: str
    pages: int | None = None
    fonts: list[dict] | None = None  # memo.fonts.FontFile records: what the bytes used
    redline: dict | None = None  # a redline's: {"since": what it compares with, "changes"}
    marking: str | None = None  # the variant's derived marking, as a portion mark: SBU//NF
    status: str | None = None  # the memo's: draft or final
    reads: list[str] | None = None  # the content files ``inputs`` hashes (memo.reads)

    def record(self) -> dict:
        rec = asdict(self)
        for optional in ("pages", "fonts", "redline", "marking", "status", "reads"):
            if rec[optional] is None:
                del rec[optional]
        return rec


LOCK = ".memo.lock"


@contextmanager
def locked(out: Path):
    """Hold ``out`` for one writer: a second build into the same folder fails at once,
    rather than the two interleaving their files and manifests. Temporary files that a
    killed build left behind are swept while the lock is held."""
    import fcntl

    check_out(out)
    try:
        fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise MemoError(f"cannot write {display_path(out / LOCK)}: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise MemoError(f"another memo is writing to {display_path(out)}/ right now; "
                            "wait for it to finish, or build into another --out") from None
        for stale in out.glob(".*.tmp"):
            stale.unlink(missing_ok=True)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {display_path(out)} exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MemoError(f"cannot create {display_path(out)}: {exc.strerror}") from None


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` by way of a temporary file in the same folder and a rename."""
    # named before it is made, so that an interrupt between the two (Ctrl-C inside
    # mkstemp's open, say) cannot leave a file this function does not know to remove
    tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        if not isinstance(exc, FileExistsError):  # that name was another's: not ours to remove
            tmp.unlink(missing_ok=True)
        raise MemoError(f"cannot write {display_path(path)}: {exc.strerror}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def reproducible_zip(entries: Iterable[tuple[str, bytes]], when: datetime) -> bytes:
    """A zip of ``entries`` (name, bytes), in the order given, that two runs write alike:
    every entry stamped ``when`` (zip cannot go before 1980), a regular file readable by
    all (0o100644, as made on Unix), deflated at level 9. The DOCX writer and the
    release archive both write their zips here."""
    import io
    import zipfile

    when = max(when, datetime(1980, 1, 1, tzinfo=timezone.utc))
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever machine made it
            info.external_attr = 0o100644 << 16
            z.writestr(info, data, compresslevel=9)
    return buf.getvalue()


def manifest_doc(folder: Path, *, required: bool = False) -> dict:
    """``folder``'s manifest.json as a mapping: the one reader of manifests. Absent or
    unreadable, it is ``{}``, or, when ``required``, a UsageError naming the folder."""
    try:
        data = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        if required:
            raise UsageError(f"{display_path(folder)}: no readable {MANIFEST} ({exc})") \
                from None
        return {}
    return data if isinstance(data, dict) else {}


def read_manifest(out: Path) -> list[dict]:
    arts = manifest_doc(out).get("artifacts")
    return [a for a in arts if isinstance(a, dict) and isinstance(a.get("path"), str)] \
        if isinstance(arts, list) else []


def write_manifest(out: Path, built: list[Artifact], shard: dict | None = None) -> None:
    """Merge what this build wrote into the manifest; keep entries whose files still exist.
    A shard's manifest also says which shard it is and of what plan, for :func:`merge`."""
    entries = {a["path"]: a for a in read_manifest(out) if (out / a["path"]).is_file()}
    entries.update({a.path: a.record() for a in built})
    doc: dict[str, Any] = {"artifacts": [entries[k] for k in sorted(entries)]}
    if shard:
        doc["shard"] = shard
    atomic_write(out / MANIFEST, (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode())


def shard_record(shard: tuple[int, int] | None, inputs: str, plan: list[str],
                 settings: dict) -> dict | None:
    """What a shard's manifest says of it: which of how many, of what plan, from what
    inputs, built how (``settings``: the PDF variant, the date); :func:`merge` checks the
    shards against each other with it."""
    if not shard:
        return None
    return {"index": shard[0], "count": shard[1], "inputs": inputs, "plan": plan,
            "settings": settings}


def shard_settings(folders: Iterable[Path]) -> list[dict]:
    """The ``settings`` each folder's shard record gives ({} when it has none)."""
    out = []
    for folder in folders:
        shard = manifest_doc(Path(folder)).get("shard")
        out.append(shard.get("settings") or {} if isinstance(shard, dict) else {})
    return out


def merge(folders: Iterable[Path], out: Path) -> list[Artifact]:
    """Copy the artifacts of several output folders (CI shards) into ``out`` and merge
    their manifests, checking everything before writing anything: each file against its
    manifest's hash; shards against each other (same inputs and plan, every shard once,
    every planned variant present); two folders disagreeing about one file is an error."""
    chosen: dict[str, tuple[Path, Artifact]] = {}
    shards: list[tuple[Path, Any]] = []
    for folder in map(Path, folders):
        where = display_path(folder / MANIFEST)
        if not (folder / MANIFEST).is_file():
            raise UsageError(f"{display_path(folder)}: no {MANIFEST}; is it a memo output folder?")
        doc = manifest_doc(folder)
        if not isinstance(doc.get("artifacts"), list):
            raise MemoError(f"{where}: not a memo manifest (no list of artifacts)")
        shards.append((folder, doc.get("shard")))
        for rec in doc["artifacts"]:
            try:
                art = Artifact(**rec)
                if not isinstance(art.path, str) or Path(art.path).name != art.path \
                        or art.path.startswith("."):
                    raise TypeError(f"bad path {art.path!r}")
            except TypeError as exc:
                raise MemoError(f"{where}: a bad artifact entry ({exc})") from None
            src = folder / art.path
            try:
                digest = hashlib.sha256(src.read_bytes()).hexdigest()
            except OSError as exc:
                raise MemoError(f"cannot read {display_path(src)}: {exc.strerror}") from None
            if digest != art.sha256:
                raise MemoError(f"{display_path(src)} does not match its manifest's sha256")
            seen = chosen.get(art.path)
            if seen and seen[1] != art:
                raise MemoError(f"{art.path} differs between {display_path(seen[0])} and "
                                f"{display_path(folder)}")
            chosen[art.path] = (folder, art)
    _check_shards(shards, {a.variant for _, a in chosen.values()})
    with locked(out):
        for name, (folder, _) in sorted(chosen.items()):
            if (folder / name).resolve() != (out / name).resolve():
                atomic_write(out / name, (folder / name).read_bytes())
        arts = [a for _, a in chosen.values()]
        write_manifest(out, arts)
    return arts


def _check_shards(shards: list[tuple[Path, Any]], variants: set[str]) -> None:
    marked = [(f, s) for f, s in shards if s]
    if not marked:
        return
    if len(marked) != len(shards):
        plain = next(display_path(f) for f, s in shards if not s)
        raise MemoError(f"{plain} was not built with --shard; merge shards with shards only")
    first = marked[0][1]
    for folder, s in marked:
        if not isinstance(s, dict) or any(s.get(k) != first.get(k)
                                          for k in ("count", "inputs", "plan")):
            raise MemoError(f"{display_path(folder)} was built from other inputs or another "
                            f"plan than {display_path(marked[0][0])}; rebuild the shards "
                            "from the same commit")
    count = first.get("count")
    given = sorted(s.get("index") for _, s in marked)
    if given != list(range(1, count + 1)):
        lacking = sorted(set(range(1, count + 1)) - set(given))
        twice = sorted({i for i in given if given.count(i) > 1})
        raise MemoError("shards do not add up: " + "; ".join(
            x for x in (f"missing {', '.join(f'{i}/{count}' for i in lacking)}" if lacking
                        else "", f"given twice {', '.join(f'{i}/{count}' for i in twice)}"
                        if twice else "") if x))
    absent = [v for v in first.get("plan", []) if v not in variants]
    if absent:
        raise MemoError(f"no files for {', '.join(absent)}: did a shard fail?")
