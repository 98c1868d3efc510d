"""Where each field's text sits in a DOCX, in marks Word and LibreOffice keep.

Every DOCX memo builds says, invisibly, which content field each stretch of its text
came from, so that a reviewer's edits can go back into the YAML (:mod:`memo.absorb`):

- **A bookmark around each field's text**, named ``_m`` and the first 12 hex digits of
  the SHA-1 of the field's key (:mod:`memo.marks`: ``precedents.yaml:reagan-1983.summary``),
  with ``_2``, ``_3``… for the same field met again; a note's text is bookmarked with
  the source it cites (``sources.yaml:sources.french2021``). A bookmark is the one
  Word-native mark that any word processor keeps through editing and saving: it has no
  look and no behaviour, a name beginning with ``_`` is a *hidden* bookmark that Word's
  Bookmark dialog does not list, and a name is at most 40 characters (ECMA-376
  17.13.6.2), which ``_m`` + 12 + ``_NN`` keeps well within. A content control would
  carry the key in clear, but LibreOffice 7.4 turns most of them into fields or drops
  them on saving a DOCX.
- **Custom document properties** (``docProps/custom.xml``): ``memo.variant`` (which
  audience and language) and ``memo.content`` (the SHA-256 of the content files it was
  built from), by which :mod:`memo.absorb` finds the version to compare the reviewed
  text with. The key behind each bookmark is not written down: it is found again by
  rendering that version, so a forged bookmark names nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

PREFIX = "_m"
CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_RT = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
             "custom-properties")
_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the one ECMA-376 says custom props use


def bookmark_name(key: str, seen: dict[str, int]) -> str:
    """The bookmark of field ``key``, the n-th time it is met (``seen`` counts)."""
    n = seen[key] = seen.get(key, 0) + 1
    base = PREFIX + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]
    return base if n == 1 else f"{base}_{n}"


def note_key(cite: str) -> str:
    """A note's field: the source it cites (``data-cite`` is ``id|locator``)."""
    return f"sources.yaml:sources.{cite.split('|', 1)[0]}"


def shown_files(keys: Iterable[str], audience: str) -> list[str]:
    """The content files a DOCX is made from: those its fields come from, and those
    that shape the rest (the memo's own fields, the sources its notes cite, the
    audience's profile). A file it does not show (the caveats, in a memo without
    them) changes nothing in it, and so is not part of its ``memo.content`` digest."""
    names = {key.partition(":")[0] for key in keys}
    return sorted(names | {"memo.yaml", "sources.yaml", f"audiences/{audience}.yaml"})


def content_digest(files: Iterable[tuple[str, bytes]], only: Iterable[str] | None = None) -> str:
    """The SHA-256 of a content folder's files, by their paths inside it (of the files
    named ``only``, when given)."""
    keep = set(only) if only is not None else None
    h = hashlib.sha256()
    for name, data in sorted(files):
        if keep is not None and name not in keep:
            continue
        h.update(name.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


def set_custom_properties(word, props: dict[str, str]) -> None:
    """Write ``props`` as the document's custom properties (text values)."""
    from xml.sax.saxutils import escape, quoteattr

    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    items = "".join(
        f'<property fmtid="{_FMTID}" pid="{i}" name={quoteattr(name)}>'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for i, (name, value) in enumerate(sorted(props.items()), start=2))
    blob = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties '
            f'xmlns="{_CUSTOM_NS}" xmlns:vt="{_VT_NS}">{items}</Properties>').encode()
    package = word.part.package
    part = Part(PackURI("/docProps/custom.xml"), CUSTOM_CT, blob, package)
    package.relate_to(part, CUSTOM_RT)


def read_custom_properties(xml: bytes) -> dict[str, str]:
    """The text values of a ``docProps/custom.xml``."""
    from memo.writers.safexml import parse

    root = parse(xml)
    out = {}
    for prop in root.iterfind(f"{{{_CUSTOM_NS}}}property"):
        value = next(iter(prop), None)
        if value is not None and value.text is not None:
            out[prop.get("name") or ""] = value.text
    return out
