"""Line numbers in a page's margin, as a manuscript under review prints them (LaTeX's
lineno, AASTeX's and most journals' review modes): PDFium reads each number into the front of
its line ("27 is a document markup language ..."), which broke sentences in quotes, hid
headings ("205 3.1.4. Hiding columns") and hyphenated words ("doc-\\n60 ument") from repair.

A page's numbers are the longest run of lines, in reading order, that start with a number one
more than the last such line's. A run of `MIN_RUN` lines, at least half the page's, is not a
numbered list or a contents page: the document numbers its lines, and a shorter run on a page
with little text is its numbers too. A short run on a page of many lines is not: a paper whose
code listings number their lines had its contents page's chapters ("1 Definition of CRC 2"),
its section headings ("1 Definition of CRC", then found nowhere and dropped) and its plots'
axis labels taken for line numbers.
"""

from __future__ import annotations

import re

_LEADING_NUMBER = re.compile(r"^(\d{1,5})(?: |$)")
MIN_RUN = 10  # numbered lines counting up by one that show a document numbers its lines
MIN_SHARE = 0.5  # ... and the share of that page's lines they make (not a contents list)
MIN_RUN_ONCE_NUMBERED = 3  # ... and that are its line numbers on a page with few lines


def without_line_numbers(pages: list[str]) -> list[str]:
    """Each page without the line numbers in front of its lines (a line that was only its
    number goes), when some page shows the document numbers its lines."""
    runs = [_line_number_run(page.split("\n")) for page in pages]
    if not any(
        len(run) >= max(MIN_RUN, MIN_SHARE * (page.count("\n") + 1))
        for page, run in zip(pages, runs, strict=True)
    ):
        return pages
    return [
        _without(page.split("\n"), run) if _numbers_lines(page, run) else page
        for page, run in zip(pages, runs, strict=True)
    ]


def _numbers_lines(page: str, run: set[int]) -> bool:
    """Whether `run` is the page's line numbers, once some page showed the document numbers
    its lines: `MIN_RUN` lines, or at least `MIN_RUN_ONCE_NUMBERED` that are half the page's."""
    lines = page.count("\n") + 1
    return len(run) >= MIN_RUN or len(run) >= max(MIN_RUN_ONCE_NUMBERED, MIN_SHARE * lines)


def _without(lines: list[str], numbered: set[int]) -> str:
    kept = []
    for index, line in enumerate(lines):
        if index in numbered:
            line = _LEADING_NUMBER.sub("", line, count=1)
            if not line:
                continue
        kept.append(line)
    return "\n".join(kept)


def _line_number_run(lines: list[str]) -> set[int]:
    """The indexes of the longest run of lines whose leading numbers count up by one."""
    run_ending_at: dict[int, list[int]] = {}  # a number -> the lines of the run it ends
    longest: list[int] = []
    for index, line in enumerate(lines):
        match = _LEADING_NUMBER.match(line)
        if match is None:
            continue
        number = int(match.group(1))
        run = [*run_ending_at.get(number - 1, []), index]
        run_ending_at[number] = run
        if len(run) > len(longest):
            longest = run
    return set(longest)
