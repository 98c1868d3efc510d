"""LibreOffice as an independent editor of our DOCX files, through its UNO API.

Run by the tests with Debian's own Python (``/usr/bin/python3``), which has ``uno``
(python3-uno), not with the project's virtual environment. One process starts a
headless soffice on a private pipe and profile, does one command, prints JSON:

    uno_driver.py PROFILE redlines FILE       the tracked changes LibreOffice sees
    uno_driver.py PROFILE text FILE [MODE]    the text (body and notes), after accepting
                                              or rejecting every change (MODE accept,
                                              reject) or as it stands (none)
    uno_driver.py PROFILE review FILE OUT OPS  edit FILE as a reviewer does, with change
                                              recording on, and save it as DOCX to OUT;
                                              OPS is JSON: [{"author": NAME}, {"replace":
                                              OLD, "with": NEW}, {"delete": TEXT},
                                              {"after": TEXT, "insert": NEW},
                                              {"comment": TEXT, "on": WORDS}]

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
from com.sun.star.util import DateTime


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


def set_author(ctx, name: str) -> None:
    """The name LibreOffice records changes and comments under."""
    provider = ctx.ServiceManager.createInstanceWithContext(
        "com.sun.star.configuration.ConfigurationProvider", ctx)
    access = provider.createInstanceWithArguments(
        "com.sun.star.configuration.ConfigurationUpdateAccess",
        (_prop("nodepath", "/org.openoffice.UserProfile/Data"),))
    given, _, family = name.partition(" ")
    access.setPropertyValue("givenname", given)
    access.setPropertyValue("sn", family)
    access.commitChanges()


def find(doc, text: str):
    sd = doc.createSearchDescriptor()
    sd.SearchString = text
    found = doc.findFirst(sd)
    if found is None:
        raise SystemExit(f"not in the document: {text!r}")
    return found


def review(ctx, doc, ops: list, out: Path) -> dict:
    doc.setPropertyValue("RecordChanges", True)
    done = []
    author = "Reviewer"
    for op in ops:
        if "author" in op:
            author = op["author"]
            set_author(ctx, author)
        elif "replace" in op:
            find(doc, op["replace"]).setString(op["with"])
        elif "delete" in op:
            find(doc, op["delete"]).setString("")
        elif "after" in op:
            at = find(doc, op["after"])
            at.getText().insertString(at.getEnd(), op["insert"], False)
        elif "comment" in op:
            at = find(doc, op["on"])
            note = doc.createInstance("com.sun.star.text.textfield.Annotation")
            note.setPropertyValue("Content", op["comment"])
            note.setPropertyValue("Author", op.get("by") or author)
            note.setPropertyValue("Initials", "".join(w[0] for w in (op.get("by") or author).split()))
            when = DateTime()
            when.Year, when.Month, when.Day, when.Hours = 2021, 2, 10, 9
            note.setPropertyValue("DateTimeValue", when)
            mode = op.get("mode", "range")
            if mode == "point":
                at.getText().insertTextContent(at.getStart(), note, False)
            else:
                at.getText().insertTextContent(at, note, True)
        elif "resolve" in op:  # a comment already there, by its text
            fields = doc.getTextFields().createEnumeration()
            while fields.hasMoreElements():
                f = fields.nextElement()
                if f.supportsService("com.sun.star.text.textfield.Annotation") and \
                        f.getPropertyValue("Content") == op["resolve"]:
                    f.setPropertyValue("Resolved", True)
        done.append(op)
    doc.storeToURL(out.resolve().as_uri(), (_prop("FilterName", "MS Word 2007 XML"),))
    return {"done": len(done)}


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
            elif command == "review":
                out = review(ctx, doc, json.loads(Path(rest[1]).read_text("utf-8")),
                             Path(rest[0]))
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
