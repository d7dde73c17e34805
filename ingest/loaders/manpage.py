"""Manual pages saved as text (`man ls > ls.1.txt`): the page's sections (NAME, OPTIONS, ...)
and their indented subsections become headings, the NAME line becomes the title, and the
header and footer lines that `man` prints on every page are left out. A word `man` hyphenated
at a line's end ("automati‐" above "cally") is whole again, on the first of its lines.

A text is taken for a manual page only when its first line is such a header, "LS(1)  User
Commands  LS(1)" (the same name and section at both ends), and a NAME section follows; any
other text stays plain text.
"""

from __future__ import annotations

import re

from ingest.loaders.headings import SectionBuilder
from ingest.types import LoadedDocument

_HEADER = re.compile(r"^(?P<page>\S+\(\w+\))\s{2,}.*?\s{2,}(?P=page)\s*$")
_SECTION = re.compile(r"^[A-Z][A-Z0-9 ,/&'()-]*$")
_SUBSECTION = re.compile(r"^ {3}(?! )\S.{0,70}$")
_FOOTER = re.compile(r"^\S.*\S {3,}\S.*\S {3,}\S.*$")
_BODY_INDENT = 5  # body text sits deeper than a subsection's three spaces
# groff marks a break inside a word with U+2010 HYPHEN at the line's end; a hyphen the page
# itself writes ("often-used", "--sort") stays ASCII, so U+2010 there is only ever a break.
_BROKEN_WORD = re.compile(r"(?<=[^\W\d_])\u2010$")
_CONTINUATION = re.compile(r"^(?P<indent>\s*)(?P<rest>[^\W_]\S*)\s*(?P<after>.*)$")


def parse(text: str) -> LoadedDocument | None:
    """The manual page's sections and title; None when `text` is not a manual page."""
    if not _HEADER.match(text.lstrip().split("\n", 1)[0]):
        return None  # decided on the first line, before any other text is split
    lines = _joined_words(text.split("\n"))
    first = next(i for i, line in enumerate(lines) if line.strip())
    end = _last_content_line(lines)
    builder = SectionBuilder()
    title_lines: list[str] = []
    section = ""
    for index in range(first + 1, end):
        line = lines[index]
        if _SECTION.match(line):
            section = line.strip()
            builder.heading(1, section)
        elif _is_subsection(lines, index):
            builder.heading(2, line.strip())
        else:
            if section == "NAME" and line.strip():
                title_lines.append(line.strip())
            builder.add([line], index + 1)
    if not title_lines:
        return None
    return LoadedDocument(sections=builder.finish(), title=" ".join(title_lines))


def _joined_words(lines: list[str]) -> list[str]:
    """The lines with each word broken at a line's end joined on the first line; the line
    below keeps the rest of its text (empty when the word's end was all of it), so every
    other word stays on its own line."""
    joined = list(lines)
    for index in range(len(joined) - 1):
        continuation = _CONTINUATION.match(joined[index + 1])
        if continuation is None or not _BROKEN_WORD.search(joined[index]):
            continue
        joined[index] = joined[index][:-1] + continuation["rest"]
        after = continuation["after"]
        joined[index + 1] = f"{continuation['indent']}{after}" if after else ""
    return joined


def _last_content_line(lines: list[str]) -> int:
    """The index just past the page's text: the footer ("GNU coreutils 9.1  September 2022
    LN(1)") and trailing blank lines are not part of it."""
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    if end and _FOOTER.match(lines[end - 1]):
        end -= 1
    return end


def _is_subsection(lines: list[str], index: int) -> bool:
    """A line indented three spaces, after a blank line or its section's heading, above
    deeper-indented text."""
    line = lines[index]
    if not _SUBSECTION.match(line) or line.rstrip().endswith((".", ",", ";")):
        return False
    above = lines[index - 1] if index else ""
    if above.strip() and not _SECTION.match(above):
        return False
    following = next((text for text in lines[index + 1 :] if text.strip()), "")
    return len(following) - len(following.lstrip(" ")) >= _BODY_INDENT
