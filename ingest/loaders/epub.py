"""E-books (.epub 2 and 3): chapters in reading order, headed by the book's table of contents.

A chunk's location is the path of table-of-contents entries above it ("4. Customization >
4.2 Hooks"), the same titles a reader app lists. A chapter the table of contents does not
name stays under the entry before it; headings inside it (h1-h6) nest below that entry.
The navigation document itself is left out (it only repeats the titles). The book's title
comes from its package metadata (dc:title).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.errors import LoadError, NotADocumentError
from ingest.loaders.archive import ZipDocument, attribute, first_text, join, local_name
from ingest.loaders.decoding import decode
from ingest.loaders.headings import SectionBuilder
from ingest.markdown_syntax import FENCE
from ingest.types import LoadedDocument, Section

if TYPE_CHECKING:
    from ingest.loaders.epub_toc import TocEntry

SUFFIXES = (".epub",)

_CONTAINER = "META-INF/container.xml"
_ENCRYPTION = "META-INF/encryption.xml"
_MIMETYPE = "application/epub+zip"
_CHAPTER_TYPES = frozenset({"application/xhtml+xml", "text/html", "application/x-dtbook+xml"})
# Fonts are "encrypted" by obfuscation in many ordinary books; that hides no text.
_CONTENTS_TITLES = frozenset({"table of contents", "contents", "toc"})
_FONT_OBFUSCATION = frozenset(
    {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
)


@dataclass(frozen=True, slots=True)
class _Item:
    part: str
    media_type: str
    properties: str


def load(path: Path) -> LoadedDocument:
    from ingest.loaders.epub_toc import read_toc  # HTML parsing loads with the first book

    with ZipDocument(path, "EPUB") as book:
        _check_mimetype(book)
        package = _package_part(book)
        items, spine, toc_id, contents_pages = _read_package(book, package)
        nav = next((item.part for item in items.values() if "nav" in item.properties.split()), "")
        toc = read_toc(book, nav=nav, ncx=items[toc_id].part if toc_id in items else "")
        contents_pages |= {nav} | {e.part for e in toc if _folded(e.title) in _CONTENTS_TITLES}
        toc = [entry for entry in toc if entry.part not in contents_pages]
        chapters = _chapters(items, spine, exclude=contents_pages)
        _check_not_encrypted(book, chapters)
        title = first_text(book.xml(package), "title")
        return LoadedDocument(_sections(book, chapters, toc), title=title)


def _check_mimetype(book: ZipDocument) -> None:
    if book.has("mimetype"):
        mimetype = book.read("mimetype").decode("ascii", "replace").strip()
        if mimetype != _MIMETYPE:
            raise LoadError(f"not a valid EPUB: its mimetype is {mimetype[:60]!r}, not {_MIMETYPE}")


def _package_part(book: ZipDocument) -> str:
    if not book.has(_CONTAINER):
        raise LoadError(f"not a valid EPUB: it has no {_CONTAINER}")
    for element in book.xml(_CONTAINER).iter():
        if local_name(element.tag) == "rootfile" and element.get("full-path"):
            media_type = element.get("media-type", "application/oebps-package+xml")
            if media_type == "application/oebps-package+xml":
                return element.get("full-path", "")
    raise LoadError("not a valid EPUB: its container names no package document")


def _read_package(
    book: ZipDocument, package: str
) -> tuple[dict[str, _Item], list[str], str, set[str]]:
    """(manifest id -> item, spine idrefs in reading order, id of the NCX table of contents,
    the pages the guide marks as a table of contents)."""
    root = book.xml(package)
    items: dict[str, _Item] = {}
    spine: list[str] = []
    toc_id = ""
    contents_pages = set()
    for element in root.iter():
        name = local_name(element.tag)
        if name == "item" and element.get("id") and element.get("href"):
            items[element.get("id", "")] = _Item(
                join(package, element.get("href", "")),
                element.get("media-type", ""),
                element.get("properties", ""),
            )
        elif name == "itemref" and element.get("idref"):
            spine.append(element.get("idref", ""))
        elif name == "spine":
            toc_id = element.get("toc", "")
        elif name == "reference" and element.get("type") == "toc" and element.get("href"):
            contents_pages.add(join(package, element.get("href", "")))
    if not spine:
        raise LoadError("not a valid EPUB: its package document lists no chapters")
    return items, spine, toc_id, contents_pages


def _chapters(items: dict[str, _Item], spine: list[str], exclude: set[str]) -> list[str]:
    """Chapter parts in reading order, each once (some books list a file once per anchor)."""
    seen: dict[str, None] = {}
    for idref in spine:
        item = items.get(idref)
        if item and item.media_type in _CHAPTER_TYPES and item.part not in exclude:
            seen.setdefault(item.part, None)
    return list(seen)


def _check_not_encrypted(book: ZipDocument, chapters: list[str]) -> None:
    if not book.has(_ENCRYPTION):
        return
    encrypted = set()
    for data in book.xml(_ENCRYPTION):
        if local_name(data.tag) != "EncryptedData":
            continue
        algorithm = next(
            (
                attribute(e, "Algorithm")
                for e in data.iter()
                if local_name(e.tag) == "EncryptionMethod"
            ),
            None,
        )
        for reference in data.iter():
            if (
                local_name(reference.tag) == "CipherReference"
                and algorithm not in _FONT_OBFUSCATION
            ):
                encrypted.add(join("", attribute(reference, "URI") or ""))
    if encrypted.intersection(chapters):
        raise LoadError(
            "DRM-protected EPUB: its chapters are encrypted, so margin cannot read them"
        )


def _sections(book: ZipDocument, chapters: list[str], toc: list[TocEntry]) -> list[Section]:
    from ingest.loaders.epub_text import Anchor, Heading, Text, chapter_events

    by_part: dict[str, list[TocEntry]] = defaultdict(list)
    for entry in toc:
        by_part[entry.part].append(entry)
    builder = SectionBuilder()
    level = 0  # depth of the table-of-contents entry the text is under
    for chapter in chapters:
        if not book.has(chapter):
            continue
        entries = by_part.get(chapter, [])
        anchors = {entry.fragment: entry for entry in entries if entry.fragment}
        titles = set()
        for entry in entries:
            if not entry.fragment:
                builder.heading(entry.level, entry.title)
                level, titles = entry.level, {_folded(entry.title)}
        paragraph: list[str] = []
        for event in chapter_events(_chapter_text(book, chapter)):
            if isinstance(event, Text):
                paragraph.append(event.text)
                if event.text.strip():
                    titles = set()  # only a heading before any text restates the title
                continue
            _end_paragraph(builder, paragraph)
            if isinstance(event, Anchor) and event.name in anchors:
                entry = anchors.pop(event.name)
                builder.heading(entry.level, entry.title)
                level, titles = entry.level, {_folded(entry.title)}
            elif isinstance(event, Heading):
                if not anchors and not _repeats(event.text, titles):
                    builder.heading(level + event.level, event.text)
                paragraph.append(event.text)
                _end_paragraph(builder, paragraph)
        _end_paragraph(builder, paragraph)
    sections = [replace(section, line=None, lines=()) for section in builder.finish()]
    if not sections:
        raise NotADocumentError("no text in the book (its pages may be images)")
    return sections


def _end_paragraph(builder: SectionBuilder, pieces: list[str]) -> None:
    lines = "".join(pieces).strip("\n").split("\n")
    if FENCE.match(lines[0]):  # a <pre>'s code (`epub_text`): its indentation is meaning
        text = "\n".join(line.rstrip() for line in lines)
    else:
        text = "\n".join(line.strip() for line in lines).strip()
    if text:
        builder.add(["", text])
    pieces.clear()


def _chapter_text(book: ZipDocument, part: str) -> str:
    data = book.read(part)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return decode(data)
        except NotADocumentError:
            return ""


def _repeats(heading: str, titles: set[str]) -> bool:
    """True when a chapter's heading restates its table-of-contents title ("Chapter II" for
    "Chapter II: The Pool of Tears")."""
    folded = _folded(heading)
    return any(folded in title or title in folded for title in titles)


def _folded(title: str) -> str:
    return " ".join(title.split()).casefold()
