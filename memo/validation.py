"""Validating one YAML file against a model: every error located at its line and column.

:func:`load_file` reads a file with :mod:`memo.yamlsource`, validates its data with a
pydantic model, and turns each validation error into a :class:`~memo.errors.Problem`
at the place to fix, worded for an author rather than a programmer: ``unknown field;
did you mean 'organization'?``, ``expected a list, got text``. The content files
(:mod:`memo.content`) and the audience profiles (:mod:`memo.profiles`) both load here.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from memo import l10n, yamlsource
from memo.errors import Problem, did_you_mean
from memo.yamlsource import Source

_LENIENT: ContextVar[list[str] | None] = ContextVar("lenient", default=None)


@contextmanager
def lenient():
    """Within the ``with``, a field the models no longer know is left out rather than
    refused, and listed (``file: field``) in the list the ``with`` gives: an older
    version's content, read to compare against, may hold fields since removed. The
    drafting rules (:mod:`memo.drafting`) are not applied to it either."""
    dropped: list[str] = []
    token = _LENIENT.set(dropped)
    try:
        yield dropped
    finally:
        _LENIENT.reset(token)


def is_lenient() -> bool:
    return _LENIENT.get() is not None


def validate(src: Source, model: type[BaseModel], problems: list[Problem]) -> Any:
    """Validate one file's data against ``model``, turning errors into located problems."""
    if not isinstance(src.data, dict):
        problems.append(src.problem((), "expected a mapping of fields at the top level"))
        return None
    dropped = _LENIENT.get()
    if dropped is not None:
        return _validate_leniently(src, model, problems, dropped)
    try:
        return model.model_validate(src.data)
    except ValidationError as exc:
        errors = exc.errors()
        found = [e for e in (_located(src.data, err) for err in errors) if e is not None]
        # a value that fits no branch of a union: every branch's error, said at the value
        for err in found or [_located(src.data, err, every=True) for err in errors]:
            problems.append(_problem_from(src, model, err))
        return None


def _validate_leniently(src: Source, model, problems: list[Problem], dropped: list[str]):
    import copy

    data = copy.deepcopy(src.data)
    for _ in range(100):  # each round drops the unknown fields pydantic names
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            extra = [e["loc"] for e in exc.errors() if e["type"] == "extra_forbidden"]
            if not extra or len(extra) != len(exc.errors()):  # not only unknown fields:
                return _strict(src, model, problems)  # said as for any content
            for loc in extra:
                _drop(data, loc)
                dropped.append(f"{src.name}: {'.'.join(str(p) for p in loc)}")
    return None


def _strict(src: Source, model, problems: list[Problem]) -> Any:
    token = _LENIENT.set(None)
    try:
        return validate(src, model, problems)
    finally:
        _LENIENT.reset(token)


def _drop(data: Any, loc: tuple) -> None:
    for part in loc[:-1]:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return
    if isinstance(data, dict):
        data.pop(loc[-1], None)


def _located(data: Any, err: dict, every: bool = False) -> dict | None:
    """``err`` with its location in the file's terms: pydantic puts the branch of a union
    in the location (``recommendations.int``, ``recommendations.list[...][0]``), which
    names no key. The branch whose type the value is not is left out (the value is a list:
    "should be a valid integer" helps no one); None if that is this error."""
    loc, here = [], data
    parts = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(here, dict) and part in here or isinstance(here, list) \
                and isinstance(part, int) and 0 <= part < len(here):
            loc.append(part)
            here = here[part]
        elif isinstance(here, dict) and (last or not isinstance(part, str) or "[" not in part
                                         and part not in _BRANCH):
            loc.append(part)  # a key that is missing, or one not allowed: still a key
            here = None
        elif isinstance(part, str) and (part in _BRANCH or "[" in part):
            if not every and not _fits(part, here):
                return None
        else:
            loc.append(part)
            here = None
    return {**err, "loc": tuple(loc)}


# The names pydantic gives the branches of a union, as they appear in a location.
_BRANCH = {"int": int, "float": (int, float), "str": str, "bool": bool, "list": list,
           "dict": dict, "literal": (str, int), "none": type(None), "date": object}


def _fits(branch: str, value: Any) -> bool:
    kind = _BRANCH.get(branch.split("[", 1)[0].lower(), object)
    if isinstance(value, bool) and branch.startswith(("int", "float")):
        return False  # a bool is an int to Python, not to an author
    return isinstance(value, kind)


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
        hint = did_you_mean(str(loc[-1]), allowed, or_list=True)
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
