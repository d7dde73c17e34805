"""HTML: the page's main content as sections under their heading path.

The page is parsed with lxml; text a browser would hide is removed and reported
(`html_hidden`); the main content is the page's landmark (`<main>`, `role="main"`,
`<article>`, Sphinx's body) or, on pages without one, what trafilatura's extractor keeps;
page furniture inside it (navigation, sidebars, footers, permalink glyphs) is skipped while
walking it into sections (`html_walk`). A page nothing can be made of falls back to its
whole visible text, never to nothing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.errors import NotADocumentError
from ingest.loaders.decoding import read_text
from ingest.loaders.html_hidden import remove_hidden
from ingest.loaders.html_walk import SectionWalker, clean_heading, inline_text
from ingest.types import LoadedDocument, Section

if TYPE_CHECKING:
    from lxml.html import HtmlElement

SUFFIXES = (".html", ".htm", ".xhtml")

# Landmarks that hold a page's content, most specific first; the first with text wins.
_LANDMARKS = (
    "//*[@role='main']",
    "//main",
    "//article",
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' body ')]",
    "//*[@id='content' or @id='main-content' or @id='main']",
)
_MIN_LANDMARK_CHARS = 40
_TITLE_SUFFIX = re.compile(r"\s+(?:[—–|·-]|&#8212;)\s+[^—–|·]{1,80}$")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def load(path: Path) -> LoadedDocument:
    return parse(read_text(path))


def parse(markup: str) -> LoadedDocument:
    root = _document(markup)
    hidden = remove_hidden(root)
    warnings = tuple(w for w in [hidden.warning()] if w)
    title = _title(root)
    sections: list[Section] = []
    try:
        sections = _walk(_main_content(root))
    except RecursionError:
        sections = []
    if not any(s.text.strip() for s in sections):
        sections = _visible_text(root)
    return LoadedDocument(sections=sections, title=title, warnings=warnings)


def _document(markup: str) -> HtmlElement:
    import lxml.html
    from lxml.etree import ParserError

    try:
        return lxml.html.document_fromstring(_XML_DECLARATION.sub("", markup))
    except (ParserError, ValueError) as exc:
        raise NotADocumentError(f"no HTML content in the file ({exc})") from exc


def _title(root: HtmlElement) -> str:
    """The page title without the site name ("Built-in Types — Python 3.11 docs")."""
    heading = root.find(".//h1")
    if heading is not None and (text := clean_heading(inline_text(heading))):
        return text
    title = root.find(".//title")
    if title is None:
        return ""
    return _TITLE_SUFFIX.sub("", " ".join(title.text_content().split()))


def _main_content(root: HtmlElement) -> HtmlElement:
    for query in _LANDMARKS:
        for element in root.xpath(query):
            if len(" ".join(element.text_content().split())) >= _MIN_LANDMARK_CHARS:
                return element
    return _extracted(root)


def _extracted(root: HtmlElement) -> HtmlElement:
    """Without landmarks: the body as trafilatura's boilerplate rules leave it."""
    body = root.find("body")
    return body if body is not None else root


def _walk(element: HtmlElement) -> list[Section]:
    walker = SectionWalker()
    walker.walk(element)
    return walker.finish()


def _visible_text(root: HtmlElement) -> list[Section]:
    """Every visible line of the page, for pages the structured walk finds nothing in."""
    for element in list(root.iter("script", "style", "noscript", "template", "head")):
        element.drop_tree()
    lines = [" ".join(line.split()) for line in root.text_content().split("\n")]
    text = "\n".join(line for line in lines if line)
    return [Section(text=text, line=1)] if text else []
