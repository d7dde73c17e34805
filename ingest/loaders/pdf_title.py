"""A PDF's title: its metadata's, else the line set in large type at the top of its first page.

Many PDFs carry no title in their metadata, or a file name where it should be: TeX's
"ascexmpl.dvi", Word's "Microsoft Word - report.docx". None of the 7 PDFs Debian installs
under `/usr/share/doc` on this machine has a metadata title, so each was titled by its file
name ("bashref.pdf") in every chunk's heading path, though 5 of them open their first page
with their title in type 1.4 to 2.5 times the body's: "Bash Reference Manual", "Shared
MIME-info Database". That page's title can be gone from the text besides, when it is also
the running header of the pages after it (`pdf_text`).

The first page's title is the run of lines (three at most, and none numbered after its first:
"1. Introduction" opens a section) set in the page's largest type, when that type is
`TITLE_SCALE` times the body's at least and the run starts among the page's first
`TITLE_LINES` lines: "NAME" over a manual page (10.9 points against 10) is a heading, not a
title.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from ingest.loaders.pdf_pages import PageLine
from ingest.loaders.pdf_text import plain_characters

TITLE_SCALE = 1.3  # the title's type against the body's, at least
TITLE_LINES = 10  # the title starts among the first page's first lines
_MAX_TITLE_LINES = 3  # a title wraps over three lines at most
_SAME_SIZE = 0.5  # points: lines this close in size are set in one type
_SECTION_NUMBER = re.compile(r"\s*\d+(?:\.\d+)*\.?\s")
_FILE_NAME = re.compile(
    r"(?:Microsoft (?:Word|PowerPoint|Excel) - )?[^\s/\\]*\."
    r"(?:dvi|tex|docx?|pptx?|xlsx?|odt|rtf|ps|pdf|txt|indd|qxd)",
    re.IGNORECASE,
)


def pdf_title(metadata: str, first_page: Sequence[PageLine], body: float | None) -> str:
    """The metadata's title, unless it is a file name; else the first page's (or "")."""
    title = " ".join(unicodedata.normalize("NFKC", metadata).split())
    if title and not _FILE_NAME.fullmatch(title):
        return title
    return first_page_title(first_page, body)


def first_page_title(lines: Sequence[PageLine], body: float | None) -> str:
    """The lines set in the page's largest type, when that is a title's (see the module)."""
    largest = max((line.size for line in lines), default=0.0)
    if body is None or largest < TITLE_SCALE * body:
        return ""
    start = next(i for i, line in enumerate(lines) if abs(line.size - largest) < _SAME_SIZE)
    if start >= TITLE_LINES:
        return ""
    run = [lines[start].text]
    for line in lines[start + 1 : start + _MAX_TITLE_LINES]:
        if abs(line.size - largest) >= _SAME_SIZE or _SECTION_NUMBER.match(line.text):
            break  # a numbered line in the title's type opens the first section
        run.append(line.text)
    return " ".join(plain_characters(" ".join(run)).split())
