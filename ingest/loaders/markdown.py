"""Markdown: one section per heading, with the heading path ("Guide > Install > Linux")."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from ingest.loaders.decoding import read_text
from ingest.loaders.headings import SectionBuilder
from ingest.types import Section

SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mdx")

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```+|~~~+)")


def load(path: Path) -> list[Section]:
    return parse(read_text(path))


def parse(text: str) -> list[Section]:
    builder = SectionBuilder()
    lines = text.split("\n")
    fence: str | None = None
    for number, line in enumerate(lines, start=1):
        opening = _FENCE.match(line)
        if opening and (fence is None or opening.group(1)[0] == fence[0]):
            fence = None if fence else opening.group(1)
        atx = None if fence or opening else _ATX.match(line)
        if atx:
            builder.heading(len(atx.group(1)), atx.group(2), number)
            builder.add([line], number)
            continue
        underline = _SETEXT.match(line) if fence is None and number > 1 else None
        previous = lines[number - 2] if number > 1 else ""
        if underline and previous.strip() and builder.pending_is(previous):
            builder.drop_last_line()
            level = 1 if underline.group(1).startswith("=") else 2
            builder.heading(level, previous, number - 1)
            builder.add([previous, line], number - 1)
            continue
        builder.add([line], number)
    return builder.finish()


def atx_headings(lines: Sequence[str]) -> Iterator[tuple[int, str]]:
    """(level, title) of each "## Title" heading outside fenced code."""
    fence: str | None = None
    for line in lines:
        opening = _FENCE.match(line)
        if opening and (fence is None or opening.group(1)[0] == fence[0]):
            fence = None if fence else opening.group(1)
            continue
        atx = None if fence else _ATX.match(line)
        if atx:
            yield len(atx.group(1)), atx.group(2)
