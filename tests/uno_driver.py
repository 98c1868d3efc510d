"""LibreOffice as an independent editor of our DOCX files, through its UNO API.

Run by the tests with Debian's own Python (``/usr/bin/python3``), which has ``uno``
(python3-uno), not with the project's virtual environment. One process starts a
headless soffice on a private pipe and profile, does one command, prints JSON:

    uno_driver.py PROFILE redlines FILE       the tracked changes LibreOffice sees
    uno_driver.py PROFILE text FILE [MODE]    the text (body and notes), after accepting
                                              or rejecting every change (MODE accept,
                                              reject) or as it stands (none)

A fresh profile makes soffice restart itself once, so the profile is made first with
``--terminate_after_init``; a leftover lock file beside FILE would make loading return
nothing, so FILE is copied into a folder of its own first.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import uno  # noqa: F401  (python3-uno: makes the com.sun.star modules importable)
from com.sun.star.beans import PropertyValue


def _prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def start(profile: Path):
    profile.mkdir(parents=True, exist_ok=True)
    url = profile.resolve().as_uri()
    if not (profile / "user").exists():
        subprocess.run(["soffice", f"-env:UserInstallation={url}", "--headless",
                        "--terminate_after_init"], capture_output=True, timeout=120)
    pipe = f"memo{os.getpid()}"
    proc = subprocess.Popen(["soffice", f"-env:UserInstallation={url}", "--headless",
                             "--invisible", "--nologo", "--norestore",
                             f"--accept=pipe,name={pipe};urp;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(120):
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:  # not listening yet
            time.sleep(0.5)
    else:
        proc.kill()
        raise SystemExit("soffice did not start")
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    return proc, ctx, desktop


def load(desktop, path: Path):
    url = path.resolve().as_uri()
    doc = desktop.loadComponentFromURL(url, "_blank", 0, (_prop("Hidden", True),))
    if doc is None:
        raise SystemExit(f"LibreOffice could not open {path}")
    return doc


def redlines(doc) -> dict:
    items = []
    enum = doc.getRedlines().createEnumeration()
    while enum.hasMoreElements():
        r = enum.nextElement()
        items.append({"type": r.RedlineType, "author": r.RedlineAuthor})
    return {"count": len(items), "items": items}


def text(ctx, doc, mode: str) -> dict:
    if mode in ("accept", "reject"):
        dispatcher = ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.DispatchHelper", ctx)
        frame = doc.getCurrentController().getFrame()
        command = ".uno:AcceptAllTrackedChanges" if mode == "accept" \
            else ".uno:RejectAllTrackedChanges"
        dispatcher.executeDispatch(frame, command, "", 0, ())
    paras = []
    enum = doc.getText().createEnumeration()
    while enum.hasMoreElements():
        el = enum.nextElement()
        if el.supportsService("com.sun.star.text.Paragraph"):
            paras.append(el.getString())
    notes = [doc.getFootnotes().getByIndex(i).getString()
             for i in range(doc.getFootnotes().getCount())]
    return {"paragraphs": paras, "notes": notes}


def main(argv: list[str]) -> None:
    profile, command, file, *rest = argv
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / Path(file).name
        shutil.copy(file, copy)
        proc, ctx, desktop = start(Path(profile))
        try:
            doc = load(desktop, copy)
            if command == "redlines":
                out = redlines(doc)
            elif command == "text":
                out = text(ctx, doc, rest[0] if rest else "none")
            else:
                raise SystemExit(f"unknown command {command}")
            doc.close(True)
        finally:
            try:
                desktop.terminate()
            except Exception:  # the bridge goes as soffice quits
                pass
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1:])
