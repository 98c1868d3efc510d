"""Render one audience's memo to the semantic HTML document every writer reads.

The audience's profile picks the sections and their order; each section is a template,
``templates/sections/<name>.html.j2``, included by ``base.html.j2`` (or by an audience
template that extends it). Jinja runs sandboxed, with autoescaping and strict undefined
variables: a typo in a template is an error naming it, not an empty string.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from memo import __version__, inline
from memo.content import Precedent, Project, Recommendation, SourceEntry
from memo.document import Document, parse
from memo.errors import ContentError, MemoError
from memo.profiles import Profile


class TemplateError(MemoError):
    """A template that does not render: a build failure (exit 1), not bad content."""


@dataclass
class Citations:
    """Notes in reading order, Chicago style: a source's first note in full, a note citing
    the same source as the note before it "Ibid.", any other repeat in the short form."""

    project: Project
    order: list[str] = field(default_factory=list)
    last: str = ""

    def __call__(self, sid: str, locator: str) -> str:
        src = self.project.source(sid)
        if sid not in self.order:
            self.order.append(sid)
            text = full_citation(src)
        elif sid == self.last:
            text = "Ibid"
        else:
            text = escape(src.short or src.title)
        self.last = sid
        if locator:
            text += f", {escape(locator)}"
        return text + "."

    def cited(self) -> list[SourceEntry]:
        return [self.project.source(s) for s in self.order]


def _names(authors: list[str]) -> str:
    if len(authors) <= 2:
        return " and ".join(authors)
    return ", ".join(authors[:-1]) + " and " + authors[-1]


def full_citation(src: SourceEntry) -> str:
    """A note-style citation, as HTML: authors, title, container, publisher, date, link."""
    parts = []
    if src.authors:
        parts.append(escape(_names(src.authors)))
    if src.container:
        parts.append(f"“{escape(src.title)},” <cite>{escape(src.container)}</cite>")
    else:
        parts.append(f"<cite>{escape(src.title)}</cite>")
    if src.publisher:
        parts.append(escape(src.publisher))
    parts.append(escape(src.date))
    text = ", ".join(parts)
    if src.url:
        text += f', <a href="{escape(src.url)}">{escape(src.url)}</a>'
    return text


def bibliography_entry(src: SourceEntry) -> str:
    """A sources-list entry, as HTML."""
    text = full_citation(src) + "."
    if src.note:
        text += " " + escape(src.note)
    return text


@dataclass
class View:
    """What one audience sees of the memo: the profile applied to the project."""

    project: Project
    profile: Profile
    lang: str

    @property
    def memo(self):
        return self.project.memo

    @property
    def recommendations(self) -> list[Recommendation]:
        recs = self.project.recommendations
        return recs[: self.profile.recommendations] if self.profile.recommendations else recs

    @property
    def precedents(self) -> list[Precedent]:
        return self.project.precedents

    @property
    def caveats(self):
        return self.project.caveats

    @property
    def marking(self) -> str:
        return self.profile.marking or self.project.memo.marking

    def precedent(self, pid: str) -> Precedent:
        return self.project.precedent(pid)


def longdate(value: dt.date) -> str:
    return f"{value.day} {value.strftime('%B')} {value.year}"


def environment(templates: Path) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["longdate"] = longdate
    return env


def template_for(profile: Profile, templates: Path) -> str:
    if profile.template:
        return profile.template
    own = f"{profile.name}.html.j2"
    return own if (templates / own).is_file() else "base.html.j2"


def check_templates(project: Project, templates: Path) -> None:
    """Every profile's template and sections must exist; report them like content errors."""
    problems = []
    for profile in project.audiences.values():
        if profile.template and not (templates / profile.template).is_file():
            problems.append(profile.problem(("template",),
                                            f"no such template {templates / profile.template}"))
        for i, name in enumerate(profile.sections):
            if not (templates / "sections" / f"{name}.html.j2").is_file():
                problems.append(profile.problem(
                    ("sections", i),
                    f"unknown section '{name}': no template sections/{name}.html.j2 in "
                    f"{templates}"))
    if problems:
        raise ContentError(problems)


def render(project: Project, audience: str, templates: Path, lang: str | None = None) -> Document:
    """Render ``audience``'s memo to a checked :class:`~memo.document.Document`."""
    profile = project.audiences[audience]
    lang = lang or project.memo.lang
    view = View(project, profile, lang)
    cites = Citations(project)
    env = environment(templates)
    name = template_for(profile, templates)

    def md(text: str) -> Markup:
        return Markup(inline.render(text, cites))

    env.filters["md"] = md
    try:
        tmpl = env.get_template(name)
        text = tmpl.render(
            view=view, memo=view.memo, profile=profile, lang=lang,
            cited=cites.cited, bibliography=lambda s: Markup(bibliography_entry(s)),
            version=__version__,
        )
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template not found: {exc.name} (in {templates})") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"{_template_location(exc)}: {exc.message}") from None
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateError(f"{_template_location(exc)}: unsafe template operation: {exc}") \
            from None
    return parse(text, audience=audience, lang=lang, template=name)


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
