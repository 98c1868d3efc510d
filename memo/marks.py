"""Provenance marks: which content field each piece of a rendered memo came from.

A redline (:mod:`memo.redline`) compares two renderings field by field, so it must know
where each field's text ended up in the document, whatever the templates did with it.
When asked to (``render(..., marks=True)``), the localizer hands templates each text
wrapped in invisible marks, three private-use characters::

    \\ue000precedents.yaml:reagan-1983.summary\\ue001Political will in Seoul …\\ue002

Plain characters flow through anything a template does with text: autoescaping, labels
that embed it (``t('administration-years', administration=...)``), joins, attributes.
:func:`to_spans` then turns the marks in the body's text into
``<span class="field" data-field="KEY">`` elements and strips them everywhere else
(``<title>``, attribute values), so the document is the clean one plus those spans.
Prose fields go through ``| md``, which turns their marks into the span itself.

A key names a field by the ids of the items that hold it, not their positions, so the
same field has the same key after its list is reordered: ``file:id.field``.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import Any

START, SEP, END = "\ue000", "\ue001", "\ue002"
_MARKED = re.compile(f"{START}([^{SEP}{END}]*){SEP}([^{START}{SEP}{END}]*){END}")
_STRAY = re.compile(f"{START}[^{SEP}{END}]*{SEP}|[{START}{SEP}{END}]")


def mark(text: str, key: str) -> str:
    return f"{START}{key}{SEP}{text}{END}"


def sourced(html: str, key: str | None) -> str:
    """``html`` in the provenance span naming its field (what :func:`to_spans` makes of
    a marked text), when it has one."""
    if key is None:
        return html
    return f'<span class="field" data-field="{escape(key)}">{html}</span>'


def unmark(text: str) -> str:
    """``text`` without any mark, paired or not."""
    return _STRAY.sub("", text) if START in text or END in text or SEP in text else text


def split(text: str) -> tuple[str | None, str]:
    """A text that is one whole marked field -> ``(key, inner text)``; else ``(None, text)``."""
    m = _MARKED.fullmatch(text)
    return (m.group(1), m.group(2)) if m else (None, text)


def key_for(src: Any, path: tuple) -> str:
    """The stable key of the field at ``path`` in ``src`` (a :class:`memo.yamlsource.Source`):
    each list position replaced by the id of the item there, when it has one."""
    parts, data = [], getattr(src, "data", None)
    for part in path:
        if isinstance(part, int):
            item = data[part] if isinstance(data, list) and 0 <= part < len(data) else None
            ident = item.get("id") if isinstance(item, dict) else None
            parts.append(str(ident) if isinstance(ident, str) else f"[{part}]")
        else:
            parts.append(str(part))
        data = data[part] if isinstance(data, (dict, list)) and _has(data, part) else None
    return f"{_file(getattr(src, 'name', ''))}:" + ".".join(parts).replace(".[", "[")


def _file(name: str) -> str:
    """A content file's name as the content folder knows it: ``audiences/partner.yaml``."""
    # resolved: a file's name is as the command was given it, relative to where it ran
    # (``staff.yaml`` when run inside content/audiences/), and the key must not depend on it
    path = Path(name).resolve() if name else Path(name)
    return f"audiences/{path.name}" if path.parent.name == "audiences" else path.name


def _has(data, part) -> bool:
    return part in data if isinstance(data, dict) else isinstance(part, int) \
        and 0 <= part < len(data)


def to_spans(tree) -> None:
    """Marks in the body's text become ``span.field`` elements; marks anywhere else
    (the head, attribute values, a mark cut in two by a template) are removed."""
    from lxml import etree

    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        for name, value in el.attrib.items():
            if _STRAY.search(value):
                el.set(name, unmark(value))
    head = tree.find("head")
    for el in head.iter() if head is not None else ():
        if isinstance(el.tag, str):
            el.text, el.tail = _clean(el.text), _clean(el.tail)
    body = tree.find("body")
    if body is None:
        return
    for el in list(body.iter()):
        if not isinstance(el.tag, str):
            continue
        if el.text and START in el.text:
            pieces = _pieces(el.text)
            el.text = pieces[0] if isinstance(pieces[0], str) else ""
            at = 0
            for piece in pieces[1 if isinstance(pieces[0], str) else 0:]:
                node = _node(piece, etree)
                if isinstance(node, str):  # text after a span: that span's tail
                    prev = el[at - 1]
                    prev.tail = (prev.tail or "") + node
                else:
                    el.insert(at, node)
                    at += 1
        if el.tail and START in el.tail:
            pieces = _pieces(el.tail)
            el.tail = pieces[0] if isinstance(pieces[0], str) else ""
            anchor = el
            for piece in pieces[1 if isinstance(pieces[0], str) else 0:]:
                node = _node(piece, etree)
                if isinstance(node, str):
                    anchor.tail = (anchor.tail or "") + node
                else:
                    anchor.addnext(node)
                    anchor = node
        el.text, el.tail = _clean(el.text), _clean(el.tail)


def _clean(text: str | None) -> str | None:
    return unmark(text) if text else text


def _pieces(text: str) -> list:
    """``text`` cut into plain strings and ``(key, inner)`` marked fields, in order."""
    out: list = []
    pos = 0
    for m in _MARKED.finditer(text):
        if m.start() > pos:
            out.append(unmark(text[pos:m.start()]))
        out.append((m.group(1), m.group(2)))
        pos = m.end()
    if pos < len(text) or not out:
        out.append(unmark(text[pos:]))
    return out


def _node(piece, etree):
    if isinstance(piece, str):
        return piece
    key, inner = piece
    span = etree.Element("span", {"class": "field", "data-field": key})
    span.text = inner
    return span


_PART = re.compile(r"[^.\[\]]+|\[\d+\]")


def source_of(project, file: str):
    """The :class:`~memo.yamlsource.Source` of content file ``file`` as keys name it
    (``recommendations.yaml``, ``audiences/partner.yaml``); None if the project has none."""
    if file.startswith("audiences/"):
        return getattr(project.audiences.get(Path(file).stem), "_src", None)
    return project.files.get(file)


def locate(project, key: str, lang: str, whole: bool = False) -> tuple[str, tuple]:
    """The file and the YAML path (the language's entry included) of field ``key``, in
    ``project`` (a :class:`memo.content.Project`); LookupError when it has no such field.
    ``whole``: the path of what the key names even when it is not one text (a source's
    entry, say), for saying where it is."""
    file, _, dotted = key.partition(":")
    src = source_of(project, file)
    if src is None:
        raise LookupError(f"no content file {file} for field {key}")
    data, path = src.data, []
    for part in _PART.findall(dotted):
        if part.startswith("["):
            i = int(part[1:-1])
        elif isinstance(data, list):
            i = next((n for n, item in enumerate(data)
                      if isinstance(item, dict) and item.get("id") == part), None)
            if i is None:
                raise LookupError(f"no item {part!r} in {file} any more")
        else:
            i = part
        try:
            data = data[i]
        except (KeyError, IndexError, TypeError):
            raise LookupError(f"no field {dotted} in {file} any more") from None
        path.append(i)
    if whole and not (isinstance(data, dict) and lang in data):
        return file, tuple(path)
    if isinstance(data, dict):
        if lang not in data:
            raise LookupError(f"{key} has no {lang} text")
        path.append(lang)
    elif not isinstance(data, str):
        raise LookupError(f"{key} is not a text field")
    return file, tuple(path)
