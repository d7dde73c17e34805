"""PowerPoint presentations (.pptx): one section per slide, headed "Slide 3: Title".

A slide's text is its title, its text boxes and tables in the order they sit on the slide,
then the speaker notes. Read with the standard zip reader and defusedxml (see `archive`).
The title is the one in the presentation's properties, else the title of the first slide
that has one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.loaders.archive import ZipDocument, expect_root, local_name
from ingest.loaders.opc import core_title, main_part, related, relationships
from ingest.types import LoadedDocument, Section

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

SUFFIXES = (".pptx", ".pptm", ".ppsx", ".potx")

_TITLES = frozenset({"title", "ctrTitle"})
# Placeholders that repeat on every slide (numbers, dates, footers) or show the slide itself.
_FURNITURE = frozenset({"sldNum", "dt", "ftr", "hdr", "sldImg"})


def load(path: Path) -> LoadedDocument:
    with ZipDocument(path, "PPTX", legacy="PowerPoint 97-2003 (.ppt)") as package:
        title = core_title(package)
        presentation = main_part(package, "ppt/presentation.xml")
        root = package.xml(presentation)
        expect_root(root, "presentation", "PPTX")
        slides = relationships(package, presentation)
        sections = []
        for number, slide_id in enumerate(_slide_ids(root), start=1):
            kind, part = slides.get(slide_id, ("", ""))
            if kind != "/slide" or not package.has(part):
                continue
            slide_title, section = _slide(package, part, number)
            title = title or slide_title
            sections.append(section)
    return LoadedDocument(sections, title=title)


def _slide_ids(presentation: Element) -> Iterator[str]:
    """The relationship ids of the slides, in presentation order (the r:id attributes)."""
    for element in presentation.iter():
        if local_name(element.tag) == "sldId":
            for key, value in element.attrib.items():
                if key.startswith("{") and local_name(key) == "id":
                    yield value


def _slide(package: ZipDocument, part: str, number: int) -> tuple[str, Section]:
    """The slide's title and its section."""
    slide = package.xml(part)
    title = ""
    lines: list[str] = []
    for placeholder, text in _shapes(slide):
        if placeholder in _TITLES and not title:
            title = " ".join(text.split())
        lines.append(text)
    for notes_part in related(package, part, "/notesSlide")[:1]:
        notes = [text for _, text in _shapes(package.xml(notes_part))]
        if notes:
            lines += ["", "Notes:", *notes]
    hidden = " (hidden)" if slide.get("show") == "0" else ""
    heading = f"Slide {number}{hidden}" + (f": {title}" if title else "")
    return title, Section(text="\n".join(lines).strip(), heading=heading)


def _shapes(element: Element) -> Iterator[tuple[str, str]]:
    """(placeholder type, text) of each shape with text, in drawing order, groups included."""
    for child in element:
        name = local_name(child.tag)
        if name == "sp":
            placeholder = _placeholder(child)
            text = _text_body(child)
            if placeholder not in _FURNITURE and text.strip():
                yield placeholder, text
        elif name == "graphicFrame":
            rows = [
                " | ".join(_text_body(cell) for cell in _children(row, "tc"))
                for row in _tagged(child, "tr")
            ]
            if any(row.strip(" |") for row in rows):
                yield "table", "\n".join(rows)
        elif name != "Fallback":
            yield from _shapes(child)


def _placeholder(shape: Element) -> str:
    for element in shape.iter():
        if local_name(element.tag) == "ph":
            return element.get("type", "body")
        if local_name(element.tag) == "txBody":
            break
    return ""


def _text_body(element: Element) -> str:
    paragraphs = []
    for paragraph in _tagged(element, "p"):
        pieces = []
        for node in paragraph.iter():
            name = local_name(node.tag)
            if name == "t":
                pieces.append(node.text or "")
            elif name == "br":
                pieces.append("\n")
        paragraphs.append("".join(pieces))
    return "\n".join(paragraphs).strip()


def _tagged(element: Element, name: str) -> Iterator[Element]:
    return (node for node in element.iter() if local_name(node.tag) == name)


def _children(element: Element, name: str) -> Iterator[Element]:
    return (node for node in element if local_name(node.tag) == name)
