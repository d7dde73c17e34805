"""Underscores TeX draws as rules, not glyphs: Texinfo's `\\_` outside typewriter type and
LaTeX's in its default (OT1) text fonts are a short line on the baseline, a path with no
character behind it. PDFium reads the gap it leaves as a space: Nettle's manual read
"size t key_length, const uint8 t *key", bash's "($ , an underscore.)" for "($_, an
underscore.)" and "LC MESSAGES" for "LC_MESSAGES".

A rule stands for an underscore where it lies between two glyphs of one line, on their
baseline, as long as an underscore is wide and no thicker than one: Nettle's and bash's are
0.42 of the font's size wide and 0.09 high. Underlines, table rules and fraction bars are
wider, thicker or above the baseline.
"""

from __future__ import annotations

import ctypes
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MIN_WIDTH_EM = 0.2  # a rule's width, in sizes of the font of the glyphs around it
MAX_WIDTH_EM = 0.8
MAX_HEIGHT_EM = 0.15
BASELINE_EM = 0.15  # how far the rule's foot may be from the glyphs' baseline
SLACK_EM = 0.1  # how far into a neighbouring glyph's box the rule may reach
# Path bounds in points before the font's size is known: generous, to skip most paths fast.
_MAX_HEIGHT_PT = 3.0
_MAX_WIDTH_PT = 20.0
# Paths looked at on one page, at about 4 us each: a page of Nettle's manual draws under 100,
# a page that draws more than this is a chart or a map, whose labels are no code; 50,000
# took 183 ms to look through.
MAX_PATHS = 10_000


@dataclass(frozen=True, slots=True)
class Rule:
    """A short horizontal rule of a page, in points up from the page's foot."""

    left: float
    right: float
    bottom: float
    top: float


def page_rules(raw_page: Any, pdfium_c: Any) -> list[Rule]:
    """The page's paths short and thin enough to be drawn underscores, left to right; none on
    a page that draws more than `MAX_PATHS` paths."""
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    corners = [ctypes.byref(c) for c in (left, bottom, right, top)]
    rules: list[Rule] = []
    paths = 0
    for index in range(pdfium_c.FPDFPage_CountObjects(raw_page)):
        item = pdfium_c.FPDFPage_GetObject(raw_page, index)
        if pdfium_c.FPDFPageObj_GetType(item) != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        paths += 1
        if paths > MAX_PATHS:
            return []
        if not pdfium_c.FPDFPageObj_GetBounds(item, *corners):
            continue
        height, width = top.value - bottom.value, right.value - left.value
        if height <= _MAX_HEIGHT_PT and 0 < width <= _MAX_WIDTH_PT:
            rules.append(Rule(left.value, right.value, bottom.value, top.value))
    rules.sort(key=lambda rule: rule.left)
    return rules


def rules_between(rules: Sequence[Rule], after: float, before: float, size: float) -> list[Rule]:
    """The rules of `rules` (left to right) in the gap between a glyph ending at `after` and
    the next starting at `before`, of a font of `size`."""
    slack = SLACK_EM * size
    first = bisect_left(rules, after - slack, key=lambda rule: rule.left)
    inside = []
    for rule in rules[first:]:
        if rule.left > before + slack:
            break
        if rule.right <= before + slack:
            inside.append(rule)
    return inside


def gap_text(
    rules: Sequence[Rule], after: float, before: float, baseline: float, size: float, space: float
) -> str | None:
    """What a gap between two glyphs (`after`, `before`: their facing edges) on `baseline`
    holds, given the rules in it (`rules_between`): "_" (or "__") where they are drawn
    underscores, with a space on the side where the gap beside them is wider than `space`
    ("$ _x"); None where none is."""
    drawn = [
        rule
        for rule in rules
        if MIN_WIDTH_EM * size <= rule.right - rule.left <= MAX_WIDTH_EM * size
        and rule.top - rule.bottom <= MAX_HEIGHT_EM * size
        and abs(rule.bottom - baseline) <= BASELINE_EM * size
    ]
    if not drawn:
        return None
    opening = " " if drawn[0].left - after > space else ""
    closing = " " if before - drawn[-1].right > space else ""
    return f"{opening}{'_' * len(drawn)}{closing}"
