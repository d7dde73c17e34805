"""Where a section's text is in its file, kept right while sections are trimmed and joined.

A section's `line` is the file line its text starts on; its `lines`, when its text lines do
not follow one another in the file, the file line of each. Text that is in no file line
(a blank line between joined sections, a heading repeated in front of its text) takes the
line of the text before it, or of the text it leads, never a later one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise

from ingest.types import Section

_TEXT = re.compile(r"\S")


def file_lines(section: Section) -> tuple[int, ...] | None:
    """The file line of each of the section's text lines; None where lines are not known."""
    return text_lines(section.text, section.line, section.lines)


def text_lines(text: str, line: int | None, lines: Sequence[int] | None) -> tuple[int, ...] | None:
    """The file line of each line of `text`, whose first line is at `line` and whose lines
    are at `lines` (empty: they follow one another; None: not recorded, as `line_at` reads
    them); None where they are not known."""
    if line is None or lines is None:
        return None
    if lines:
        return tuple(lines)
    return tuple(range(line, line + text.count("\n") + 1))


def lines_fit(section: Section) -> bool:
    """Whether the section's `lines`, if any, start at its `line` and number each text line."""
    return not section.lines or (
        section.line == section.lines[0] and len(section.lines) == section.text.count("\n") + 1
    )


def placed(section: Section, text: str, numbers: Sequence[int] | None) -> Section:
    """`section` holding `text`, whose lines are at `numbers` in the file (None: unknown)."""
    if not numbers:
        return replace(section, text=text, line=None, lines=())
    return replace(section, text=text, line=numbers[0], lines=irregular(numbers))


def irregular(numbers: Sequence[int]) -> tuple[int, ...]:
    """Line numbers as `Section.lines` and `Chunk.lines` keep them: all of them when they do
    not follow one another, () when they do (the first line says it all)."""
    following = all(after == before + 1 for before, after in pairwise(numbers))
    return () if following else tuple(numbers)


def trimmed(section: Section) -> Section:
    """The section without blank lines at its start and end."""
    text = section.text.strip("\n")
    if text == section.text:
        return section
    numbers = file_lines(section)
    if numbers is not None:
        first = len(section.text) - len(section.text.lstrip("\n"))
        numbers = numbers[first : first + text.count("\n") + 1]
    return placed(section, text, numbers)


def joined(first: Section, second: Section, separator: str) -> Section:
    """`first` with `separator` (newlines) and `second`'s text after its own."""
    text = first.text + separator + second.text
    before, after = file_lines(first), file_lines(second)
    if before is None:
        return placed(first, text, None)
    if after is None:  # nothing known of the second part's lines: it is after the first's
        after = (before[-1],) * (second.text.count("\n") + 1)
    gap = separator.count("\n") - 1
    last = max(before[-1], after[0] - 1)
    between = tuple(min(before[-1] + step, last) for step in range(1, gap + 1))
    return placed(first, text, before + between + after)


def led_by(section: Section, heading: str) -> Section:
    """The section with a line of `heading` (in no file line) in front of its text."""
    numbers = file_lines(section)
    led = None if numbers is None else (numbers[0], *numbers)
    return placed(section, heading + "\n" + section.text, led)


def line_at(text: str, offset: int, line: int | None, lines: Sequence[int] | None) -> int | None:
    """The file line of the text at character `offset` of a chunk's `text` (blanks skipped),
    whose first line is at `line` and whose text lines are at `lines` (empty: they follow one
    another; None: not recorded, in a store from before chunks kept them, so the first line
    is all that is known)."""
    if line is None or lines is None:
        return line
    found = _TEXT.search(text, offset)  # the line of what starts there, not of a newline
    index = text.count("\n", 0, found.start() if found else offset)
    if not lines:
        return line + index
    return lines[min(index, len(lines) - 1)]
