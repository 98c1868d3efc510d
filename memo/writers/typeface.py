"""An audience's typography (a profile's ``typography``): body face, size and margins, as
the PDF and DOCX writers set them.

The template carries the profile's choice into the document's ``<head>``
(``memo.typography.face``, ``.size``, ``.margins``), and the writers read it from there,
as they read every other choice, never from the profile.

A face an office asks for is often not free to embed (Times New Roman, Arial and Courier
New belong to Monotype). The PDF then embeds a free face drawn to the same metrics, so
every line breaks where it would in the named face and the page count holds; the DOCX
names the face itself, the one the office's Word has and expects to see in the style.
The size is the body text's; everything else the theme sizes (headings, notes, the
marking) keeps its proportion to it, so a heading stays larger than the text under it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from memo.errors import MemoError

if TYPE_CHECKING:
    from memo.document import Document

# Face -> (a free face with the same advance widths, the Debian package that has it).
# Liberation 2 and Carlito/Caladea were drawn metric-compatible with these on purpose.
SUBSTITUTES: dict[str, tuple[str, str]] = {
    "times new roman": ("Liberation Serif", "fonts-liberation2"),
    "arial": ("Liberation Sans", "fonts-liberation2"),
    "courier new": ("Liberation Mono", "fonts-liberation2"),
    "calibri": ("Carlito", "fonts-crosextra-carlito"),
    "cambria": ("Caladea", "fonts-crosextra-caladea"),
}

SIZE_MIN, SIZE_MAX = 8, 24  # points: below is unreadable, above is a poster
# points per unit: the absolute CSS units a theme may size text in
_ABSOLUTE = {"pt": 1.0, "px": 0.75, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "pc": 12.0}
POINTS = {u: _ABSOLUTE[u] for u in ("in", "cm", "mm", "pt")}  # those a margin is given in
MARGIN_MIN, MARGIN_MAX = 18.0, 216.0  # 0.25in (room for the marking) to 3in
_ONE = r"(\d+(?:\.\d+)?|\.\d+)(in|cm|mm|pt)"
_LENGTH = re.compile(_ONE)
LENGTHS_PATTERN = rf"^\s*{_ONE}(?:\s+{_ONE}){{0,3}}\s*$"  # the JSON Schema's, for editors
_FACE_PUNCTUATION = set(" -.'&+")


def _substitute(face: str) -> tuple[str, str] | None:
    """(the free face, its package) for ``face``, or None when ``face`` is its own."""
    return SUBSTITUTES.get(" ".join(face.split()).casefold())


def substitute(face: str) -> str | None:
    """The free face the PDF embeds for ``face``, or None when ``face`` is its own."""
    hit = _substitute(face)
    return hit[0] if hit else None


def check_face(value: str) -> str:
    """A font family's name, as a profile may give it. Only the characters family names
    are made of: the name goes into a stylesheet and into Word's styles."""
    name = " ".join(value.split())
    if not name:
        raise ValueError("must not be empty")
    bad = [c for c in name if c not in _FACE_PUNCTUATION
           and unicodedata.category(c)[0] not in "LMN"]
    if bad or len(name) > 64:
        raise ValueError("expected a font's family name, like Times New Roman: letters, "
                         "digits, spaces and - . ' & +, at most 64 characters")
    return name


def parse_margins(value: str) -> tuple[float, float, float, float]:
    """``"1in"``, ``"1in 0.9in"``, ... (one to four lengths, as CSS's ``margin``) -> top,
    right, bottom and left in points; ValueError saying what is wanted otherwise."""
    parts = value.split()
    found = [_LENGTH.fullmatch(p) for p in parts]
    if not 1 <= len(parts) <= 4 or not all(found):
        raise ValueError("expected one to four lengths like 1in, 2.5cm, 25mm or 72pt (top, "
                         "right, bottom, left, as in CSS)")
    out = [round(float(m.group(1)) * POINTS[m.group(2)], 3) for m in found]
    for text, pt in zip(parts, out, strict=True):
        if not MARGIN_MIN <= pt <= MARGIN_MAX:
            raise ValueError(f"a margin of {text} is not between 0.25in and 3in")
    return _sides(out)


def _sides(v: list[float]) -> tuple[float, float, float, float]:
    """CSS's shorthand: 1 value for all sides, 2 for vertical/horizontal, 3 for top,
    horizontal, bottom, 4 clockwise from the top."""
    if len(v) == 1:
        return v[0], v[0], v[0], v[0]
    if len(v) == 2:
        return v[0], v[1], v[0], v[1]
    if len(v) == 3:
        return v[0], v[1], v[2], v[1]
    return v[0], v[1], v[2], v[3]


@dataclass(frozen=True)
class Typography:
    """What the document asks for; None where it leaves the theme's choice."""

    face: str | None = None
    size: float | None = None  # points
    margins: tuple[float, float, float, float] | None = None  # points: top, right, bottom, left

    @property
    def pdf_face(self) -> str | None:
        """The face the PDF sets the body in: the named one, or its free stand-in."""
        return self.face and (substitute(self.face) or self.face)


def of(doc: Document) -> Typography | None:
    """The document's typography (its ``memo.typography.*`` meta tags), None if none."""
    face, size, margins = (doc.meta(f"memo.typography.{k}") for k in ("face", "size", "margins"))
    if not (face or size or margins):
        return None
    try:  # a profile's values were checked on loading; a template may write its own
        points = float(size) if size else None
        if points is not None and not SIZE_MIN <= points <= SIZE_MAX:
            raise ValueError(f"a size of {size} points is not between {SIZE_MIN} and {SIZE_MAX}")
        return Typography(check_face(face) if face else None, points,
                          parse_margins(margins) if margins else None)
    except ValueError as exc:
        raise MemoError(f"the document's typography (memo.typography.* in its <head>): "
                        f"{exc}") from None


def _num(x: float) -> str:
    return f"{x:.3f}".rstrip("0").rstrip(".")


# --- PDF --------------------------------------------------------------------------------

def pdf_css(t: Typography) -> str:
    """The stylesheet that goes after the theme's: the body's face and size, the page's
    margins (its margin boxes, the marking and the page number, stay as the theme set
    them). The theme's serif stack follows the face, for the scripts it lacks (CJK)."""
    body = []
    if t.pdf_face:
        body.append(f"font-family: {_css_string(t.pdf_face)}, var(--serif, serif)")
    if t.size:
        body.append(f"font-size: {_num(t.size)}pt")
    rules = ["body { " + "; ".join(body) + "; }"] if body else []
    if t.margins:
        rules.append("@page { margin: " + " ".join(f"{_num(m)}pt" for m in t.margins) + "; }")
    return "\n".join(rules)


def _css_string(text: str) -> str:
    return '"' + re.sub(r'(["\\])', r"\\\1", text) + '"'


def body_size(sheets: list[str]) -> float:
    """The body text's size in points, as the theme's stylesheets set it (the last rule
    for ``body`` that gives one in an absolute unit); CSS's medium, 12pt, if none does."""
    import tinycss2

    size = 12.0
    for text in sheets:
        for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
            if rule.type != "qualified-rule" or tinycss2.serialize(rule.prelude).strip() != "body":
                continue
            for decl in tinycss2.parse_blocks_contents(rule.content, skip_comments=True,
                                                       skip_whitespace=True):
                if decl.type == "declaration" and decl.lower_name == "font-size":
                    value = [v for v in decl.value if v.type != "whitespace"]
                    if len(value) == 1 and value[0].type == "dimension" \
                            and value[0].lower_unit in _ABSOLUTE:
                        size = value[0].value * _ABSOLUTE[value[0].lower_unit]
    return size


def scaled_theme(sheets: list[str], size: float) -> list[str]:
    """The theme's stylesheets with its text sizes in proportion to a body of ``size``
    points: headings, notes, the marking. A size over twice the body's is no text size
    but the page's (a draft's watermark, sized to the page): it stays."""
    body = body_size(sheets)
    return [scaled_css(text, size / body, 2 * body) for text in sheets]


def scaled_css(text: str, k: float, limit: float = float("inf")) -> str:
    """A stylesheet with every absolute ``font-size`` up to ``limit`` points multiplied
    by ``k``. Relative sizes (``em``, ``%``) follow by themselves; line heights are
    relative in the theme. (The ``font`` shorthand is not read: the theme has none.)"""
    import tinycss2

    nodes = tinycss2.parse_component_value_list(text)
    _scale(nodes, k, limit)
    return tinycss2.serialize(nodes)


def _scale(nodes: list, k: float, limit: float) -> None:
    from tinycss2.ast import DimensionToken

    state = 0  # 1: just after a font-size property's name, 2: after its colon
    for i, node in enumerate(nodes):
        kind = node.type
        if kind in ("whitespace", "comment"):
            continue
        if kind == "ident" and node.lower_value == "font-size":
            state = 1
            continue
        if state == 1 and kind == "literal" and node.value == ":":
            state = 2
            continue
        if state == 2 and kind == "dimension" and node.lower_unit in _ABSOLUTE \
                and node.value * _ABSOLUTE[node.lower_unit] <= limit:
            value = node.value * k
            nodes[i] = DimensionToken(node.source_line, node.source_column, value, None,
                                      _num(value), node.unit)
            continue
        if kind == "literal" and node.value == ";" or state == 1:
            state = 0
        if kind in ("{} block", "[] block", "() block"):
            _scale(node.content, k, limit)
            state = 0


def check_embedded(t: Typography, families: set[str]) -> None:
    """Refuse a PDF whose body is not in the face asked for: Pango would silently have
    set it in the next face of the stack when this machine lacks the face."""
    want = t.pdf_face
    if not want or want.casefold() in {f.casefold() for f in families}:
        return
    hit = _substitute(t.face or "")
    if hit:
        raise MemoError(f"the PDF sets {t.face} as {want}, the free face with its metrics, "
                        f"and {want} is not installed: install {hit[1]} (./dev installs it)")
    raise MemoError(f"the body face {want} is not installed here, so the PDF would be set in "
                    "another: install it, or name an installed face in the profile")


# --- DOCX -------------------------------------------------------------------------------

def _w(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(f"w:{tag}")


def docx_page(word, t: Typography | None) -> None:
    """The section's margins. Before the body is written: a picture is sized to the text
    width. The header and footer's centre and right tabs move with the text's edges."""
    if t is None or t.margins is None:
        return
    from docx.shared import Emu, Pt

    sec = word.sections[0]
    old = sec.page_width - sec.left_margin - sec.right_margin
    top, right, bottom, left = (Pt(m) for m in t.margins)
    sec.top_margin, sec.right_margin, sec.bottom_margin, sec.left_margin = top, right, bottom, left
    # the header and footer stay inside the margins they print in
    sec.header_distance = Emu(min(sec.header_distance, top // 2))
    sec.footer_distance = Emu(min(sec.footer_distance, bottom // 2))
    new = sec.page_width - left - right
    for name in ("Header", "Footer", "Marking"):
        ppr = word.styles[name].element.pPr
        for tab in (ppr.tabs if ppr is not None and ppr.tabs is not None else ()):
            tab.pos = Emu(round(tab.pos * new / old))


def docx_styles(word, t: Typography | None) -> None:
    """The body face and size, on the styles: Normal, which the body styles are based
    on, and any style that names the same face itself. After the document's language is
    set (:mod:`memo.writers.wordprops`): ``w:eastAsia``, the face of CJK text, stays
    as that made it, the Noto CJK face."""
    if t is None:
        return
    styles = word.styles.element
    normal = word.styles["Normal"].element
    if t.size:
        _scale_sizes(styles, normal, t.size)
    if t.face:
        _set_face(styles, normal, t.face)


def _scale_sizes(styles, normal, size: float) -> None:
    """Normal at ``size``; every other size (and line pitch, and space around a
    paragraph) by the same factor, so the headings keep their proportion to the text."""
    from memo.writers.oxml import default_rpr

    defaults = default_rpr(styles)
    own = normal.find(f"{_w('rPr')}/{_w('sz')}")
    base = own if own is not None else (defaults.find(_w("sz")) if defaults is not None
                                        else None)
    k = size * 2 / (int(base.get(_w("val"))) if base is not None else 20)  # half points
    for el in (*styles.iter(_w("sz")), *styles.iter(_w("szCs"))):
        el.set(_w("val"), str(max(2, round(int(el.get(_w("val"))) * k))))
    for el in styles.iter(_w("spacing")):
        if el.get(_w("lineRule")) in ("exact", "atLeast") and el.get(_w("line")):
            el.set(_w("line"), str(round(int(el.get(_w("line"))) * k)))
        for side in ("before", "after"):
            if el.get(_w(side)):
                el.set(_w(side), str(round(int(el.get(_w(side))) * k)))
    # exactly the size asked, whatever the rounding above made; complex scripts too
    sz = normal.get_or_add_rPr().get_or_add_sz()
    cs = sz.getnext() if sz.getnext() is not None and sz.getnext().tag == _w("szCs") else None
    if cs is None:
        from docx.oxml import OxmlElement

        cs = OxmlElement("w:szCs")
        sz.addnext(cs)  # szCs follows sz in CT_RPr's order
    for el in (sz, cs):
        el.set(_w("val"), str(round(size * 2)))


def _set_face(styles, normal, face: str) -> None:
    """The face on Normal and wherever the body's face was named: the Latin (ascii,
    hAnsi) and complex-script (cs) slots. A theme font (asciiTheme...) would win over a
    named one in Word, so the style's own is removed."""
    from memo.writers.oxml import default_rpr

    defaults = default_rpr(styles)
    own = normal.find(f"{_w('rPr')}/{_w('rFonts')}")
    named = own if own is not None and own.get(_w("ascii")) else (
        defaults.find(_w("rFonts")) if defaults is not None else None)
    body = named.get(_w("ascii")) if named is not None else None
    targets = [normal.get_or_add_rPr().get_or_add_rFonts()]
    if body:
        targets += [f for f in styles.iter(_w("rFonts")) if f.get(_w("ascii")) == body]
    for fonts in targets:
        for slot in ("ascii", "hAnsi", "cs"):
            fonts.set(_w(slot), face)
        for slot in ("asciiTheme", "hAnsiTheme", "cstheme"):
            fonts.attrib.pop(_w(slot), None)
