"""Jupyter notebooks (.ipynb): markdown and code cells, without outputs, located by cell number.

A markdown cell reads as the notebook shows it (`ingest.loaders.markdown.shown_lines`): the
HTML its writers use for notes and layout (`<div class="alert alert-success">`, `<br>`,
`<img>`) and comments are left out, as a Markdown file's are. Jupyter's own manual had its
cells' `<div>` tags quoted and chunked as text.

Neighbouring cells under the same markdown heading are read together, up to about one
chunk of text, so a one-line code cell does not become a chunk of its own; the location is
the heading path and the cells: "Cleaning the data > Cells 4-6" (cells numbered from 1, in
the order the notebook shows them). The title is the notebook's metadata title, else the
first heading of its first cell ("# Survey results").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import LoadError
from ingest.loaders.decoding import read_text
from ingest.loaders.markdown import shown_lines
from ingest.markdown_syntax import atx_headings
from ingest.types import HEADING_SEPARATOR, LoadedDocument, Section

SUFFIXES = (".ipynb",)

_GROUP_CHARS = 1200  # about one chunk of 200 word pieces
_TEXT_CELLS = frozenset({"markdown", "code", "raw", "heading"})


@dataclass(slots=True)
class _Group:
    trail: list[tuple[int, str]]
    cells: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def size(self) -> int:
        return sum(len(text) for text in self.texts)

    def section(self) -> Section:
        first, last = self.cells[0], self.cells[-1]
        where = f"Cell {first}" if first == last else f"Cells {first}-{last}"
        path = [title for _, title in self.trail] + [where]
        return Section(text="\n\n".join(self.texts), heading=HEADING_SEPARATOR.join(path))


def load(path: Path) -> LoadedDocument:
    try:
        notebook = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise LoadError(f"not a valid notebook: not JSON ({exc.msg} at line {exc.lineno})") from exc
    except RecursionError as exc:
        raise LoadError("not a valid notebook: its JSON is nested too deeply") from exc
    cells = _cells(notebook)
    return LoadedDocument(_sections(cells), title=_title(notebook, cells))


def _cells(notebook: Any) -> list[dict[str, Any]]:
    if not isinstance(notebook, dict):
        raise LoadError("not a valid notebook: the file holds no notebook object")
    cells = notebook.get("cells")
    if cells is None:  # format 3 and older: cells inside worksheets
        worksheets = notebook.get("worksheets") or [{}]
        cells = worksheets[0].get("cells") if isinstance(worksheets[0], dict) else None
    if not isinstance(cells, list):
        raise LoadError("not a valid notebook: it has no list of cells")
    return [cell if isinstance(cell, dict) else {} for cell in cells]


def _title(notebook: dict[str, Any], cells: list[dict[str, Any]]) -> str:
    metadata = notebook.get("metadata")
    title = metadata.get("title") if isinstance(metadata, dict) else None
    if isinstance(title, str) and title.strip():
        return " ".join(title.split())
    for cell in cells:
        text = _cell_text(cell)
        if cell.get("cell_type") in _TEXT_CELLS and text.strip():
            headings = _headings(cell, text)
            return headings[0][1] if headings else ""
    return ""


def _sections(cells: list[dict[str, Any]]) -> list[Section]:
    sections: list[Section] = []
    trail: list[tuple[int, str]] = []
    group = _Group(list(trail))
    for number, cell in enumerate(cells, start=1):
        kind = cell.get("cell_type")
        text = _cell_text(cell)
        if kind not in _TEXT_CELLS or not text.strip():
            continue
        headings = _headings(cell, text)
        if headings or group.size() + len(text) > _GROUP_CHARS:
            if group.cells:
                sections.append(group.section())
            for level, title in headings:
                while trail and trail[-1][0] >= level:
                    trail.pop()
                trail.append((level, title))
            group = _Group(list(trail))
        group.cells.append(number)
        group.texts.append(text)
    if group.cells:
        sections.append(group.section())
    return sections


def _headings(cell: dict[str, Any], text: str) -> list[tuple[int, str]]:
    if cell.get("cell_type") == "heading":  # format 3
        level = cell.get("level")
        return [(level if isinstance(level, int) else 1, " ".join(text.split()))]
    if cell.get("cell_type") != "markdown":
        return []
    return [(level, " ".join(title.split())) for level, title in atx_headings(text.split("\n"))]


def _cell_text(cell: dict[str, Any]) -> str:
    text = _source(cell.get("source", cell.get("input", "")))
    if cell.get("cell_type") == "markdown":
        text = "\n".join(shown_lines(text.split("\n")))
    return text.strip("\n")


def _source(source: Any) -> str:
    if isinstance(source, list):
        return "".join(piece for piece in source if isinstance(piece, str))
    return source if isinstance(source, str) else ""
