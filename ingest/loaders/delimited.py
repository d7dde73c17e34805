"""CSV and TSV tables: every row written with its column names, located by line number.

A row of a table with a header reads "name: Ada; born: 1815; field: mathematics", so every
chunk carries the header with its rows, and a search for a value finds the column it
belongs to. Empty cells are left out. A row keeps the line it starts on in the file; rows
with line breaks inside quoted cells are joined onto one line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from ingest.errors import LoadError
from ingest.loaders.decoding import read_text
from ingest.types import Section

SUFFIXES = (".csv", ".tsv", ".tab")

_DELIMITERS = ",;\t|"
_SNIFF_CHARS = 64 * 1024
# Rows are grouped into sections of about this many characters: a group of whole rows fits
# one chunk (200 word pieces; numeric rows take about 175 for 400 characters), so chunks
# start at a row, with its column names, and carry the row's line.
_SECTION_CHARS = 400
_NUMBER = re.compile(r"^[-+]?[\d.,]+%?$")
_SPACES = re.compile(r"\s+")


def load(path: Path) -> list[Section]:
    text = read_text(path)
    delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else _sniff(text)
    rows = _rows(text, delimiter, path.suffix.lower().lstrip(".").upper())
    first = next(rows, None)
    if first is None:
        return []
    header = first[1] if _is_header(first[1]) else None
    if header is None:
        rows = _chain(first, rows)
    sections: list[Section] = []
    lines: list[str] = []
    start = size = 0
    for line, cells in rows:
        rendered = _render(cells, header)
        # A section's rows sit on consecutive lines, so each chunk's line number is exact.
        if lines and (line != start + len(lines) or size + len(rendered) > _SECTION_CHARS):
            sections.append(Section(text="\n".join(lines), line=start))
            lines, size = [], 0
        if not lines:
            start = line
        lines.append(rendered)
        size += len(rendered) + 1
    if lines:
        sections.append(Section(text="\n".join(lines), line=start))
    return sections


def _sniff(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text[:_SNIFF_CHARS], delimiters=_DELIMITERS).delimiter
    except csv.Error:
        return ","


def _rows(text: str, delimiter: str, kind: str) -> Iterator[tuple[int, list[str]]]:
    """(the line it starts on, cells) for each row that is not empty."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    previous = 0
    try:
        for cells in reader:
            start, previous = previous + 1, reader.line_num
            if any(cell.strip() for cell in cells):
                yield start, cells
    except csv.Error as exc:
        raise LoadError(f"not a valid {kind} file: {exc} (line {reader.line_num})") from exc


def _chain(
    first: tuple[int, list[str]], rest: Iterator[tuple[int, list[str]]]
) -> Iterator[tuple[int, list[str]]]:
    yield first
    yield from rest


def _is_header(cells: list[str]) -> bool:
    """A first row of distinct names that are not numbers is a header (some may be empty,
    as the index column pandas writes)."""
    names = [cell.strip() for cell in cells if cell.strip()]
    return (
        len(names) >= max(1, len(cells) // 2)
        and len(set(names)) == len(names)
        and not any(_NUMBER.match(name) for name in names)
    )


def _render(cells: list[str], header: list[str] | None) -> str:
    values = [_SPACES.sub(" ", cell).strip() for cell in cells]
    if header is None:
        return " | ".join(values)
    named = []
    for index, value in enumerate(values):
        if value:
            name = header[index].strip() if index < len(header) else ""
            name = name or f"column {index + 1}"
            named.append(f"{name}: {value}")
    return "; ".join(named)
