"""Headings for PDF text: from the outline (bookmarks) when the PDF has one, else from lines
set in a larger font than the body text. Pages are split where a heading starts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.loaders.pdf_pages import PageLine
from ingest.types import HEADING_SEPARATOR, Section

_MAX_DEPTH = 6
_HEADING_SIZE_RATIO = 1.05  # a line this much larger than the body text may be a heading
_MAX_HEADING_CHARS = 120
_MAX_SIZE_LEVELS = 3
_WORD = re.compile(r"[^\W\d_]{2}")
# A section's number in front of its title on the page: "2.4 ", "A.1 ", "Appendix B ", "3. "
_NUMBERING = r"(?:(?:appendix|chapter|part|section)[ \t]+)?(?:(?:\d+|[A-Z])(?:\.\d+)*\.?[ \t]+)?"


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
    """Short lines set larger than the body text (its most common size), largest = level 1;
    bold lines at the body size (a man page's NAME, SYNOPSIS) one level below those."""
    sizes: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            if line.size > 0:
                sizes[round(line.size, 1)] += len(line.text)
    if not sizes:
        return []
    body = sizes.most_common(1)[0][0]
    larger = sorted({s for s in sizes if s >= body * _HEADING_SIZE_RATIO}, reverse=True)
    levels = {size: min(rank + 1, _MAX_SIZE_LEVELS) for rank, size in enumerate(larger)}
    bold_level = min(len(larger) + 1, _MAX_SIZE_LEVELS + 1)
    headings = []
    for number, lines in enumerate(pages):
        for line in lines:
            title = " ".join(line.text.split())
            level = levels.get(round(line.size, 1))
            if level is None and line.bold and round(line.size, 1) == body:
                level = bold_level if _looks_like_title(title) else None
            if level and 2 < len(title) <= _MAX_HEADING_CHARS and re.search(r"[A-Za-z]", title):
                headings.append(Heading(number, level, title))
    return headings


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
            at = _find_title(text, heading.title, start)
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


def _find_title(text: str, title: str, start: int) -> int | None:
    """Where a line starting with `title` begins in `text` (at or after `start`), its number
    before it or not: texinfo's outline says "Library Notes" where the page says "2.4 Library
    Notes"; taking a title not found for the page's start headed that page's every chunk
    with its last bookmark."""
    words = [re.escape(word) for word in title.split()]
    if not words:
        return None
    pattern = re.compile(r"(?m)^[ \t]*" + _NUMBERING + r"\s+".join(words), re.IGNORECASE)
    match = pattern.search(text, start)
    return match.start() if match else None
