"""Figures generated from the content: the precedents' timeline.

One layout, two renderers: :func:`timeline` places every mark and label once, in points,
then draws the same geometry as SVG (for the PDF and the HTML, vector) and as PNG at
200 dpi (for the DOCX, which Word shows more reliably than SVG). Text is measured with
the theme's Noto Sans (Noto Sans CJK for Korean and Japanese), so labels are placed where
they will print; the figure records those font files, since its layout depends on them.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from html import escape
from pathlib import Path

from memo.errors import MemoError
from memo.l10n import language
from memo.style import ACCENT, INK, MUTED, RULE, TEXT_WIDTH_PT
from memo.theme import Theme

WIDTH = TEXT_WIDTH_PT  # points: the figure fills the text width
DPI = 200


@dataclass
class Event:
    label: str  # "Johnson, 1965"
    title: str  # what happened
    start: int
    end: int


@dataclass
class Figure:
    svg: str
    alt: str
    width_pt: float
    height_pt: float
    fonts: tuple = ()  # the font files its text was measured and drawn with
    font_places: dict = field(default_factory=dict)  # system fonts' paths, by FontFile.key
    draw_png: Callable[[], bytes] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def png(self) -> bytes:
        """The figure at 200 dpi, drawn when first asked for: only the DOCX writer does,
        so `memo check`, the preview and the other formats never pay for it."""
        return self.draw_png()

    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


@dataclass
class _Text:
    x: float
    y: float
    text: str
    size: float
    bold: bool = False
    color: str = INK


@dataclass
class _Layout:
    height: float
    texts: list[_Text] = field(default_factory=list)
    lines: list[tuple[float, float, float, float, str, float]] = field(default_factory=list)
    bars: list[tuple[float, float, float, float]] = field(default_factory=list)




def _cjk_face(lang: str) -> str | None:
    region = language(lang).cjk
    return f"Noto Sans CJK {region}" if region else None


@dataclass
class _Faces:
    regular: object  # size -> PIL font
    bold: object
    fonts: tuple  # memo.fonts.FontFile records of the files
    places: dict  # the system ones' paths, by FontFile.key


def _fonts(theme: Theme, lang: str = "en") -> _Faces:
    """Regular and bold faces for measuring and for the PNG: the theme's Noto Sans, or
    for Korean and Japanese the Noto Sans CJK face fontconfig gives (the SVG names the
    same faces, so both renderings agree)."""
    from PIL import ImageFont

    from memo import fonts

    face = _cjk_face(lang)
    found, places = [], {}
    if face:
        for bold in (False, True):
            record, path = fonts.system_face(face, bold=bold)
            found.append((Path(path), record))
            places[record.key] = path
    else:
        for name in ("fonts/NotoSans-Regular.ttf", "fonts/NotoSans-Bold.ttf"):
            path = theme.find(name)
            if path is None:
                raise MemoError(f"the timeline needs {name} in the theme ({theme.where()})")
            found.append((path, fonts.describe(path, 0, "theme", file=name)))

    def loader(path: Path, index: int):
        return lambda size: ImageFont.truetype(str(path), size=max(1, round(size)),
                                               index=index)

    (p0, r0), (p1, r1) = found
    return _Faces(loader(p0, r0.index), loader(p1, r1.index), (r0, r1), places)


def _wrap(text: str, width: float, measure) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if line and measure(trial) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return [*lines, line][:3] if line else lines[:3]


def _layout(events: list[Event], faces: _Faces) -> _Layout:
    regular, bold = faces.regular, faces.bold
    scale = 10  # measure at 10x and divide: Pillow sizes are whole pixels

    def width(text: str, size: float, heavy: bool = False) -> float:
        font = (bold if heavy else regular)(size * scale)
        return font.getlength(text) / scale

    first = min(e.start for e in events)
    last = max(e.end for e in events)
    lo, hi = math.floor(first / 10) * 10 - 2, math.ceil(last / 10) * 10 + 2
    left, right = 12.0, WIDTH - 12.0

    def x(year: float) -> float:
        return left + (year - lo) / (hi - lo) * (right - left)

    events = sorted(events, key=lambda e: (e.start, e.end))
    bars = []
    for e in events:
        x0, x1 = x(e.start), x(e.end + 1) - 1
        if x1 - x0 < 5:
            x0, x1 = (x0 + x1) / 2 - 2.5, (x0 + x1) / 2 + 2.5
        bars.append((x0, x1))
    mids = [(a + b) / 2 for a, b in bars]
    # Each label block may take the room to its neighbours' marks; then any overlap left
    # is pushed apart, left to right, and the row pulled back inside the margins.
    gap = 8.0
    room = [min(mids[i] - (mids[i - 1] if i else left - (mids[i] - left)),
                (mids[i + 1] if i + 1 < len(mids) else right + (right - mids[i])) - mids[i])
            - gap for i in range(len(mids))]
    wrapped = [_wrap(e.title, max(60.0, min(170.0, r)), lambda t: width(t, 7.5))
               for e, r in zip(events, room, strict=True)]
    halves = [max([width(e.label, 8.5, True)] + [width(t, 7.5) for t in lines]) / 2
              for e, lines in zip(events, wrapped, strict=True)]
    centers = [min(max(m, left + h), right - h) for m, h in zip(mids, halves, strict=True)]
    for i in range(1, len(centers)):
        centers[i] = max(centers[i], centers[i - 1] + halves[i - 1] + gap + halves[i])
    for i in range(len(centers) - 1, -1, -1):
        limit = right - halves[i] if i == len(centers) - 1 else \
            centers[i + 1] - halves[i + 1] - gap - halves[i]
        centers[i] = min(centers[i], limit)

    rows = max(len(w) for w in wrapped)
    axis = 24 + rows * 10 + 12
    out = _Layout(height=axis + 24)
    out.lines.append((left, axis, right, axis, RULE, 0.8))
    for decade in range(math.ceil(lo / 10) * 10, hi + 1, 10):
        out.lines.append((x(decade), axis, x(decade), axis + 4, RULE, 0.8))
        out.texts.append(_Text(x(decade), axis + 14, str(decade), 7, color=MUTED))
    for event, lines, (x0, x1), mid, cx in zip(events, wrapped, bars, mids, centers,
                                                 strict=True):
        out.bars.append((x0, axis - 4, x1, axis + 4))
        out.texts.append(_Text(cx, 12, event.label, 8.5, bold=True, color=ACCENT))
        for i, text in enumerate(lines):
            out.texts.append(_Text(cx, 24 + i * 10, text, 7.5, color=MUTED))
        out.lines.append((mid, 24 + rows * 10 - 4, mid, axis - 5, RULE, 0.6))
    return out


def _svg(layout: _Layout, alt: str, lang: str) -> str:
    face = _cjk_face(lang)
    family = f"Noto Sans, {face}, sans-serif" if face else "Noto Sans, sans-serif"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH / 72:.3f}in" '
             f'height="{layout.height / 72:.3f}in" viewBox="0 0 {WIDTH:g} {layout.height:g}" '
             f'role="img" aria-label="{escape(alt)}"><title>{escape(alt)}</title>']
    for x1, y1, x2, y2, color, w in layout.lines:
        parts.append(f'<line x1="{x1:.2f}" y1="{y1:.2f}" x2="{x2:.2f}" y2="{y2:.2f}" '
                     f'stroke="{color}" stroke-width="{w}"/>')
    for x0, y0, x1, y1 in layout.bars:
        parts.append(f'<rect x="{x0:.2f}" y="{y0:.2f}" width="{x1 - x0:.2f}" '
                     f'height="{y1 - y0:.2f}" rx="2" fill="{ACCENT}"/>')
    for t in layout.texts:
        weight = ' font-weight="bold"' if t.bold else ""
        parts.append(f'<text x="{t.x:.2f}" y="{t.y:.2f}" text-anchor="middle" '
                     f'font-family="{family}" font-size="{t.size}"{weight} '
                     f'fill="{t.color}">{escape(t.text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _png(layout: _Layout, faces: _Faces) -> bytes:
    from PIL import Image, ImageDraw

    regular, bold = faces.regular, faces.bold
    s = DPI / 72
    img = Image.new("RGB", (round(WIDTH * s), round(layout.height * s)), "white")
    draw = ImageDraw.Draw(img)
    for x1, y1, x2, y2, color, w in layout.lines:
        draw.line([(x1 * s, y1 * s), (x2 * s, y2 * s)], fill=color, width=max(1, round(w * s)))
    for x0, y0, x1, y1 in layout.bars:
        draw.rounded_rectangle([x0 * s, y0 * s, x1 * s, y1 * s], radius=2 * s, fill=ACCENT)
    for t in layout.texts:
        font = (bold if t.bold else regular)(t.size * s)
        draw.text((t.x * s, t.y * s), t.text, font=font, fill=t.color, anchor="ms")
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)  # no time stamp, no text chunks: same bytes each time
    return buf.getvalue()


def timeline(events: list[Event], alt: str, theme: Theme, lang: str = "en") -> Figure:
    """The timeline of ``events``, as SVG and PNG from one layout, with ``alt`` text."""
    if not events:
        raise MemoError("the timeline needs at least one precedent")
    faces = _fonts(theme, lang)
    layout = _layout(events, faces)
    return Figure(_svg(layout, alt, lang), alt, WIDTH, layout.height, faces.fonts,
                  faces.places, lambda: _png(layout, faces))
