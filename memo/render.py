"""Render one audience's memo to the semantic HTML document every writer reads.

The audience's profile picks the sections and their order; each section is a template,
``sections/<name>.html.j2`` in the theme, included by ``base.html.j2`` (or by an
audience template that extends it). Jinja runs sandboxed (:mod:`memo.templating`).

Templates see the content through :class:`Localized` views, which hand out each text in
the variant's language; the words the templates print themselves come from the theme's
``labels.yaml`` through ``t("key")``. Text missing in the variant's language
makes the render fail with a :class:`~memo.errors.ContentError` listing every such
field: a variant is never silently in English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from pydantic import BaseModel

from memo import __version__, inline, l10n
from memo.content import Project, SourceEntry
from memo.document import Document, parse
from memo.errors import ContentError, MemoError, Problem, TemplateError, display_path
from memo.profiles import Profile
from memo.templating import (  # noqa: F401 (check_templates: part of this module's API)
    Labels,
    _template_location,
    check_templates,
    environment,
    template_for,
)
from memo.theme import Theme, as_theme
from memo.yamlsource import Source


@dataclass
class Citations:
    """Notes in reading order, Chicago style: a source's first note in full, a note citing
    the same source as the note before it "Ibid.", any other repeat in the short form."""

    project: Project
    ibid: str = "Ibid"
    order: list[str] = field(default_factory=list)
    last: str = ""

    def __call__(self, sid: str, locator: str) -> str:
        src = self.project.source(sid)
        if sid not in self.order:
            self.order.append(sid)
            text = full_citation(src)
        elif sid == self.last:
            text = escape(self.ibid)
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


class Localizer:
    """Hands out content in one language, and collects the fields that lack it.

    Each value keeps where it came from (file and YAML path), so a missing translation
    is reported at the line to fix.
    """

    def __init__(self, lang: str, default_lang: str):
        self.lang, self.default_lang = lang, default_lang
        self.problems: list[Problem] = []

    def report(self, where: tuple[Source, tuple, str] | Problem) -> None:
        if isinstance(where, Problem):
            self.problems.append(where)
            return
        src, path, what = where
        self.problems.append(src.problem(path, what))

    def wrap(self, value: Any, src: Source, path: tuple, field: Any = None) -> Any:
        if value is None and field is not None:  # an optional field the content leaves out
            return self.absent(src, path)
        if isinstance(value, l10n.Text):
            text = value.get_text(self.lang, self.default_lang)
            return self.missing(src, path) if text is None else text
        if isinstance(value, BaseModel):
            return Localized(value, self, src, path)
        if isinstance(value, list):
            return [self.wrap(v, src, path + (i,)) for i, v in enumerate(value)]
        return value

    def missing(self, src: Source, path: tuple) -> l10n.Missing:
        """The text at ``path`` has no translation into this language."""
        name = l10n.language_name(self.lang)
        return l10n.Missing(self.report, (src, path, f"no {name} text ({self.lang}); add a "
                                          f"'{self.lang}:' entry"))

    def absent(self, src: Source, path: tuple, what: str = "missing: this audience's "
               "template prints it") -> l10n.Absent:
        return l10n.Absent(self.report, (src, path, what))


class Localized:
    """A read-only view of a content model in the variant's language, for templates."""

    __slots__ = ("_model", "_loc", "_src", "_path")

    def __init__(self, model: BaseModel, loc: Localizer, src: Source, path: tuple):
        self._model, self._loc, self._src, self._path = model, loc, src, path

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(self._model, name)
        info = type(self._model).model_fields.get(name)
        key = (info.alias or name) if info else name
        return self._loc.wrap(value, self._src, self._path + (key,), info)

    def __str__(self) -> str:  # models with no text of their own, such as Years
        return str(self._model)


@dataclass
class View:
    """What one audience sees of the memo: the profile applied to the project, in one
    language."""

    # private (a leading underscore): the sandbox keeps templates from the raw models,
    # which would hand them every language
    _project: Project
    _profile: Profile
    lang: str
    _loc: Localizer

    def _file(self, name: str) -> Source:
        return self._project.files[name]

    @property
    def memo(self) -> Localized:
        return Localized(self._project.memo, self._loc, self._file("memo.yaml"), ())

    @property
    def audience(self) -> Localized:
        return Localized(self._profile, self._loc, self._profile._src, ())

    @property
    def recommendations(self) -> list[Localized]:
        recs = list(enumerate(self._project.recommendations))
        chosen = self._profile.recommendations
        if isinstance(chosen, int):
            recs = recs[:chosen]
        elif isinstance(chosen, list):
            index = {r.id: (i, r) for i, r in recs}
            recs = [index[rid] for rid in chosen]
        src = self._file("recommendations.yaml")
        return [Localized(r, self._loc, src, ("recommendations", i)) for i, r in recs]

    @property
    def precedents(self) -> list[Localized]:
        src = self._file("precedents.yaml")
        return [Localized(p, self._loc, src, ("precedents", i))
                for i, p in enumerate(self._project.precedents)]

    @property
    def caveats(self) -> list[Localized]:
        src = self._file("caveats.yaml")
        return [Localized(c, self._loc, src, ("caveats", i))
                for i, c in enumerate(self._project.caveats)]

    @property
    def briefing(self) -> Localized | l10n.Absent:
        src = self._project.files.get("briefing.yaml")
        if src is None:
            where = Problem(display_path(self._project.folder / "briefing.yaml"), 1, 1, "",
                            "file is missing: this audience's template prints its content")
            return l10n.Absent(self._loc.report, where)
        return Localized(self._project.briefing, self._loc, src, ())

    @property
    def marking(self) -> Any:
        return self._own("marking")

    @property
    def title(self) -> Any:
        return self._own("title")

    @property
    def subject(self) -> Any:
        return self._own("subject")

    def _own(self, name: str) -> Any:
        """The profile's own wording of a memo field when it has one, else the memo's."""
        source = self.audience if getattr(self._profile, name) is not None else self.memo
        return getattr(source, name)

    def precedent(self, pid: str) -> Localized:
        i = next(i for i, p in enumerate(self._project.precedents) if p.id == pid)
        return self.precedents[i]


def render(project: Project, audience: str, templates: Theme | Path | None,
           lang: str | None = None, *, created: str | None = None) -> Document:
    """Render ``audience``'s memo in ``lang`` to a checked :class:`~memo.document.Document`.

    ``created`` (ISO 8601, UTC) dates the document; by default, the memo's own date at
    midnight UTC. Every writer takes its dates from here, never from the clock.

    Raises :class:`~memo.errors.ContentError` when text the templates print has no
    translation into ``lang``, or when the result carries a phrase the profile forbids.
    """
    theme = as_theme(templates)
    profile = project.audiences[audience]
    lang = lang or project.memo.lang
    loc = Localizer(lang, project.memo.lang)
    view = View(project, profile, lang, loc)
    labels = Labels(theme, loc)
    ibid = labels("ibid")
    cites = Citations(project, ibid=str(ibid))  # str() of a missing label reports it
    env = environment(theme)
    name = template_for(profile, theme)

    def md(text: Any) -> Markup:
        if isinstance(text, l10n.Missing):
            return Markup(str(text))
        if not isinstance(text, str):
            raise TypeError(f"| md takes text, not {type(text).__name__}")
        return Markup(inline.render(text, cites))

    env.filters["md"] = md
    env.filters["longdate"] = lambda d: l10n.longdate(d, lang)
    figures: dict = {}

    def timeline() -> Markup:
        """The precedents' timeline as an <img> (SVG); the DOCX writer takes its PNG."""
        from memo import figures as figs

        events = []
        for raw, p in zip(project.precedents, view.precedents, strict=True):
            label = labels("administration-years", administration=p.administration,
                           years=p.years)
            events.append(figs.Event(str(label), str(p.title), raw.years.start, raw.years.end))
        alt = str(labels("timeline-alt", items="; ".join(f"{e.label}: {e.title}"
                                                         for e in events)))
        fig = figs.timeline(events, alt, theme, lang)
        key = f"figure-{len(figures) + 1}"
        figures[key] = fig
        return Markup(f'<img class="timeline" src="{fig.data_uri()}" alt="{escape(alt)}" '
                      f'data-figure="{key}">')

    try:
        tmpl = env.get_template(name)
        text = tmpl.render(
            view=view, memo=view.memo, profile=view.audience, lang=lang, t=labels,
            cited=cites.cited, bibliography=lambda s: Markup(bibliography_entry(s)),
            timeline=timeline, version=__version__,
            created=created or f"{project.memo.date.isoformat()}T00:00:00Z",
        )
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template not found: {exc.name} (in {theme.where()})") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"{_template_location(exc)}: {exc.message}") from None
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateError(f"{_template_location(exc)}: unsafe template operation: {exc}") \
            from None
    except MemoError:
        raise
    except Exception as exc:  # a filter or test meeting a value it cannot take, and the like
        raise TemplateError(f"{_template_location(exc)}: {type(exc).__name__}: {exc}") \
            from None
    if loc.problems:
        raise ContentError(loc.problems, what=f"{audience}-{lang}")
    doc = parse(text, audience=audience, lang=lang, template=name)
    doc.figures = figures
    _check_forbidden(doc, profile)
    return doc


def _check_forbidden(doc: Document, profile: Profile) -> None:
    """A phrase the profile forbids anywhere in the memo fails the variant, naming the
    section it is in, so the writer can find it."""
    problems = []
    parts = [doc.article, *doc.article.iter("section", "header")]
    for i, phrase in enumerate(profile.forbid):
        for el in parts:
            own = "".join(el.xpath("./text()|./*[not(self::section or self::header)]//text()"))
            if phrase.casefold() in own.casefold():
                where = f"section '{el.get('id')}'" if el.get("id") else el.get("class")
                problems.append(profile.problem(
                    ("forbid", i), f"'{phrase}' appears in the {doc.audience}-{doc.lang} "
                    f"memo ({where}); this audience must not see it"))
                break
    if problems:
        raise ContentError(problems, what=f"{doc.audience}-{doc.lang}")
