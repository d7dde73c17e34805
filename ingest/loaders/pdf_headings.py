"""Headings for PDF text: from the outline (bookmarks) when the PDF has one, else from the
type of its lines: numbered section headings ("2.1 Related work", set in bold or standing
apart as a heading), lines set larger than the body text, bold title-like lines. Pages are
split where a heading starts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.english_words import is_common_english
from ingest.loaders.pdf_heading_numbers import follows, section_number
from ingest.loaders.pdf_pages import PageLine, body_size
from ingest.types import HEADING_SEPARATOR, Section

_MAX_DEPTH = 6
_HEADING_SIZE_RATIO = 1.05  # a line this much larger than the body text may be a heading
_MAX_HEADING_CHARS = 120
_MAX_SIZE_LEVELS = 3
_MAX_PLAIN_HEADING_CHARS = 60  # a numbered heading in plain body type is short
_TITLE_BLOCK_LINES = 2  # headings set alike one after another under a paper's title
_WORD = re.compile(r"[^\W\d_]{2}")
# An e-mail or web address: a title block's author lines, set large, are no heading
# ("Bas Straathof Eindhoven University of Technology ... bas.straathof@gmail.com").
_ADDRESS = re.compile(r"\S@\S+\.[A-Za-z]{2,}|\bhttps?://", re.IGNORECASE)
_NUMBER_START = re.compile(r"(?:\d|[A-Z]\.|[IVX]+\.)")  # a line that may be the next heading
_PAGE_REFERENCE = re.compile(r"\s(?:\d+|[ivxlc]+)\s*$")
# Between a title's letters and digits, the page may set spaces, punctuation and line breaks
# the outline leaves out, or the other way round: the outline's "2.13. Nonregular files"
# is "2.13. Non-regular files" on the page, "A better way – to format" wraps over two lines.
_BETWEEN = r"[\W_]*"
# A section's number in front of its title on the page: "2.4 ", "A.1 ", "Appendix B ", "3. "
_NUMBERING = r"(?:(?:appendix|chapter|part|section)[ \t]+)?(?:(?:\d+|[A-Z])(?:\.\d+)*\.?[ \t]+)?"
# Punctuation the page sets before a title's first letter and the outline leaves out:
# fontconfig's outline says "dir prefix="default"" where the page says "<dir prefix=…>".
_OPENING = r"[^\w\s]*"


@dataclass(frozen=True, slots=True)
class Heading:
    page: int  # 0-based
    level: int  # 1 = top
    title: str


def outline_headings(toc: Sequence[tuple[int, str, int | None]]) -> list[Heading]:
    """Headings from outline items (level from 0, title, 0-based page or None)."""
    return [
        Heading(page, min(level + 1, _MAX_DEPTH), " ".join(title.split()))
        for level, title, page in toc
        if page is not None and page >= 0 and title.strip()
    ]


def font_headings(pages: Sequence[Sequence[PageLine]]) -> list[Heading]:
    """Headings judged from the type of each line: numbered ones (`_numbered`) at the depth
    their number gives; short lines set larger than the body text (its most common size),
    largest = level 1; bold lines at the body size (a man page's NAME, SYNOPSIS) one level
    below those. A heading set in one style over several lines is one heading; an unnumbered
    one in the style of numbered ones ("References") takes their level. One with an e-mail or
    web address in it is an author's line, not a heading."""
    body = body_size(pages)
    if body is None:
        return []
    larger = sorted({_style(line).size for lines in pages for line in lines}, reverse=True)
    larger = [size for size in larger if size >= body * _HEADING_SIZE_RATIO]
    size_levels = {size: min(rank + 1, _MAX_SIZE_LEVELS) for rank, size in enumerate(larger)}
    bold_level = min(len(larger) + 1, _MAX_SIZE_LEVELS + 1)
    numbered = _numbered(pages, body)
    style_levels: dict[_Style, int] = {}
    for (page, index), depth in sorted(numbered.items(), key=lambda item: item[1], reverse=True):
        style_levels[_style(pages[page][index])] = depth  # the shallowest last
    headings = []
    front: list[tuple[Heading, _Style]] = []  # the first page's, before its first text
    text_seen = False
    for number, lines in enumerate(pages):
        index = 0
        while index < len(lines):
            line, style = lines[index], _style(lines[index])
            title = " ".join(line.text.split())
            level = numbered.get((number, index)) or size_levels.get(style.size)
            if not level and style.bold and style.size == body and _looks_like_title(title):
                level = bold_level
            if level and (number, index) not in numbered:
                level = style_levels.get(style, level)
            index += 1
            if not level:
                text_seen = text_seen or bool(line.text.strip())
                continue
            is_numbered = (number, index - 1) in numbered
            while _continues(lines, index, style, title, body, is_numbered):
                title = _joined(title, " ".join(lines[index].text.split()))
                index += 1
            if (
                2 < len(title) <= _MAX_HEADING_CHARS
                and re.search(r"[A-Za-z]", title)
                and not _ADDRESS.search(title)
            ):
                headings.append(Heading(number, min(level, _MAX_DEPTH), title))
                if number == 0 and not text_seen and not is_numbered:
                    front.append((headings[-1], style))
    return _without_title_block(headings, front)


def _without_title_block(
    headings: list[Heading], front: list[tuple[Heading, _Style]]
) -> list[Heading]:
    """`headings` less a paper's title block: on its first page, before any text, the lines
    set alike after its title (authors, affiliations, a date), none bold. "Andrew Kadatch1
    and Bob Jenkins2", "1Google Inc." and "2Microsoft Corporation September 3, 2010" headed
    the abstract of zlib's CRC paper."""
    styles = Counter(style for _, style in front[1:] if not style.bold)
    block = {heading for heading, style in front[1:] if styles[style] >= _TITLE_BLOCK_LINES}
    return [heading for heading in headings if heading not in block]


@dataclass(frozen=True, slots=True)
class _Style:
    size: float
    bold: bool


def _style(line: PageLine) -> _Style:
    return _Style(round(line.size, 1), line.bold)


def _numbered(pages: Sequence[Sequence[PageLine]], body: float) -> dict[tuple[int, int], int]:
    """Numbered headings by page and line, with the depth their number gives. A numbered line
    set apart by its type (bold, or larger than the body text) is one; a plain one only when
    it stands apart as a heading does (`_stands_apart`) and its number comes next after the
    headings before it: a list in the text starts again at 1."""
    found = [
        (page, index, number, _set_apart(line, body))
        for page, lines in enumerate(pages)
        for index, line in enumerate(lines)
        if (number := section_number(" ".join(line.text.split()))) is not None
        and (_set_apart(line, body) or _stands_apart(lines, index, body))
    ]
    last_seen = {number: place for place, (_, _, number, _) in enumerate(found)}
    found = [  # a contents entry: the number again later, a page number at its end
        (page, index, number, set_apart)
        for place, (page, index, number, set_apart) in enumerate(found)
        if not (last_seen[number] > place and _PAGE_REFERENCE.search(pages[page][index].text))
    ]
    roman_headings = any(number.roman for _, _, number, set_apart in found if set_apart)
    trail: list[int] = []
    depths = {}
    for page, index, number, set_apart in found:
        depth = number.depth(roman_headings)
        if depth > _MAX_DEPTH or not (set_apart or follows(number, trail, depth)):
            continue
        depths[(page, index)] = depth
        if len(number.values) == depth:
            trail = list(number.values)
        else:
            trail = [*trail[: depth - 1], *[0] * (depth - 1 - len(trail)), number.values[-1]]
    return depths


def _set_apart(line: PageLine, body: float) -> bool:
    return line.bold or round(line.size, 1) >= body * _HEADING_SIZE_RATIO


def _stands_apart(lines: Sequence[PageLine], index: int, body: float) -> bool:
    """A plain line at the body size that reads as a heading: short, no final stop, after the
    end of a paragraph (or at the top of a page) and before a new one."""
    line = lines[index]
    text = " ".join(line.text.split())
    before = " ".join(lines[index - 1].text.split()) if index > 0 else ""
    after = " ".join(lines[index + 1].text.split()) if index + 1 < len(lines) else ""
    return (
        round(line.size, 1) == body
        and len(text) <= _MAX_PLAIN_HEADING_CHARS
        and not text.endswith(":")
        and not before.endswith((":", ","))
        and after[:1].isupper()
        and len(after) > len(text)
        and round(lines[index + 1].size, 1) == body
        and section_number(after) is None
    )


def _continues(
    lines: Sequence[PageLine], index: int, style: _Style, title: str, body: float, numbered: bool
) -> bool:
    """Whether the line at `index` goes on with a heading above it set in `style`, larger
    than the body text or numbered in bold: a title broken over two lines ("Manuscript
    Title:", "with Forced Linebreak"). Not a bold phrase at the body size: in a manual others
    follow it ("Numeric Arguments", then "digit-argument (M-0, M-1, ...)")."""
    return (
        index < len(lines)
        and (style.size >= body * _HEADING_SIZE_RATIO or (numbered and style.bold))
        and _style(lines[index]) == style
        and not _NUMBER_START.match(lines[index].text.lstrip())
        and len(title) + len(lines[index].text) < _MAX_HEADING_CHARS
        and not title.endswith((".", ";"))
        and bool(lines[index].text.strip())
    )


def _joined(title: str, rest: str) -> str:
    """A heading and its next line; a word broken at the line's end is one again ("Ver-",
    "sions"), a compound keeps its hyphen ("light-", "matter")."""
    if not title.endswith("-"):
        return f"{title} {rest}"
    broken = re.search(r"([A-Za-z]+)-$", title)
    following = re.match(r"[a-z]+", rest)
    if broken and following and is_common_english((broken.group(1) + following.group(0)).lower()):
        return title[:-1] + rest
    return title + rest


def _looks_like_title(title: str) -> bool:
    """A bold line that reads as a title, not a bold phrase or an option list."""
    return (
        len(title) <= 40
        and title[:1].isalpha()
        and not title.endswith((".", ",", ":", ";"))
        and (title.isupper() or title.istitle())
    )


def split_pages(texts: Sequence[str], headings: Sequence[Heading]) -> list[Section]:
    """Sections per page and heading, each under the path of headings above it."""
    by_page: dict[int, list[Heading]] = {}
    for heading in headings:
        by_page.setdefault(heading.page, []).append(heading)
    trail: list[Heading] = []
    sections: list[Section] = []
    for number, text in enumerate(texts):
        start = 0
        for heading in by_page.get(number, []):
            at = find_title(text, heading.title, start)
            if at is None:
                at = start  # the heading is not in the text layer: it starts where we are
            _add(sections, text[start:at], number, trail)
            while trail and trail[-1].level >= heading.level:
                trail.pop()
            trail.append(heading)
            start = at
        _add(sections, text[start:], number, trail)
    return sections


def _add(sections: list[Section], text: str, number: int, trail: Sequence[Heading]) -> None:
    # no word in it: what an index leaves of a page once its entries are gone ("T\nU\nW")
    if _WORD.search(text):
        heading = HEADING_SEPARATOR.join(h.title for h in trail)
        sections.append(Section(text=text.strip(), page=number + 1, heading=heading))


def find_title(text: str, title: str, start: int) -> int | None:
    """Where a line starting with `title` begins in `text` (at or after `start`), its number
    before it or not: texinfo's outline says "Library Notes" where the page says "2.4 Library
    Notes"; taking a title not found for the page's start headed that page's every chunk
    with its last bookmark."""
    characters = [re.escape(character) for character in title if character.isalnum()]
    if not characters:
        return None
    pattern = re.compile(
        r"(?m)^[ \t]*" + _NUMBERING + _OPENING + _BETWEEN.join(characters), re.IGNORECASE
    )
    match = pattern.search(text, start)
    return match.start() if match else None
