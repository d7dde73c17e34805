"""Footnotes, and blocks set like them (ACM's "Permission to make digital or hard copies ..."
and its copyright lines), at the foot of a page or of a column.

PDFium reads a page in the order it was drawn: a column's body text, then its footnotes, then
the next column's text. A paragraph running from one column into the next read "... the
method we [the footnote] propose ...", in chunks and in quotes. Such a block is taken out of
the page's body, to follow it (`pdf_text.normalise_pages`).

A block is a run of lines set smaller than the body text that starts below the line before it,
in the lower part of the page's text, and is the last thing in its column: the page ends after
it, or its running footer does, or the next line starts higher up (the next column).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.loaders.pdf_pages import PageLine

SMALL_RATIO = 0.95  # a line whose largest type is below this share of the body size is small
FOOT_SHARE = 0.5  # a block starts in this lower share of the page's text
MIN_LETTERS = 12  # fewer letters than this are a formula's pieces or a lone marker
FOOTER_LINES = 2  # lines after a block at the page's end that are its running footer
# A note's marker, a number or a symbol set as a superscript, glued to the note's first word
# ("3Yet another", "∗Corresponding author"), at a line's start or after a sentence.
_GLUED_MARKER = re.compile(r"(?:^|(?<=[.!?)] ))(\d{1,3}(?=[A-Z][a-z])|[∗†‡§¶]+(?=[^\W\d_]))", re.M)


@dataclass(frozen=True, slots=True)
class PageParts:
    body: list[PageLine]
    notes: list[PageLine]  # the page's footnote blocks, in the order they were drawn


def page_parts(lines: Sequence[PageLine], body_size: float | None) -> PageParts:
    """A page's body lines and its footnote blocks apart."""
    placed = [index for index, line in enumerate(lines) if line.text.strip()]
    shown = [lines[index] for index in placed]
    if body_size is None or not shown or all(line.top == line.bottom == 0 for line in shown):
        return PageParts(list(lines), [])
    lowest = min(line.bottom for line in shown)
    foot = lowest + FOOT_SHARE * (max(line.top for line in shown) - lowest)
    in_notes: set[int] = set()  # indexes into `lines`
    at = 0
    while at < len(shown):
        end = _block_end(shown, at, body_size, foot)
        if end is None:
            at += 1
        else:
            in_notes.update(placed[at:end])
            at = end
    return PageParts(
        [line for index, line in enumerate(lines) if index not in in_notes],
        [lines[index] for index in sorted(in_notes)],
    )


def _block_end(lines: Sequence[PageLine], start: int, body_size: float, foot: float) -> int | None:
    """Where a footnote block starting at `start` ends, or None when none starts there."""
    first, before = lines[start], lines[start - 1] if start else None
    if before is None or not _small(first, body_size) or first.top > foot:
        return None
    if first.top >= before.bottom or not _body_text(before, body_size):
        return None  # not where small type starts below the body text (not a heading)
    end = start + 1
    while end < len(lines) and _small(lines[end], body_size) and lines[end].top < first.top:
        end += 1
    after = lines[end] if end < len(lines) else None
    footer = end >= len(lines) - FOOTER_LINES and all(
        line.top <= lines[end - 1].bottom for line in lines[end:]
    )
    # the next column goes on in the block's type: a reference list, not a footnote
    at_foot = after is None or footer or (after.top >= first.top and not _same_type(after, first))
    letters = sum(char.isalpha() for line in lines[start:end] for char in line.text)
    return end if at_foot and letters >= MIN_LETTERS else None


def _body_text(line: PageLine, body_size: float) -> bool:
    """A line of running text: at the body size, neither bold nor in capitals ("REFERENCES")."""
    return (
        not line.bold
        and not line.text.isupper()
        and SMALL_RATIO * body_size <= line.size < body_size / SMALL_RATIO
    )


def _same_type(line: PageLine, other: PageLine) -> bool:
    return line.bold == other.bold and round(line.size, 1) == round(other.size, 1)


def _small(line: PageLine, body_size: float) -> bool:
    return 0 < line.size < SMALL_RATIO * body_size


def with_markers_apart(notes: str) -> str:
    """Footnotes with each marker a word of its own: "3Yet another" was the word "3yet" to a
    search for "yet", "1Department" no department."""
    return _GLUED_MARKER.sub(r"\1 ", notes)
