"""Markdown's headings and code fences, for the loader and for whoever reads chunk text.

Kept apart from `ingest.loaders.markdown` so that reading a chunk's headings (the quote's
evidence windows) does not import every loader."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mdx")

ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$")
# A fence line; a list item may open with one ("- ```" and the item's indented code, as pip's
# configuration page lists its environment variables). Backticks after a backtick fence make
# it a code span instead ("```x``` is ..."), as CommonMark reads them.
FENCE = re.compile(r"^ {0,3}(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?(```+(?=[^`\n]*$)|~~~+)")
_FENCE_LINE = re.compile(FENCE.pattern + r"[^\n]*$", re.MULTILINE)  # a whole fence line
CODE_SPAN = re.compile(r"(`+)((?:(?!\1).)+?)\1")  # `code`, ``a `tick` inside``; group 2: text
_BACKTICKS = re.compile(r" {0,3}(`{3,})")
_YAML_KEY = re.compile(r"^[A-Za-z_][\w-]*:(\s|$)")
_FRONT_MATTER_MOST = 100  # lines
# Obsidian's tags at a heading's end ("# Reading list #books"): search terms of the text, not
# words of the heading. A tag starts with a letter: "Beans #2" is a heading's own words.
_TRAILING_TAGS = re.compile(r"(?:[ \t]+#[^\W\d_][\w/-]*)+[ \t]*$")


def is_markdown(path: str) -> bool:
    return path.lower().endswith(SUFFIXES)


def code_fence(lines: Sequence[str]) -> str:
    """A code fence longer than any a line of the code starts with, for code a loader read
    from markup (HTML's and EPUB's <pre>): who reads the chunk (sentences, citations, quotes)
    then keeps the code as code, line for line."""
    runs = [len(opening.group(1)) for line in lines if (opening := _BACKTICKS.match(line))]
    return "`" * max([3, *(run + 1 for run in runs)])


def atx_headings(lines: Sequence[str]) -> Iterator[tuple[int, str]]:
    """(level, title) of each "## Title" heading outside fenced code."""
    for _, atx in _atx_lines(lines):
        yield len(atx.group(1)), without_tags(atx.group(2))


def without_tags(title: str) -> str:
    """A heading's words without the tags at its end: "Reading list #books" is "Reading
    list" (the heading line keeps them in the text, where they are searched)."""
    return _TRAILING_TAGS.sub("", title) or title


def heading_starts(text: str) -> set[int]:
    """Where in `text` each "## Title" heading outside fenced code starts (its first "#")."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    return {offsets[index] + atx.start(1) for index, atx in _atx_lines(lines)}


def _atx_lines(lines: Sequence[str]) -> Iterator[tuple[int, re.Match[str]]]:
    for index, (line, code) in enumerate(zip(lines, code_lines(lines), strict=True)):
        atx = None if code else ATX.match(line)
        if atx:
            yield index, atx


def code_lines(lines: Sequence[str]) -> list[bool]:
    """Whether each line is fenced code: a fence line, or a line between an opening fence and
    the one that closes it (of the same character)."""
    code = []
    fence: str | None = None
    for line in lines:
        opening = FENCE.match(line)
        if opening and (fence is None or opening.group(1)[0] == fence[0]):
            fence = None if fence else opening.group(1)
        code.append(bool(fence or opening))
    return code


def front_matter_lines(lines: Sequence[str]) -> int:
    """How many lines of front matter the text opens with, 0 if none: "---", a first line
    that is a YAML key ("title: …"; a rule above a paragraph is no front matter), up to the
    closing "---" or "..." within the first 100 lines."""
    if len(lines) < 3 or lines[0].rstrip() != "---" or not _YAML_KEY.match(lines[1]):
        return 0
    head = enumerate(lines[2:_FRONT_MATTER_MOST], start=3)
    return next((i for i, line in head if line.rstrip() in ("---", "...")), 0)


def fenced_blocks(text: str) -> list[tuple[int, int]]:
    """Spans of fenced code blocks, each from its opening fence to the end of its closing
    fence line (or to the end of the text when it is never closed)."""
    blocks: list[tuple[int, int]] = []
    position = 0
    while (opening := _FENCE_LINE.search(text, position)) is not None:
        fence = opening.group(1)
        closing = re.compile(rf"^[ ]{{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.M)
        found = closing.search(text, opening.end() + 1) if opening.end() < len(text) else None
        end = found.end() if found is not None else len(text)
        blocks.append((opening.start(), end))
        position = end + 1
        if position >= len(text):
            break
    return blocks
