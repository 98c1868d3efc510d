"""Will Word open this DOCX as it is? An independent answer from openxml-audit: the OOXML
schemas, the Open XML SDK's semantic rules, and the Word app-compat rules that predict its
"unreadable content" repair dialog.

Every DOCX the tests build goes through :func:`check_docx`: the ``built`` outputs in
test_docx_valid.py, and anything a test's build leaves in its ``tmp_path`` through the hook
in conftest.py (:func:`check_built`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path


def _validate(path: Path):
    from openxml_audit import FileFormat, OpenXmlValidator

    # Office 2019: the validator's default, as issue 11 ran it (Microsoft 365 finds the
    # same). A fresh validator per file: 0.8.0 caches cross-part lookups (footnote ids,
    # counts) under id(package), which a later package may be given, so a shared instance
    # reports another file's footnotes as missing, or misses a file's own dangling ones.
    return OpenXmlValidator(file_format=FileFormat.OFFICE_2019, max_errors=0).validate(path)


def _lines(result) -> list[str]:
    return [f"{e.severity.value} [{e.source_class.value}, {e.error_type.value}] "
            f"{e.part_uri}{':' + e.path if e.path else ''}: {e.description}"
            for e in result.errors]


def findings(path: Path) -> list[str]:
    """Every finding for ``path``, warnings and notes included, one line each."""
    return _lines(_validate(path))


# The digests of the DOCX found clean in this session: the builds are reproducible, so
# most tests make bytes an earlier test already checked.
_CLEAN: set[str] = set()


def check_docx(path: Path) -> None:
    """Fail listing every finding (schema, semantic, app-compat, any severity), if any."""
    from openxml_audit import predict

    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest in _CLEAN:
        return
    result = _validate(path)
    if result.errors:
        raise AssertionError(f"{path}: {predict(result).headline}\n  "
                             + "\n  ".join(_lines(result)))
    _CLEAN.add(digest)


def built_docx(folder: Path) -> list[Path]:
    """Every DOCX a memo build under ``folder`` recorded in its manifest.json and left as
    it wrote it: inputs a test broke on purpose (a reference.docx that is not a zip) and
    outputs it tampered with afterwards are not memo's to answer for."""
    found = []
    for manifest in sorted(folder.rglob("manifest.json")):
        try:
            records = json.loads(manifest.read_text("utf-8"))["artifacts"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        for rec in records:
            path = manifest.parent / str(rec.get("path", ""))
            if (rec.get("format") == "docx" and path.is_file()
                    and hashlib.sha256(path.read_bytes()).hexdigest() == rec.get("sha256")):
                found.append(path)
    return found


def check_built(folder: Path) -> None:
    """:func:`check_docx` on each of :func:`built_docx`."""
    for path in built_docx(folder):
        check_docx(path)
