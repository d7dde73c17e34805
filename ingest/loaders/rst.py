"""reStructuredText: sections from underlined (and overlined) titles, levels in order of use."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.loaders.decoding import read_text
from ingest.loaders.headings import SectionBuilder
from ingest.types import Section

SUFFIXES = (".rst", ".rest")

_ADORNMENT = re.compile(r"^([=\-`:'\"~^_*+#<>.])\1{2,}\s*$")


def load(path: Path) -> list[Section]:
    return parse(read_text(path))


def parse(text: str) -> list[Section]:
    builder = SectionBuilder()
    styles: list[tuple[str, bool]] = []  # (character, overlined) in order of first use
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        title = _title_at(lines, index)
        if title is None:
            builder.add([lines[index]], index + 1)
            index += 1
            continue
        text_line, style, used = title
        if style not in styles:
            styles.append(style)
        builder.heading(styles.index(style) + 1, lines[text_line].strip())
        builder.add(lines[index : index + used], index + 1)
        index += used
    return builder.finish()


def _title_at(lines: list[str], i: int) -> tuple[int, tuple[str, bool], int] | None:
    """(title line index, style, lines used) when a section title starts at line i."""
    over = _ADORNMENT.match(lines[i])
    if over and i + 2 < len(lines):
        title, under = lines[i + 1], _ADORNMENT.match(lines[i + 2])
        if title.strip() and under and under.group(1) == over.group(1):
            return i + 1, (over.group(1), True), 3
    if i + 1 < len(lines) and lines[i].strip() and not over:
        under = _ADORNMENT.match(lines[i + 1])
        if (
            under
            and len(lines[i + 1].rstrip()) >= len(lines[i].rstrip())
            and not lines[i][0].isspace()
        ):
            return i, (under.group(1), False), 2
    return None
