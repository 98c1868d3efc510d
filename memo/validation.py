"""Validating one YAML file against a model: every error located at its line and column.

:func:`load_file` reads a file with :mod:`memo.yamlsource`, validates its data with a
pydantic model, and turns each validation error into a :class:`~memo.errors.Problem`
at the place to fix, worded for an author rather than a programmer: ``unknown field;
did you mean 'organization'?``, ``expected a list, got text``. The content files
(:mod:`memo.content`) and the audience profiles (:mod:`memo.profiles`) both load here.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from memo import l10n, yamlsource
from memo.errors import Problem
from memo.yamlsource import Source


def validate(src: Source, model: type[BaseModel], problems: list[Problem]) -> Any:
    """Validate one file's data against ``model``, turning errors into located problems."""
    if not isinstance(src.data, dict):
        problems.append(src.problem((), "expected a mapping of fields at the top level"))
        return None
    try:
        return model.model_validate(src.data)
    except ValidationError as exc:
        for err in exc.errors():
            problems.append(_problem_from(src, model, err))
        return None


def load_file(path: Path, model: type[BaseModel],
              problems: list[Problem]) -> tuple[Source | None, Any]:
    """Read and validate one YAML file; problems go to ``problems``, ``None`` stands in."""
    try:
        src = yamlsource.load(path)
    except yamlsource.LoadFailed as exc:
        problems.append(exc.problem)
        return None, None
    return src, validate(src, model, problems)


def _problem_from(src: Source, model: type[BaseModel], err: dict) -> Problem:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    kind = err["type"]
    if kind != "extra_forbidden" and len(loc) > 1 and loc[-1] == l10n.DEFAULT:
        loc = loc[:-1]  # a plain string's text, stored under "": the field itself
    msg = err["msg"].removeprefix("Value error, ")
    if kind == "missing":
        return src.problem(loc, "required field is missing")
    if kind == "extra_forbidden":
        allowed = _allowed_fields(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f" (allowed: {', '.join(allowed)})"
        return src.problem(loc, f"unknown field{hint}", key=True)
    if kind in ("string_type", "int_type", "list_type", "dict_type", "model_type"):
        got = type(_get(src.data, loc)).__name__
        msg = f"{msg}, got {_YAML_TYPE.get(got, got)}"
    return src.problem(loc, msg)


_YAML_TYPE = {"NoneType": "nothing (empty value)", "dict": "a mapping", "list": "a list",
              "int": "a number", "str": "text", "bool": "true/false", "date": "a date"}


def _get(data: Any, loc: tuple) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _allowed_fields(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names allowed at ``loc`` inside ``model`` (aliases as written in YAML)."""
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) or next(
            (f for f in model.model_fields.values() if f.alias == part), None)
        ann = field.annotation if field else None
        inner = getattr(ann, "__args__", (ann,))
        model = next((a for a in inner if isinstance(a, type) and issubclass(a, BaseModel)),
                     model)
    return sorted(f.alias or name for name, f in model.model_fields.items())
