"""``memo new``: a memo project to start from, with one short example of every kind of
entry and comments that explain the fields. ``memo check`` passes on it as it stands and
``memo build --content DIR`` builds it, so a writer edits a working memo from the start.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from memo.errors import MemoError, UsageError, display_path

SKELETON = Path(__file__).parent / "skeleton"


def new(folder: Path, title: str, today: dt.date | None = None) -> list[Path]:
    """Write the skeleton into ``folder`` (which must not exist or be empty)."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(f"{display_path(folder)} already exists and is not empty; "
                         "choose a new folder")
    if not title.strip() or any(ord(c) < 32 for c in title):
        raise UsageError("--title must be one line of text")
    fields = {"{title}": json.dumps(title.strip(), ensure_ascii=False),
              "{date}": (today or dt.date.today()).isoformat()}
    written = []
    try:
        for src in sorted(SKELETON.rglob("*.yaml")):
            dst = folder / src.relative_to(SKELETON)
            dst.parent.mkdir(parents=True, exist_ok=True)
            text = src.read_text("utf-8")
            for key, value in fields.items():
                text = text.replace(key, value)
            dst.write_text(text, "utf-8")
            written.append(dst)
    except OSError as exc:
        raise MemoError(f"cannot write {display_path(folder)}: {exc.strerror}") from None
    return written
