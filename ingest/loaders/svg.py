"""SVG pictures: the words they show, not the XML that draws them.

An SVG is text, and read as text it is mostly path data: the Python logo Debian's Jupyter
manual ships (15 KB, no words but its title) made 47 chunks of coordinates, a screenshot
redrawn as a diagram 151. What a person could search a drawing for is its title and
description and the text it draws: `<text>` (with its `<tspan>` lines), Inkscape's flowed
text and the HTML labels of `<foreignObject>`, which draw.io and Mermaid use. Of a
`<switch>`, only the first branch that says something is read: draw.io draws each label
twice, as HTML and, for viewers without it, as `<text>`. Metadata, styles, scripts and
definitions are not what the picture shows. A picture without words is skipped, as an image
without readable text is. The XML goes through defusedxml (see `archive`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.errors import LoadError, NotADocumentError
from ingest.loaders.archive import local_name
from ingest.types import LoadedDocument, Section

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

SUFFIXES = (".svg",)
_MIN_WORDS = 3  # as for images: fewer words of three or more letters is a picture
_WORD = re.compile(r"[^\W\d_]{3,}")
_DRAWN_TEXT = frozenset({"text", "flowRoot", "foreignObject"})
_NOT_SHOWN = frozenset({"metadata", "style", "script", "defs", "title", "desc"})
_SPACES = re.compile(r"\s+")


def load(path: Path) -> LoadedDocument:
    root = _parse(path)
    title = _own_text(root, "title")
    lines = [line for line in (_own_text(root, "desc"), *_drawn_lines(root)) if line]
    if len(_WORD.findall(" ".join([title, *lines]))) < _MIN_WORDS:
        raise NotADocumentError("picture without text")
    return LoadedDocument(sections=[Section(text="\n".join(lines or [title]))], title=title)


def _parse(path: Path) -> Element:
    from xml.etree.ElementTree import ParseError

    import defusedxml.ElementTree as safe_xml
    from defusedxml import DefusedXmlException

    try:
        root = safe_xml.parse(path).getroot()
    except ParseError as exc:
        raise LoadError(f"not a valid SVG: not well-formed XML ({exc})") from exc
    except DefusedXmlException as exc:
        raise LoadError(
            "not a valid SVG: it declares XML entities or external references, "
            "which margin does not expand (an XML bomb?)"
        ) from exc
    except OSError as exc:
        raise LoadError(f"cannot be read: {exc.strerror or exc}") from exc
    if local_name(root.tag) != "svg":
        raise LoadError("not a valid SVG: its root element is not <svg>")
    return root


def _own_text(root: Element, tag: str) -> str:
    """The text of the picture's own `tag` element (a child of <svg>), or ""."""
    found = next((child for child in root if local_name(child.tag) == tag), None)
    return _words(found) if found is not None else ""


def _drawn_lines(element: Element) -> list[str]:
    lines: list[str] = []
    for child in element:
        tag = local_name(child.tag)
        if tag in _NOT_SHOWN:
            continue
        if tag in _DRAWN_TEXT:
            lines.append(_words(child))
        elif tag == "switch":
            lines.extend(next((found for c in child if (found := _drawn_lines_of(c))), []))
        else:
            lines.extend(_drawn_lines(child))
    return [line for line in lines if line]


def _drawn_lines_of(element: Element) -> list[str]:
    """The lines one branch of a <switch> draws: the element itself when it is text."""
    if local_name(element.tag) in _DRAWN_TEXT:
        return [line] if (line := _words(element)) else []
    return _drawn_lines(element)


def _words(element: Element) -> str:
    return _SPACES.sub(" ", " ".join(element.itertext())).strip()
