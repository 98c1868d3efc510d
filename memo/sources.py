"""The sources registry as CSL-JSON items: checked, imported, exported.

``sources.yaml`` holds ``sources:``, a list of CSL-JSON items written as YAML: what
Zotero (or Better BibTeX, or any manager that speaks CSL) exports, unchanged, with every
field CSL defines (``container-title``, ``issued: {date-parts: [[2021, 2]]}``, a
corporate author as ``{literal: …}``). Each item is checked against the CSL data schema
(``memo/schemas/csl-data.json``, from citation-style-language/schema), so a misspelled
field is an error at its line, as anywhere else in the content. ``annote`` (CSL's
annotation) is printed after the item's entry in the sources list.

:func:`read_export` reads a reference manager's export (CSL-JSON, CSL-YAML or BibTeX,
which pandoc converts); :func:`merge` adds its items by id and reports, never
overwrites, an item whose fields differ; :func:`appended` writes the new ones into
``sources.yaml`` leaving the rest of the file as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from functools import cache, lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from memo import yamlsource
from memo.crosscheck import strings
from memo.errors import ContentError, Problem, did_you_mean
from memo.fields import control_character
from memo.inline import CITATION
from memo.yamlsource import Source


@cache
def schema() -> dict:
    return json.loads((files("memo") / "schemas" / "csl-data.json").read_text("utf-8"))


def _message(err: Any, item: Any) -> tuple[tuple, str, bool]:
    """A schema error as (path inside the item, message, whether it is about a key)."""
    path = tuple(err.absolute_path)
    props = schema()["items"]["properties"]
    if err.validator == "additionalProperties":
        known = set(err.schema.get("properties", {}))
        extra = [k for k in (err.instance or {}) if k not in known]
        key = extra[0] if extra else ""
        return path + (key,), f"unknown CSL field{did_you_mean(str(key), known)}", True
    if err.validator == "enum" and path[1:] == ("type",):
        return path, (f"'{err.instance}' is not a CSL item type"
                      f"{did_you_mean(str(err.instance), props['type']['enum'])}"), False
    if err.validator == "type" and isinstance(err.instance, bool):
        return path, ("YAML reads yes, no, on, off, true and false as true or false, not as "
                      "text: put the text in quotes"), False
    if err.validator in ("anyOf", "type") and not isinstance(err.instance, dict) and \
            "date-parts" in json.dumps(err.schema):
        return path, (f"a CSL date is {{date-parts: [[year, month, day]]}} (or "
                      f"{{literal: ...}}), not '{err.instance}'"), False
    if err.validator == "required":
        return path + (err.message.split("'")[1],), "required field is missing", False
    return path, err.message, False


@lru_cache(maxsize=1024)
def _schema_errors(item: str) -> tuple[tuple[tuple, str, bool], ...]:
    """An item's schema errors (the item as JSON text): the same item, checked again as
    every content load does, costs nothing the second time."""
    data = json.loads(item)
    errors = _validator().iter_errors([data])
    return tuple(_message(err, data) for err in
                 sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]))


@cache
def _validator():
    from jsonschema import Draft7Validator

    return Draft7Validator(schema())


def check(items: Any, src: Source | None, problems: list[Problem], *,
          base: tuple = ("sources",), file: str = "", unique: bool = False) -> None:
    """Problems of ``items`` against the CSL data schema, ids a citation cannot name and,
    with ``unique``, ids that repeat (the registry's own are checked with every file's)."""
    if not isinstance(items, list):
        return  # the file's own model says what is wrong
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        text = _as_text(item)
        try:
            found = _schema_errors(json.dumps(text, sort_keys=True))
        except TypeError:  # a value JSON has no form for: say what the schema says of it
            found = tuple(_message(e, item) for e in _validator().iter_errors([item]))
        for path, msg, key in found:
            _report(problems, src, base + (i,) + path[1:], msg, key, file, item)
        for path, value in strings(text, ()):
            bad = control_character(value)
            if bad:
                _report(problems, src, base + (i,) + path, bad, False, file, item)
        sid = str(item.get("id", "")) if isinstance(item, dict) else ""
        if sid and not CITATION.fullmatch(f"[@{sid}]"):
            _report(problems, src, base + (i, "id"), f"id '{sid}' cannot be cited as "
                    "[@id]: use letters, digits and _ . : / # + - inside", False, file, item)
        elif unique and sid in seen:
            _report(problems, src, base + (i, "id"), f"id '{sid}' is already the id of "
                    f"item {seen[sid] + 1}", False, file, item)
        seen.setdefault(sid, i)


def _as_text(value: Any) -> Any:
    """``value`` with each date YAML made (2021-02-08) as the text it was written as, as
    everywhere in memo's content: what the item holds, and what CSL-JSON says."""
    if isinstance(value, (dt.date, dt.datetime)):
        return str(value)  # as memo.fields takes a date written where text goes
    if isinstance(value, dict):
        return {k: _as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    return value


def _report(problems: list[Problem], src: Source | None, path: tuple, msg: str, key: bool,
            file: str, item: Any) -> None:
    if src is not None:
        problems.append(src.problem(path, msg, key=key))
    else:  # an export pandoc converted has no lines: name the item
        sid = item.get("id", "?") if isinstance(item, dict) else "?"
        problems.append(Problem(file, 1, 1, yamlsource.format_path(path),
                                f"item '{sid}': {msg}"))


def read_export(path: Path) -> list[dict]:
    """The CSL items in a reference manager's export: CSL-JSON (``.json``), CSL-YAML
    (``.yaml``: a list, or ``references:`` / ``sources:``) or BibTeX (``.bib``)."""
    problems: list[Problem] = []
    name = str(path)
    if path.suffix.lower() in (".bib", ".bibtex"):
        from memo.citeproc import pandoc

        proc = subprocess.run([pandoc(), "-f", "bibtex", "-t", "csljson", str(path)],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise ContentError([Problem(name, 1, 1, "", f"not BibTeX pandoc can read: "
                                        f"{proc.stderr.strip()[:300]}")])
        items: Any = json.loads(proc.stdout or "[]")
        check(items, None, problems, base=(), file=name, unique=True)
    else:
        try:
            src = yamlsource.load(path)  # JSON is YAML: the same lines and columns
        except yamlsource.LoadFailed as exc:
            raise ContentError([exc.problem]) from None
        items, base = src.data, ()
        if isinstance(items, dict):
            key = next((k for k in ("references", "sources", "items") if k in items), None)
            items, base = (items[key], (key,)) if key else (None, ())
        if not isinstance(items, list):
            raise ContentError([Problem(name, 1, 1, "", "expected a list of CSL items "
                                        "(a CSL-JSON array, or references: in YAML)")])
        check(items, src, problems, base=base, unique=True)
    if problems:
        raise ContentError(problems)
    # Zotero's own export ids an item by its URI; its citation key is what prose cites
    return [{**it, "id": it["citation-key"]} if it.get("citation-key") else it
            for it in items]


def merge(have: list[dict], new: list[dict]) -> tuple[list[dict], list[str], list[str]]:
    """The items of ``new`` to add (ids ``have`` lacks), the ids already there with the
    same fields, and the conflicts: ids there with other fields, each saying which."""
    by_id = {str(it["id"]): it for it in have}
    add, same, conflicts = [], [], []
    for item in new:
        old = by_id.get(str(item["id"]))
        if old is None:
            add.append(item)
            by_id[str(item["id"])] = item
        elif _plain(old) == _plain(item):
            same.append(str(item["id"]))
        else:
            fields = sorted(k for k in {*old, *item} if _plain(old.get(k)) != _plain(item.get(k)))
            conflicts.append(f"{item['id']}: differs in {', '.join(fields)}")
    return add, same, conflicts


def _plain(value: Any) -> Any:
    """A value as JSON has it: a date-part "2021" and 2021 are the same."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def appended(text: str, items: list[dict]) -> str:
    """``text`` (a ``sources.yaml``, its list the last thing in it) with ``items`` added
    at the end of its ``sources:`` list, the rest untouched."""
    block = yaml.safe_dump(items, allow_unicode=True, sort_keys=False, width=88)
    found = re.search(r"^sources:\s*\n(?:\s*#.*\n)*( *)-", text, re.M)
    indent = found.group(1) if found else ""  # the list's own indentation
    block = "".join(f"{indent}{line}\n" if line else "\n" for line in block.splitlines())
    return text.rstrip("\n") + "\n\n" + block


_MONTHS = ("January February March April May June July August September October "
           "November December").split()


def from_legacy(item: Any) -> Any:
    """An item of the registry memo kept before CSL (``authors``, ``container``, ``date``:
    "22 June 1965", ``url``, ``note``, ``short``) as a CSL item, for reading an older
    version to compare against (``memo redline --since``); anything else as it is."""
    if not isinstance(item, dict) or "type" in item or "date" not in item:
        return item
    out: dict[str, Any] = {"id": item.get("id"),
                           "type": "article" if item.get("container") else "report"}
    if item.get("authors"):
        out["author"] = [{"literal": str(a)} for a in item["authors"]]
    out["title"] = item.get("title")
    for old, new in (("container", "container-title"), ("publisher", "publisher"),
                     ("url", "URL"), ("note", "annote")):
        if item.get(old):
            out[new] = item[old]
    if item.get("short"):  # "Author, “Short Title”" or "Short Title (1994)"
        short = re.search(r"“(.*)”", str(item["short"]))
        out["title-short"] = short.group(1) if short else \
            re.sub(r"\s*\(\d{4}\)$", "", str(item["short"]))
    words = str(item["date"]).replace(",", "").split()
    parts = [int(w) for w in words if w.isdigit() and len(w) == 4]
    parts += [_MONTHS.index(w) + 1 for w in words if w in _MONTHS]
    parts += [int(w) for w in words if w.isdigit() and len(w) <= 2]
    out["issued"] = {"date-parts": [parts[:3]]} if parts else {"literal": str(item["date"])}
    return out


def export(items: list[dict]) -> str:
    """CSL-JSON Zotero imports: an array of the items, as the registry holds them."""
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"
