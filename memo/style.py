"""The house style's page and colours: the one place the Python side states them.

The figures (:mod:`memo.figures`), the DOCX reference document
(:mod:`memo.writers.reference`), the DOCX writer and the preview take their measures and
colours from here. The built-in theme's CSS states the same values for the PDF and the
HTML (``--accent`` and the rest in ``css/memo.css``, the page box in ``css/print.css``);
a test holds the two sides equal, so a change made on one side only fails the suite.
"""

from __future__ import annotations

import math

# US Letter, as the PDF's @page sets it.
PAGE_WIDTH_IN, PAGE_HEIGHT_IN = 8.5, 11.0
MARGIN_TOP_IN, MARGIN_BOTTOM_IN, MARGIN_SIDE_IN = 0.75, 0.8, 0.9
TEXT_WIDTH_IN = PAGE_WIDTH_IN - 2 * MARGIN_SIDE_IN  # 6.7 in
TEXT_WIDTH_PT = float(math.floor(TEXT_WIDTH_IN * 72))  # 482 pt: what a figure may fill

# The palette, as "#rrggbb"; hex() gives Word's "RRGGBB".
ACCENT = "#1f3a5f"  # headings, rules, the summary box's border, links
INK = "#1b1f24"  # body text
MUTED = "#4a5561"  # captions, notes on precedents, page numbers
RULE = "#9aa5b1"  # hairlines
TINT = "#eef2f6"  # the summary box's ground
MARK = "#7a1f1f"  # the classification marking


def hex_(color: str) -> str:
    """``"#1f3a5f"`` -> ``"1F3A5F"``, as OOXML writes colours."""
    return color.removeprefix("#").upper()
