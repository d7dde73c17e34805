"""OpenDocument text (.odt): paragraphs, lists, tables, frames and notes, split at headings.

Read with the standard zip reader and defusedxml (see `archive`); odfpy adds little here and
is no longer maintained. Tables of contents and indexes are left out (they repeat the
headings), and so are comments and deleted tracked changes. The title is the one in the
document's properties (meta.xml), else its first "Title" paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.errors import LoadError
from ingest.loaders.archive import ZipDocument, attribute, first_text, local_name
from ingest.loaders.outline import Block, outline_title, sections_from_blocks
from ingest.types import LoadedDocument

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

SUFFIXES = (".odt", ".ott")

_TEXT_TYPES = (
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.text-template",
)
_OTHER_TYPES = {
    "spreadsheet": "an OpenDocument spreadsheet (.ods)",
    "presentation": "an OpenDocument presentation (.odp)",
    "graphics": "an OpenDocument drawing (.odg)",
}
_SKIPPED = frozenset(
    {
        "table-of-content",
        "alphabetical-index",
        "illustration-index",
        "table-index",
        "object-index",
        "user-index",
        "bibliography",
        "tracked-changes",
        "annotation",
        "annotation-end",
        "sequence-decls",
        "variable-decls",
        "user-field-decls",
        "forms",
        "note-body",
        "change",
        "deletion",
    }
)
_SPACES = re.compile(r"[ \t\r\n]+")


def load(path: Path) -> LoadedDocument:
    with ZipDocument(path, "ODT", legacy="") as package:
        _check_type(package)
        _check_not_encrypted(package)
        root = package.xml("content.xml")
        title = first_text(package.xml("meta.xml"), "title") if package.has("meta.xml") else ""
    notes: list[Block] = []
    titles = _title_styles(root)
    blocks = [
        Block(b.text, level=0) if b.style in titles and b.level is None else b
        for b in _blocks(_office_text(root), notes)
    ]
    if notes:
        blocks += [Block("Notes", level=1), *notes]
    return LoadedDocument(sections_from_blocks(blocks), title=title or outline_title(blocks))


def _check_type(package: ZipDocument) -> None:
    if not package.has("mimetype"):
        return  # optional in practice; content.xml decides
    mimetype = package.read("mimetype").decode("ascii", "replace").strip()
    if mimetype in _TEXT_TYPES:
        return
    kind = next((name for key, name in _OTHER_TYPES.items() if key in mimetype), None)
    raise LoadError(
        f"not a valid ODT: the file is {kind or repr(mimetype[:60])}, not a text document"
    )


def _check_not_encrypted(package: ZipDocument) -> None:
    manifest = "META-INF/manifest.xml"
    if not package.has(manifest):
        return
    for entry in package.xml(manifest):
        if local_name(entry.tag) != "file-entry":
            continue
        target = attribute(entry, "full-path")
        if target == "content.xml" and any(local_name(c.tag) == "encryption-data" for c in entry):
            raise LoadError("encrypted ODT: it needs a password; save a copy without one")


def _title_styles(root: Element) -> set[str]:
    """Names of the paragraph styles that are, or derive from, the "Title" style."""
    titles = {"Title"}
    for element in root.iter():
        if (
            local_name(element.tag) == "style"
            and attribute(element, "parent-style-name") == "Title"
        ):
            titles.add(attribute(element, "name") or "Title")
    return titles


def _office_text(root: Element) -> Element:
    for body in root:
        if local_name(body.tag) == "body":
            for child in body:
                if local_name(child.tag) == "text":
                    return child
    raise LoadError("not a valid ODT: content.xml has no text body")


def _blocks(element: Element, notes: list[Block]) -> Iterator[Block]:
    first_row = True
    for child in element:
        name = local_name(child.tag)
        if name in ("p", "h"):
            boxes: list[Element] = []
            text = _paragraph_text(child, boxes, notes)
            level = attribute(child, "outline-level") if name == "h" else None
            yield Block(
                text,
                level=int(level) if level and level.isdigit() else (1 if name == "h" else None),
                style=attribute(child, "style-name") or "",
            )
            for box in boxes:
                yield from _blocks(box, notes)
        elif name == "table-row":
            cells = [
                " ".join(b.text.strip() for b in _blocks(cell, notes) if b.text.strip())
                for cell in child
            ]
            if any(cells):
                yield Block(" | ".join(cells), paragraph=first_row)
                first_row = False
        elif name not in _SKIPPED:
            yield from _blocks(child, notes)


def _paragraph_text(paragraph: Element, boxes: list[Element], notes: list[Block]) -> str:
    pieces: list[str] = []
    _collect(paragraph, pieces, boxes, notes)
    return "".join(pieces).strip()


def _collect(element: Element, pieces: list[str], boxes: list[Element], notes: list[Block]) -> None:
    pieces.append(_SPACES.sub(" ", element.text or ""))
    for child in element:
        name = local_name(child.tag)
        if name == "s":
            count = attribute(child, "c") or "1"
            pieces.append(" " * min(int(count) if count.isdigit() else 1, 100))
        elif name == "tab":
            pieces.append("\t")
        elif name == "line-break":
            pieces.append("\n")
        elif name == "text-box":
            boxes.append(child)
        elif name == "note":
            _note(child, pieces, notes)
        elif name not in _SKIPPED:
            _collect(child, pieces, boxes, notes)
        pieces.append(_SPACES.sub(" ", child.tail or ""))


def _note(note: Element, pieces: list[str], notes: list[Block]) -> None:
    citation = next((c.text or "" for c in note if local_name(c.tag) == "note-citation"), "")
    pieces.append(f"[{citation}]" if citation else "")
    for body in note:
        if local_name(body.tag) == "note-body":
            text = " ".join(b.text.strip() for b in _blocks(body, notes) if b.text.strip())
            if text:
                notes.append(Block(f"[{citation}] {text}" if citation else text))
