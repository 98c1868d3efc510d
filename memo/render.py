"""Render one audience's memo to the semantic HTML document every writer reads.

The audience's profile picks the sections and their order; each section is a template,
``sections/<name>.html.j2`` in the theme, included by ``base.html.j2`` (or by an
audience template that extends it). Jinja runs sandboxed (:mod:`memo.templating`).

Templates see the content through a :class:`~memo.view.View` of
:class:`~memo.localize.Localized` models, which hand out each text in the variant's
language (:mod:`memo.localize`); notes and the sources list come from
:mod:`memo.citations` (a CSL style, run once per variant); the words the templates
print themselves come from the theme's ``labels.yaml`` through ``t("key")``. Text
missing in the variant's language makes the render fail with a
:class:`~memo.errors.ContentError` listing every such field: a variant is never
silently in English.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from memo import __version__, drafting, inline, l10n
from memo.citations import BIBLIOGRAPHY, Citations, style_for
from memo.content import Project
from memo.document import Document, parse
from memo.errors import ContentError, MemoError, TemplateError
from memo.localize import Localizer
from memo.profiles import Profile
from memo.templating import (  # noqa: F401 (check_templates: part of this module's API)
    Labels,
    _template_location,
    check_templates,
    environment,
    template_for,
)
from memo.theme import Theme, as_theme
from memo.view import View


def render(project: Project, audience: str, templates: Theme | Path | None,
           lang: str | None = None, *, created: str | None = None,
           marks: bool = False, rules: bool = True, review_notes: bool = False) -> Document:
    """Render ``audience``'s memo in ``lang`` to a checked :class:`~memo.document.Document`.

    ``created`` (ISO 8601, UTC) dates the document; by default, the memo's own date at
    midnight UTC. Every writer takes its dates from here, never from the clock. With
    ``marks``, each content field's text is wrapped in ``span.field`` naming the field,
    and each note says what it cites (:mod:`memo.marks`): what a redline compares.
    With ``review_notes`` (marks implied), the open notes of ``review.yaml`` sit after
    their fields (:func:`memo.review.attach`): no drafting rule or budget reads them.

    The document's ``reads`` names the content files the render read (:mod:`memo.reads`).

    With a markings scale, the banner is derived from the fields shown and the
    paragraphs portion-marked (:func:`memo.markings.stamp`).

    Raises :class:`~memo.errors.ContentError` when text the templates print has no
    translation into ``lang``, when the result carries a phrase the profile forbids or
    lacks one the memo or the profile requires, when a section is over the profile's
    limit (:mod:`memo.drafting`), or when it shows a field above what the profile's
    ``release`` allows (:mod:`memo.markings`).
    """
    from memo.reads import Reading

    theme = as_theme(templates)
    # what the variant reads is what its files depend on: noted here, kept with them
    project = reading = Reading(project)
    wanted = marks or review_notes
    # a derived banner reads which fields the variant shows: the marks say
    marks = wanted or project.memo.markings is not None
    profile = project.audiences[audience]
    lang = lang or project.memo.lang
    name = template_for(profile, theme)
    created = created or f"{project.memo.date.isoformat()}T00:00:00Z"
    text, figures, loc = _run(project, profile, theme, lang, name, created, marks)
    if loc.problems:
        raise ContentError(loc.problems, what=f"{audience}-{lang}")
    doc = parse(text, audience=audience, lang=lang, template=name)
    if marks:
        from memo.marks import to_spans

        to_spans(doc.tree)
    doc.figures = figures
    if project.memo.markings is not None:
        from memo.markings import stamp

        stamp(doc, project, profile, lang, rules)
    if rules:  # off for an older version read to compare against (memo.redline)
        required = [(e, project.files["memo.yaml"], ("require", i))
                    for i, e in enumerate(project.memo.require)]
        required += [(e, profile._src, ("require", i)) for i, e in enumerate(profile.require)]
        drafting.check_phrases(doc, profile, required, project.memo.lang)
        drafting.check_limits(doc, profile)
    if review_notes:
        from memo.review import attach

        attach(doc.tree, project.review, lang)
    doc.reads = reading.noted()
    return doc if wanted else doc.plain()


def _run(project: Project, profile: Profile, theme: Theme, lang: str, name: str,
         created: str, marks: bool = False):
    """The templates' pass, its citations then formatted together: the HTML text, its
    figures, and the localizer holding any problems."""
    from memo.marks import sourced, split, unmark

    loc = Localizer(lang, project.memo.lang, marks)
    view = View(project, profile, lang, loc)
    labels = Labels(theme, loc)
    # str() of a missing label reports it
    cites = Citations([s.csl() for s in project.sources], style_for(project, theme), lang,
                      note_end=str(labels("note-end")))
    env = environment(theme)
    spaced = l10n.language(lang).spaced

    def years(value: Any) -> str:
        """A precedent's years as the language writes a range: 1983–1984, 1983～84."""
        if value.start == value.end:
            return str(value.start)
        return str(labels("year-range", start=value.start, end=value.end, end2=value.end2))

    def run_in(head: Any, end: bool = True) -> Markup:
        """A run-in heading, bold, and the space before its text where the language puts
        one (Japanese runs straight on after 。 or 】)."""
        mark = escape(str(labels("head-end"))) if end else ""
        return Markup(f"<strong>{escape(str(head))}{mark}</strong>{' ' if spaced else ''}")

    def heading(section: str, key: str) -> Any:
        """A section's heading: the label the profile names for it, else ``key``."""
        own = profile.headings.get(section)
        if own is not None and own not in labels.entries:
            loc.report((profile._src, ("headings", section), f"unknown label '{own}': "
                        f"add it to {labels.files}"))
            return ""
        return labels(own or key)

    def md(text: Any) -> Markup:
        if isinstance(text, l10n.Missing):
            return Markup(str(text))
        if not isinstance(text, str):
            raise TypeError(f"| md takes text, not {type(text).__name__}")
        key, text = split(text)
        return Markup(sourced(inline.render(unmark(text), cites, sourced=marks,
                                                     notes=cites.notes), key))

    env.filters["md"] = md
    env.filters["longdate"] = lambda d: l10n.longdate(d, lang)
    env.filters["years"] = years
    figures: dict = {}

    def timeline() -> Markup:
        """The precedents' timeline as an <img> (SVG); the DOCX writer takes its PNG."""
        from memo import figures as figs

        events = []
        for raw, p in zip(project.precedents, view.precedents, strict=True):
            label = labels("administration-years", administration=p.administration,
                           years=years(raw.years))
            events.append(figs.Event(unmark(str(label)), unmark(str(p.title)),
                                     raw.years.start, raw.years.end))
        alt = str(labels("timeline-alt", items="; ".join(f"{e.label}: {e.title}"
                                                         for e in events)))
        fig = figs.timeline(events, alt, theme, lang)
        key = f"figure-{len(figures) + 1}"
        figures[key] = fig
        return Markup(f'<img class="timeline" src="{fig.data_uri()}" alt="{escape(alt)}" '
                      f'data-figure="{key}">')

    try:
        text = env.get_template(name).render(
            view=view, memo=view.memo, profile=view.audience, lang=lang, t=labels,
            bibliography=lambda: Markup(BIBLIOGRAPHY),
            timeline=timeline, version=__version__, created=created, run_in=run_in,
            heading=heading, spaced=spaced,
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
    return cites.resolve(text, marks), figures, loc
