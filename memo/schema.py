"""JSON Schemas of the content files, generated from the models, for editors.

A YAML language server (VS Code's YAML extension, Neovim's yamlls, JetBrains) that finds
``# yaml-language-server: $schema=PATH`` at the top of a file completes field names,
shows their descriptions and marks mistakes as the author types. ``memo new`` writes
the schemas into the project (``.memo/schema/``) and that line into every content file;
``memo schema --write`` brings them up to date after memo itself is upgraded. The
schemas describe what an author may write; ``memo check`` stays the authority (it also
knows the cross-references: ids cited, translations missing).
"""

from __future__ import annotations

import json
from pathlib import Path

FOLDER = ".memo/schema"
# draft-07: the dialect YAML language servers validate (Red Hat's, in VS Code and Neovim,
# does not take 2019-09 or 2020-12), named by its http URI as the draft itself has it
DIALECT = "http://json-schema.org/draft-07/schema#"
# schema name -> the file (or files) it describes: the marker at the project's root, the
# rest inside the content folder
FILES = {
    "project": "memo-project.yaml",
    "memo": "memo.yaml",
    "precedents": "precedents.yaml",
    "recommendations": "recommendations.yaml",
    "caveats": "caveats.yaml",
    "sources": "sources.yaml",
    "briefing": "briefing.yaml",
    "audience": "audiences/*.yaml",
}


def schema(name: str) -> dict:
    """The JSON Schema (draft-07) of the files ``FILES[name]`` names."""
    from memo import content, profiles, project

    if name == "project":
        body = {"type": ["object", "null"], "additionalProperties": False, "properties": {
            key: {"type": "string", "default": value,
                  "description": f"The {key} folder, relative to this file's folder"}
            for key, value in project.DEFAULTS.items()}}
    elif name == "sources":  # CSL-JSON items: the CSL data schema's own (memo.sources)
        from memo.sources import schema as csl

        data = csl()
        body = {"type": "object", "additionalProperties": False, "required": ["sources"],
                "properties": {"sources": {
                    "type": "array", "minItems": 1, "items": data["items"],
                    "description": "The sources prose cites as [@id]: CSL-JSON items"}},
                "definitions": data["definitions"]}
    else:
        model = {"memo": content.Memo, "audience": profiles.Profile,
                 "briefing": content.Briefing, **{
                     f.removesuffix(".yaml"): m for f, m in content.FILES.items()}}[name]
        body = model.model_json_schema(by_alias=True, mode="validation",
                                       ref_template="#/definitions/{model}")
        if "$defs" in body:
            body["definitions"] = body.pop("$defs")
    return {"$schema": DIALECT, **body, "title": f"memo: {FILES[name]}"}


def schemas() -> dict[str, dict]:
    return {name: schema(name) for name in FILES}


def text(body: dict) -> str:
    return json.dumps(body, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write(root: Path) -> list[Path]:
    """Write every schema into ``root/.memo/schema/NAME.json``; the paths written."""
    from memo.output import atomic_write

    folder = root / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, body in schemas().items():
        atomic_write(folder / f"{name}.json", text(body).encode())
        written.append(folder / f"{name}.json")
    return written


def modeline(name: str, file: Path, root: Path) -> str:
    """The line that points a YAML language server at schema ``name`` from ``file``
    (a relative path: a project may be cloned anywhere)."""
    import os

    target = root / FOLDER / f"{name}.json"
    rel = Path(os.path.relpath(target, file.parent)).as_posix()
    return f"# yaml-language-server: $schema={rel}\n"


def name_for(rel: str) -> str | None:
    """The schema name for a content file, given by its path inside the content folder."""
    from fnmatch import fnmatch

    return next((n for n, pattern in FILES.items() if n != "project" and fnmatch(rel, pattern)),
                None)
