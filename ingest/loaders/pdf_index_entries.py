"""A back-of-book index as LaTeX's makeindex sets it: a term and the pages it is on, with no
dot leader ("alias, 12, 45, 67", "\\documentclass, 3, 7–9", "book, ix, 1, 2"). Its entries
repeat every term of the document, and a search for one found the index, not the section
that explains it.

An entry is a term, a comma (or a few dots) and a list of page numbers or ranges, each
within the document's pages, perhaps with a "see also" after them. PDFium may break it
after the term ("\\bigskip\\n, 37") or after a comma ("multiple bibliographies,\\n11"), or
end it with the next letter group's header ("Courier, 6 D"). Entries go only from a page
that is an index: most of its lines are entries, at least `MIN_ENTRIES` of them, and their
terms run in alphabetical order. With them go the page's cross-references next to them
("Diagramm, siehe Bild"). Prose that cites pages ("see Sections 3, 4") and a table of
numbers on an ordinary page stay, and so do an index page's heading, its letter groups ("B":
a bookmark may point at one) and the terms of sub-entries.
"""

from __future__ import annotations

import re
from itertools import pairwise

MIN_ENTRIES = 6  # entries on a page that show it is an index
MIN_SHARE = 0.5  # ... and the share of the page's lines they make, more than this
MIN_SORTED = 0.7  # ... and the share of entries whose term does not sort before the last's
_ROMAN_NUMBER = r"(?=[ivxlc])c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
_NUMBER = rf"(?:\d{{1,4}}|{_ROMAN_NUMBER})"
_PAGE = rf"{_NUMBER}(?: ?[-–] ?{_NUMBER})?(?: ?ff?\.)?"  # "7", "7–9", "xi", "14ff."
_PAGE_LIST = rf"{_PAGE}(?:, {_PAGE})*"
_SEPARATOR = r", |(?: ?\.){2,} ?| \. "  # a comma, or a few dots, between a term and its pages
_SEE = r"(?:see|siehe|voir|vedi|véase|ver)(?: (?:also|auch|aussi|anche|además))?"
_TAIL = rf"(?:,? \(?{_SEE} [^,]{{1,60}})?(?: [A-Z])?"  # a "see also", the next letter group
_ENTRY = re.compile(rf"(?P<term>\S.{{0,80}}?)(?:{_SEPARATOR})(?P<pages>{_PAGE_LIST}){_TAIL}")
_PAGES_ON = re.compile(rf"{_PAGE_LIST}{_TAIL}")  # the rest of an entry broken after a comma
_SEPARATOR_ON = re.compile(rf"(?:, ?|{_SEPARATOR}){_PAGE_LIST}{_TAIL}")  # ... or before it
_CROSS_REFERENCE = re.compile(rf"[^.;:]{{1,40}}, {_SEE} [^.,;:]{{1,40}}")  # "bind, see builtins"
_NUMBER_END = re.compile(r" \d+$")  # a term ending so is prose: "see Sections 3, 4"
_LETTER = re.compile(r"[^\W\d_]")
_PAGE_NUMBER = re.compile(rf"\d+|{_ROMAN_NUMBER}")
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def without_index_entries(page: str, page_count: int) -> str:
    """The page without its index entries, if it is an index page of a document of
    `page_count` pages; its cross-references go with the entries around them."""
    lines = page.split("\n")
    entries = _entry_lines(lines, page_count)
    if not _is_index(lines, entries):
        return page
    in_entries = {index for entry in entries for index in entry}
    dropped = set(in_entries)
    run: list[int] = []  # cross-references in a row
    for index, line in enumerate([*lines, ""]):
        if index not in in_entries and _CROSS_REFERENCE.fullmatch(line):
            run.append(index)
            continue
        if run and (index in in_entries or run[0] - 1 in in_entries):
            dropped.update(run)  # they are the index's: an entry is next to them
        run = []
    return "\n".join(line for index, line in enumerate(lines) if index not in dropped)


def _entry_lines(lines: list[str], page_count: int) -> list[tuple[int, ...]]:
    """The indexes of the lines that are index entries, one tuple an entry: one line, or
    two when PDFium broke it after its term or a comma."""
    entries: list[tuple[int, ...]] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else ""
        broken = _SEPARATOR_ON.fullmatch(following) or (
            line.endswith(",") and _PAGES_ON.fullmatch(following)
        )
        joined = f"{line}{following}" if following.startswith(",") else f"{line} {following}"
        if broken and _is_entry(joined, page_count):
            entries.append((index, index + 1))
            index += 2
            continue
        if _is_entry(line, page_count):
            entries.append((index,))
        index += 1
    return entries


def _is_index(lines: list[str], entries: list[tuple[int, ...]]) -> bool:
    """Whether the page of `lines` is an index: its `entries` are most of its lines, and
    their terms are in alphabetical order."""
    entry_count = sum(len(entry) for entry in entries)
    if len(entries) < MIN_ENTRIES or entry_count <= MIN_SHARE * sum(1 for line in lines if line):
        return False
    keys = [_sort_key(lines[entry[0]]) for entry in entries]
    in_order = sum(1 for earlier, later in pairwise(keys) if earlier <= later)
    return in_order >= MIN_SORTED * (len(keys) - 1)


def _is_entry(line: str, page_count: int) -> bool:
    """A term with a letter in it, not ending in a number, and pages of the document."""
    match = _ENTRY.fullmatch(line)
    if match is None or _NUMBER_END.search(match.group("term")):
        return False
    if not _LETTER.search(match.group("term")):  # a row of a table of numbers
        return False
    numbers = _PAGE_NUMBER.findall(match.group("pages"))
    return all(1 <= _value(number) <= page_count for number in numbers)


def _sort_key(line: str) -> str:
    """The first letter of an entry's term, as an index sorts it ("\\alias" under "a")."""
    letter = _LETTER.search(line)
    return letter.group(0).casefold() if letter else ""


def _value(number: str) -> int:
    if number.isdigit():
        return int(number)
    values = [_ROMAN[letter] for letter in number]
    return sum(
        -value if value < following else value
        for value, following in zip(values, [*values[1:], 0], strict=True)
    )
