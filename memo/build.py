"""Build variants: render each audience once, run every writer on it, write atomically.

A variant is an audience in a language; an artifact is a variant in one format, written
to ``<out>/<audience>-<lang>.<ext>``. Every file is written to a temporary name in the
output folder and renamed into place, so a failed or interrupted build never leaves a
half-written file, and the files of the last good build stay until replaced.
``manifest.json`` lists what the folder holds, with hashes.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import traceback
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from memo.errors import MemoError, UsageError, display_path
from memo.writers import FORMATS

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
    pages: int | None = None

    def record(self) -> dict:
        rec = asdict(self)
        if rec["pages"] is None:
            del rec["pages"]
        return rec


@dataclass
class Failure:
    variant: str
    format: str
    message: str


@dataclass
class Result:
    out: Path
    artifacts: list[Artifact] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def select(available: Iterable[str], wanted: Iterable[str], what: str) -> list[str]:
    """``wanted`` checked against ``available`` (all of them when nothing is wanted)."""
    available, wanted = list(available), list(dict.fromkeys(wanted))
    unknown = [w for w in wanted if w not in available]
    if unknown:
        raise UsageError(f"unknown {what} {', '.join(map(repr, unknown))}; "
                         f"available: {', '.join(available)}")
    return wanted or available


def build(content: Path, templates: Path, out: Path, *, audiences: Iterable[str] = (),
          formats: Iterable[str] = (), log: Callable[[str], None] = lambda s: None) -> Result:
    """Build the chosen audiences and formats (all by default) from ``content`` into ``out``.

    Raises :class:`~memo.errors.ContentError` (nothing written) when the content or the
    profiles are invalid; writer failures are collected in ``Result.failures`` and the
    other artifacts are still written.
    """
    from memo import render as rendering
    from memo.content import load_project
    from memo.writers import writer

    project = load_project(content)
    rendering.check_templates(project, templates)
    chosen = select(project.audiences, audiences, "audience")
    fmts = select(FORMATS, formats, "format")
    _check_out(out)

    result = Result(out)
    lang = project.memo.lang
    for audience in chosen:
        variant = f"{audience}-{lang}"
        try:
            doc = rendering.render(project, audience, templates, lang)
        except MemoError as exc:
            result.failures += [Failure(variant, f, str(exc)) for f in fmts]
            continue
        for fmt in fmts:
            try:
                output = writer(fmt)(doc, templates)
            except MemoError as exc:
                result.failures.append(Failure(variant, fmt, str(exc)))
                continue
            except Exception as exc:  # a bug in a writer: say so, keep building the rest
                detail = traceback.format_exc() if os.environ.get("MEMO_DEBUG") else ""
                result.failures.append(Failure(
                    variant, fmt, f"internal error: {type(exc).__name__}: {exc}\n{detail}"
                    .rstrip()))
                continue
            name = f"{variant}.{fmt}"
            atomic_write(out / name, output.data)
            art = Artifact(name, variant, audience, lang, fmt,
                           hashlib.sha256(output.data).hexdigest(), len(output.data),
                           output.pages)
            result.artifacts.append(art)
            log(_describe(out / name, art))
    write_manifest(out, result.artifacts)
    return result


def _describe(path: Path, art: Artifact) -> str:
    pages = f"{art.pages} page{'s' if art.pages != 1 else ''}, " if art.pages else ""
    return f"wrote {display_path(path)} ({pages}{art.bytes / 1024:.0f} KiB)"


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {display_path(out)} exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MemoError(f"cannot create {display_path(out)}: {exc.strerror}") from None


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` by way of a temporary file in the same folder and a rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise MemoError(f"cannot write {display_path(path)}: {exc.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_manifest(out: Path) -> list[dict]:
    try:
        data = json.loads((out / MANIFEST).read_text("utf-8"))
        return [a for a in data["artifacts"] if isinstance(a, dict) and "path" in a]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def write_manifest(out: Path, built: list[Artifact]) -> None:
    """Merge what this build wrote into the manifest; keep entries whose files still exist."""
    entries = {a["path"]: a for a in read_manifest(out) if (out / a["path"]).is_file()}
    entries.update({a.path: a.record() for a in built})
    doc = {"artifacts": [entries[k] for k in sorted(entries)]}
    atomic_write(out / MANIFEST, (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode())
