"""``memo new``: a memo project to start from, with one short example of every kind of
entry and comments that explain the fields.

The project has the shape every command looks for (:mod:`memo.project`): the marker
``memo-project.yaml``, the memo in ``content/``, and a ``.gitignore`` for what builds
write. Each content file starts with the line a YAML language server reads to find its
JSON Schema (:mod:`memo.schema`), written into ``.memo/schema/``, so an editor completes
and checks fields as the author types. ``memo check`` passes on the project as it
stands and ``memo build`` run inside it builds it, so a writer edits a working memo.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from memo import schema
from memo.errors import MemoError, UsageError, display_path
from memo.project import DEFAULTS, MARKER

SKELETON = Path(__file__).parent / "skeleton"
RENAMED = {"gitignore": ".gitignore"}  # a .gitignore would keep itself out of the wheel


def new(folder: Path, title: str, today: dt.date | None = None) -> list[Path]:
    """Write the skeleton into ``folder`` (which must not exist or be empty)."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"{display_path(folder)} already exists and is not empty; "
                         "choose a new folder")
    if not title.strip() or any(ord(c) < 32 for c in title):
        raise UsageError("--title must be one line of text")
    fields = {"{title}": json.dumps(title.strip(), ensure_ascii=False),
              "{date}": (today or dt.date.today()).isoformat()}
    content = folder / DEFAULTS["content"]
    written = []
    try:
        for src in sorted(p for p in SKELETON.rglob("*") if p.is_file()):
            rel = src.relative_to(SKELETON)
            dst = folder / RENAMED.get(rel.as_posix(), rel.as_posix())
            text = src.read_text("utf-8")
            if dst.suffix == ".yaml":
                for key, value in fields.items():
                    text = text.replace(key, value)
                name = "project" if dst.name == MARKER and dst.parent == folder else \
                    schema.name_for(dst.relative_to(content).as_posix())
                text = schema.modeline(name, dst, folder) + text
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_text(text, "utf-8")
            written.append(dst)
        written += schema.write(folder)
    except OSError as exc:
        raise MemoError(f"cannot write {display_path(folder)}: {exc.strerror}") from None
    return written
