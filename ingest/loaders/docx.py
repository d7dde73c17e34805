"""Word documents (.docx): paragraphs, tables, text boxes and footnotes, split at headings.

Read with the standard zip reader and defusedxml (see `archive`), not python-docx: it finds
more of the text (content controls, tracked insertions, text boxes, footnotes), reads faster
and needs no lxml. A heading is a paragraph whose style, or the styles it is based on, is a
built-in heading ("heading 1".."heading 9", "Title") or has an outline level. The title is
the one in the document's properties, else its first "Title" paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.loaders.archive import ZipDocument, attribute, expect_root, local_name
from ingest.loaders.opc import core_title, main_part, related
from ingest.loaders.outline import Block, outline_title, sections_from_blocks
from ingest.types import LoadedDocument

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

SUFFIXES = (".docx", ".docm", ".dotx")


@dataclass(frozen=True, slots=True)
class _Style:
    level: int | None  # heading level (0 = title), None for body text
    listed: bool  # paragraphs of this style are list items


_HEADING_STYLE = re.compile(r"heading\s*([1-9])$", re.IGNORECASE)
_MAX_STYLE_DEPTH = 16
# Elements whose text is not part of the document's text (or is read elsewhere).
_SKIPPED = frozenset(
    {"pPr", "rPr", "tblPr", "trPr", "tcPr", "sectPr", "Fallback", "instrText", "delText", "del"}
)
_CONTAINERS = frozenset({"sdt", "sdtContent", "customXml", "ins", "moveTo", "smartTag", "body"})


def load(path: Path) -> LoadedDocument:
    with ZipDocument(path, "DOCX", legacy="Word 97-2003 (.doc)") as package:
        title = core_title(package)
        document = main_part(package, "word/document.xml")
        root = package.xml(document)
        expect_root(root, "document", "DOCX")
        styles = _paragraph_styles(package, related(package, document, "/styles"))
        blocks = list(_blocks(root, styles))
        for kind, notes_heading in (("/footnotes", "Footnotes"), ("/endnotes", "Endnotes")):
            for part in related(package, document, kind):
                notes = list(_notes(package.xml(part), styles))
                if notes:
                    blocks += [Block(notes_heading, level=1), *notes]
    return LoadedDocument(sections_from_blocks(blocks), title=title or outline_title(blocks))


def _paragraph_styles(package: ZipDocument, parts: list[str]) -> dict[str, _Style]:
    """Paragraph style id -> its heading level and list flag, following `basedOn` chains."""
    declared: dict[str, tuple[_Style, str | None]] = {}
    for part in parts[:1]:
        for style in package.xml(part):
            if local_name(style.tag) != "style" or attribute(style, "type") != "paragraph":
                continue
            level, listed, based_on = None, False, None
            for child in style:
                name = local_name(child.tag)
                if name == "name":
                    level = _style_name_level(attribute(child, "val"))
                elif name == "basedOn":
                    based_on = attribute(child, "val")
                elif name == "pPr":
                    level = level if level is not None else _outline_level(child)
                    listed = any(local_name(c.tag) == "numPr" for c in child)
            declared[attribute(style, "styleId") or ""] = (_Style(level, listed), based_on)
    return {style_id: _resolved(style_id, declared) for style_id in declared}


def _resolved(style_id: str, declared: dict[str, tuple[_Style, str | None]]) -> _Style:
    level, listed = None, False
    current: str | None = style_id
    for _ in range(_MAX_STYLE_DEPTH):
        if current is None or current not in declared:
            break
        style, current = declared[current]
        level = level if level is not None else style.level
        listed = listed or style.listed
    return _Style(level, listed)


def _style_name_level(name: str | None) -> int | None:
    if not name:
        return None
    if name.strip().lower() == "title":
        return 0
    match = _HEADING_STYLE.match(name.strip())
    return int(match.group(1)) if match else None


def _outline_level(properties: Element) -> int | None:
    for child in properties:
        if local_name(child.tag) == "outlineLvl":
            value = attribute(child, "val") or ""
            if value.isdigit() and int(value) < 9:
                return int(value) + 1
    return None


def _blocks(element: Element, styles: dict[str, _Style]) -> Iterator[Block]:
    for child in element:
        name = local_name(child.tag)
        if name == "p":
            yield from _paragraph(child, styles)
        elif name == "tbl":
            yield from _table(child, styles)
        elif name in _CONTAINERS or name == "document":
            yield from _blocks(child, styles)


def _paragraph(paragraph: Element, styles: dict[str, _Style]) -> Iterator[Block]:
    pieces: list[str] = []
    boxes: list[Element] = []
    _collect_text(paragraph, pieces, boxes)
    level, listed = _paragraph_style(paragraph, styles)
    text = "".join(pieces)
    if listed and level is None and text.strip():
        text = "- " + text
    yield Block(text, level=level)
    for box in boxes:
        yield from _blocks(box, styles)


def _paragraph_style(paragraph: Element, styles: dict[str, _Style]) -> tuple[int | None, bool]:
    """(heading level or None, whether the paragraph is a list item)."""
    level, listed = None, False
    for properties in paragraph:
        if local_name(properties.tag) != "pPr":
            continue
        for child in properties:
            name = local_name(child.tag)
            if name == "pStyle":
                style = styles.get(attribute(child, "val") or "", _Style(None, False))
                level, listed = style.level, listed or style.listed
            elif name == "numPr":
                listed = True
        direct = _outline_level(properties)
        level = direct if direct is not None else level
    return level, listed


def _collect_text(element: Element, pieces: list[str], boxes: list[Element]) -> None:
    for child in element:
        name = local_name(child.tag)
        if name == "t":
            pieces.append(child.text or "")
        elif name in ("tab", "ptab"):
            pieces.append("\t")
        elif name in ("br", "cr"):
            pieces.append("\n")
        elif name == "noBreakHyphen":
            pieces.append("-")
        elif name == "txbxContent":
            boxes.append(child)
        elif name not in _SKIPPED:
            _collect_text(child, pieces, boxes)


def _table(table: Element, styles: dict[str, _Style]) -> Iterator[Block]:
    first = True
    for row in _rows(table):
        cells = []
        for cell in row:
            if local_name(cell.tag) == "tc":
                texts = [block.text.strip() for block in _blocks(cell, styles)]
                cells.append(" ".join(text for text in texts if text))
        if any(cells):
            yield Block(" | ".join(cells), paragraph=first)
            first = False


def _rows(element: Element) -> Iterator[Element]:
    """The rows of a table (not of tables nested in its cells)."""
    for child in element:
        name = local_name(child.tag)
        if name == "tr":
            yield child
        elif name in _CONTAINERS:
            yield from _rows(child)


def _notes(root: Element, styles: dict[str, _Style]) -> Iterator[Block]:
    for note in root:
        if local_name(note.tag) not in ("footnote", "endnote") or attribute(note, "type"):
            continue  # separators have a type; real notes do not
        texts = [block.text.strip() for block in _blocks(note, styles)]
        text = " ".join(text for text in texts if text)
        if text:
            yield Block(f"[{attribute(note, 'id')}] {text}")
