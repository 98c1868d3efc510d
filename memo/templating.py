"""Jinja over the theme: the sandboxed environment, its loader, and the labels.

Templates are found through the theme (:mod:`memo.theme`): a project's file first,
else the built-in one, and ``builtin/NAME`` for the built-in file even where the
project shadows it. The words templates print themselves come from ``labels.yaml`` as
``t("key")``. Jinja runs sandboxed, with autoescaping and strict undefined variables,
so a typo in a template is an error naming it, not an empty string.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from memo import yamlsource
from memo.content import Project
from memo.errors import ContentError, Problem, TemplateError, display_path
from memo.localize import Localizer
from memo.profiles import Profile
from memo.theme import Theme, as_theme, theme_name
from memo.yamlsource import Source

LABELS = "labels.yaml"


class Labels:
    """``labels.yaml``: the words templates print, per language, as ``t(key)``.

    The built-in theme's labels, with a project's ``labels.yaml`` overriding the keys it
    gives, each whole: a label the project rewrites must come in all its languages.
    """

    def __init__(self, theme: Theme, loc: Localizer):
        self.entries: dict[str, tuple[Any, Source]] = {}
        files = theme.each(LABELS)
        if theme.find_builtin(LABELS) is None:
            raise TemplateError(f"the built-in theme has no {LABELS}; reinstall memo")
        for path in files:
            try:
                src = yamlsource.load(path)
            except yamlsource.LoadFailed as exc:
                raise ContentError([exc.problem]) from None
            if src.data is None and path != files[0]:
                continue  # an empty file of the project's overrides nothing
            if not isinstance(src.data, dict):
                raise ContentError([Problem(display_path(path), 1, 1, "",
                                            "expected a mapping of label keys")])
            self.entries.update((key, (entry, src)) for key, entry in src.data.items())
        self.files = " or ".join(display_path(p) for p in reversed(files))
        self.loc = loc

    def __call__(self, key: str, **fields: Any) -> Any:
        entry, src = self.entries.get(key, (None, None))
        if src is None:
            raise TemplateError(f"unknown label '{key}': add it to {self.files}")
        if not isinstance(entry, dict):
            raise ContentError([src.problem((key,), "expected text per language, like "
                                            "{en: ..., ko: ...}")])
        text = entry.get(self.loc.lang)
        if not isinstance(text, str):
            return self.loc.missing(src, (key,))
        if not fields:
            return text
        try:
            return text.format(**fields)
        except (KeyError, IndexError, ValueError) as exc:
            self.loc.report((src, (key, self.loc.lang),
                             f"cannot fill in this label ({type(exc).__name__}: {exc}); "
                             f"the template gives {', '.join('{' + f + '}' for f in fields)}"))
            return ""


class ThemeLoader(jinja2.BaseLoader):
    """Templates from the theme: a project's own file first, else the built-in one.

    ``builtin/NAME`` names the built-in file even where the project shadows it, so a
    project's ``base.html.j2`` can ``{% extends "builtin/base.html.j2" %}`` and change one
    block instead of copying the whole file.
    """

    PREFIX = "builtin/"

    def __init__(self, theme: Theme):
        self.theme = theme

    @classmethod
    def locate(cls, theme: Theme, template: str) -> Path | None:
        """The file ``template`` names in ``theme``, or None; ``builtin/`` as above."""
        if template.startswith(cls.PREFIX):
            return theme.find_builtin(template.removeprefix(cls.PREFIX))
        return theme.find(template)

    def get_source(self, environment, template: str):
        path = self.locate(self.theme, template)
        if path is None:
            raise jinja2.TemplateNotFound(template)
        try:
            mtime, source = path.stat().st_mtime, path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TemplateError(f"{display_path(path)}: cannot read template: {exc}") from None

        def uptodate() -> bool:
            try:
                return path.stat().st_mtime == mtime
            except OSError:
                return False

        return source, str(path), uptodate


def environment(theme: Theme) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=ThemeLoader(theme),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def template_for(profile: Profile, theme: Theme) -> str:
    if profile.template:
        return profile.template
    own = f"{profile.name}.html.j2"
    return own if theme.find(own) else "base.html.j2"


def check_templates(project: Project, templates: Theme | Path) -> None:
    """Every profile's template and sections must exist; report them like content errors."""
    theme = as_theme(templates)
    problems = []
    for profile in project.audiences.values():
        if profile.template:
            if theme_name(profile.template.removeprefix(ThemeLoader.PREFIX)) is None:
                problems.append(profile.problem(("template",), "a template is named by its "
                                                "path inside the templates folder"))
            elif ThemeLoader.locate(theme, profile.template) is None:
                problems.append(profile.problem(
                    ("template",), f"no such template {profile.template} in the theme "
                    f"({theme.where()})"))
        for i, name in enumerate(profile.sections):
            if not theme.find(f"sections/{name}.html.j2"):
                problems.append(profile.problem(
                    ("sections", i),
                    f"unknown section '{name}': no template sections/{name}.html.j2 in "
                    f"{theme.where()}"))
    if problems:
        raise ContentError(problems)


def _template_location(exc: Exception) -> str:
    """The innermost template frame of a Jinja runtime error, as ``file:line``."""
    tb = exc.__traceback__
    where = "template"
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename.endswith(".j2"):
            lineno = tb.tb_frame.f_globals.get("__jinja_template__")
            line = lineno.get_corresponding_lineno(tb.tb_lineno) if lineno else tb.tb_lineno
            where = f"{code.co_filename}:{line}"
        tb = tb.tb_next
    return where
