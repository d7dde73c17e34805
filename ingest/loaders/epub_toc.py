"""An EPUB's table of contents: the EPUB 3 navigation document, or the EPUB 2 NCX file.

A book whose table of contents cannot be read is still read, headed by its own headings.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TYPE_CHECKING
from urllib.parse import unquote

from ingest.errors import LoadError
from ingest.loaders.archive import ZipDocument, join, local_name

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

_MAX_DEPTH = 12


@dataclass(frozen=True, slots=True)
class TocEntry:
    level: int  # 1 = top
    title: str
    part: str  # the chapter file inside the book
    fragment: str  # the anchor inside it, or ""


def read_toc(book: ZipDocument, *, nav: str, ncx: str) -> list[TocEntry]:
    try:
        if nav and book.has(nav):
            entries = _nav_entries(book, nav)
            if entries:
                return entries
        if ncx and book.has(ncx):
            return _ncx_entries(book.xml(ncx), ncx, 1)
    except LoadError:
        pass
    return []


def _entry(base: str, href: str, title: str, level: int) -> TocEntry | None:
    title = " ".join(title.split())
    target, _, fragment = href.partition("#")
    if not title or not href:
        return None
    return TocEntry(
        min(level, _MAX_DEPTH),
        title,
        join(base, unquote(target)) if target else base,
        unquote(fragment),
    )


def _nav_entries(book: ZipDocument, nav: str) -> list[TocEntry]:
    parser = _NavParser(nav)
    parser.feed(book.read(nav).decode("utf-8", "replace"))
    parser.close()
    return parser.entries


def _ncx_entries(element: Element, base: str, level: int) -> list[TocEntry]:
    entries = []
    for child in element:
        name = local_name(child.tag)
        if name == "navPoint":
            label = next((e.text or "" for e in child.iter() if local_name(e.tag) == "text"), "")
            source = next((e.get("src", "") for e in child if local_name(e.tag) == "content"), "")
            entry = _entry(base, source, label, level)
            if entry:
                entries.append(entry)
            entries += _ncx_entries(child, base, level + 1)
        elif name in ("ncx", "navMap"):
            entries += _ncx_entries(child, base, level)
    return entries


class _NavParser(HTMLParser):
    """Links inside the <nav epub:type="toc"> element, with the depth of their list."""

    def __init__(self, base: str):
        super().__init__(convert_charrefs=True)
        self.base = base
        self.entries: list[TocEntry] = []
        self._nav_depth = 0  # nesting of <nav> elements while inside the toc one
        self._list_depth = 0
        self._link: tuple[str, list[str]] | None = None
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "nav" and not self._done and (self._nav_depth or _is_toc(values)):
            self._nav_depth += 1
        if not self._nav_depth:
            return
        if tag == "ol":
            self._list_depth += 1
        elif tag == "a" and values.get("href"):
            self._link = (values["href"], [])

    def handle_endtag(self, tag: str) -> None:
        if not self._nav_depth:
            return
        if tag == "nav":
            self._nav_depth -= 1
            self._done = self._nav_depth == 0
        elif tag == "ol":
            self._list_depth = max(0, self._list_depth - 1)
        elif tag == "a" and self._link is not None:
            href, pieces = self._link
            self._link = None
            entry = _entry(self.base, href, "".join(pieces), max(1, self._list_depth))
            if entry:
                self.entries.append(entry)

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link[1].append(data)


def _is_toc(attributes: dict[str, str]) -> bool:
    kinds = (attributes.get("epub:type", "") + " " + attributes.get("role", "")).split()
    return "toc" in kinds or "doc-toc" in kinds
