"""Markdown: one section per heading, with the heading path ("Guide > Install > Linux").

YAML front matter (Jekyll, Hugo, Obsidian: "---", "title: …", "tags: […]", "---") is kept as
text, never read as headings (its closing "---" would underline the last key as a heading),
and its `title` is the document's title."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from ingest import markdown_syntax
from ingest.loaders.decoding import read_text
from ingest.loaders.headings import SectionBuilder
from ingest.markdown_syntax import ATX, FENCE
from ingest.types import LoadedDocument, Section

SUFFIXES = markdown_syntax.SUFFIXES

_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_YAML_KEY = re.compile(r"^[A-Za-z_][\w-]*:(\s|$)")
_FRONT_MATTER_MOST = 100  # lines
_TITLE = re.compile(r"""^title:[ \t]*(["']?)(.*?)\1[ \t]*$""", re.MULTILINE)


def load(path: Path) -> LoadedDocument:
    text = read_text(path)
    lines = text.split("\n")
    title = _TITLE.search("\n".join(lines[: _front_matter_lines(lines)]))
    return LoadedDocument(parse(text), title=title.group(2) if title else "")


def parse(text: str) -> list[Section]:
    builder = SectionBuilder()
    lines = text.split("\n")
    front_matter = _front_matter_lines(lines)
    fence: str | None = None
    for number, line in enumerate(lines, start=1):
        if number <= front_matter:
            builder.add([line], number)
            continue
        opening = FENCE.match(line)
        if opening and (fence is None or opening.group(1)[0] == fence[0]):
            fence = None if fence else opening.group(1)
        atx = None if fence or opening else ATX.match(line)
        if atx:
            builder.heading(len(atx.group(1)), atx.group(2))
            builder.add([line], number)
            continue
        underline = _SETEXT.match(line) if fence is None and number > 1 else None
        previous = lines[number - 2] if number > 1 else ""
        if underline and previous.strip() and builder.pending_is(previous):
            builder.drop_last_line()
            level = 1 if underline.group(1).startswith("=") else 2
            builder.heading(level, previous)
            builder.add([previous, line], number - 1)
            continue
        builder.add([line], number)
    return builder.finish()


def _front_matter_lines(lines: Sequence[str]) -> int:
    """How many lines of front matter the text opens with, 0 if none: "---", a first line
    that is a YAML key ("title: …"; a rule above a paragraph is no front matter), up to the
    closing "---" or "..." within the first 100 lines."""
    if len(lines) < 3 or lines[0].rstrip() != "---" or not _YAML_KEY.match(lines[1]):
        return 0
    head = enumerate(lines[2:_FRONT_MATTER_MOST], start=3)
    return next((i for i, line in head if line.rstrip() in ("---", "...")), 0)
