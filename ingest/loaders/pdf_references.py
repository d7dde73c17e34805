"""A list of references that no heading opens, given its own: "References" set like the body
text, or missing from the outline, left the list under the section before it (a conclusion,
an appendix), in chunks that held the section's last sentences and the first entries at once.

A line that is nothing but a reference list's title ("References", "17. Bibliography"),
followed by lines that read as entries (`ingest.reference_lists`), heads what follows it at
the top level, unless a heading of that name on its page already does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.loaders.pdf_headings import Heading, find_title
from ingest.reference_lists import REFERENCES_TITLE, reads_as_reference_list

_ENTRIES_SHOWN = 600  # characters after the title that show entries follow
_TITLE_LINE = re.compile(
    rf"^[ \t]*({REFERENCES_TITLE.pattern})[ \t]*$", re.MULTILINE | re.IGNORECASE
)


def with_reference_lists(texts: Sequence[str], headings: Sequence[Heading]) -> list[Heading]:
    """The headings, with one for each list of references that has none, in reading order."""
    found = list(headings)
    top = min((heading.level for heading in found), default=1)
    for page, text in enumerate(texts):
        for line in _TITLE_LINE.finditer(text):
            following = text[line.end() : line.end() + _ENTRIES_SHOWN]
            if _headed(found, page) or not reads_as_reference_list(following):
                continue
            title = Heading(page, top, " ".join(line.group(1).split()))
            found.insert(_place(found, text, page, line.start()), title)
    return found


def _headed(headings: Sequence[Heading], page: int) -> bool:
    return any(h.page == page and REFERENCES_TITLE.fullmatch(h.title) for h in headings)


def _place(headings: Sequence[Heading], text: str, page: int, at: int) -> int:
    """Where in `headings` one found at character `at` of page `page` goes: after the
    headings of earlier pages and those of its page found before it, as `split_pages` finds
    them."""
    start = 0
    for index, heading in enumerate(headings):
        if heading.page < page:
            continue
        if heading.page > page:
            return index
        found = find_title(text, heading.title, start)
        start = start if found is None else found
        if start > at:
            return index
    return len(headings)
