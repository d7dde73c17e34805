"""HTML: the page's main content as sections under their heading path.

The page is parsed with lxml; text a browser would hide is removed and reported
(`html_hidden`); the main content is the page's landmark (`<main>`, `role="main"`,
`<article>`, Sphinx's body) or, on pages without one, the body less blocks named or shaped
like navigation (class or id "nav", "header", "footer"…; short blocks of mostly links), but
for a menu page's menu; page furniture inside it (navigation, sidebars, footers, permalink
glyphs) is skipped while walking it into sections (`html_walk`). A manual page's NAME section
is read even where the landmark leaves it out (asciidoc puts it in the page header, beside
the title). A page nothing can be made
of falls back to its whole visible text, never to nothing; a page nested deeper than the
parser reads, to the text between its tags, with a warning.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.errors import NotADocumentError
from ingest.loaders.decoding import read_text
from ingest.loaders.html_hidden import remove_hidden
from ingest.loaders.html_walk import (
    BLOCKS,
    HEADINGS,
    SectionWalker,
    clean_heading,
    inline_text,
    is_printed_index,
)
from ingest.source_lines import placed
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
# A manual page's first section: "git-commit - Record changes to the repository".
_NAME_HEADING = "NAME"
# Pages without landmarks: blocks whose class or id names them as furniture, or that are
# short and nearly all links, are dropped.
_BLOCK_TAGS = ("div", "table", "ul", "ol", "p", "td", "header")
_FURNITURE_NAME = re.compile(
    r"(?:[\w-]*-)?(?:nav|navbar|navheader|navfooter|navigation|menu|sidebar|breadcrumbs?|"
    r"header|footer|topbar|toc|masthead|banner|skip|related|pagination)(?:-[\w-]*)?"
)
_MAX_LINK_BLOCK_CHARS = 300
_LINK_SHARE = 0.7
_TITLE_SUFFIX = re.compile(r"\s+(?:[—–|·-]|&#8212;)\s+[^—–|·]{1,80}$")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# Markup with no visible text in it, and any tag: the text between the tags is what is left
# (here for pages the parser gives up on; bench.chunk_lines finds chunks in files with them).
INVISIBLE_MARKUP = re.compile(
    r"<!--.*?-->|<(script|style|template|noscript)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL
)
TAG = re.compile(r"<[^>]*>")
# `<meta http-equiv="Refresh" content="0; url=Options.html">`: a page that is a pointer.
_REFRESH = re.compile(
    r"\s*(?P<delay>\d+(?:\.\d+)?)\s*[;,]\s*url\s*=\s*(?P<url>\S.*)", re.IGNORECASE
)
REDIRECT_SECONDS = 10  # a page that moves its reader on sooner is not read
# A page with this share of its text in a printed index is an index: 42% to 100% for the 37
# index pages under /usr/share/doc here, at most 8% for a manual with its index at the end.
INDEX_PAGE_SHARE = 0.3
# Elements whose text starts a line of its own when a page is read as its visible text.
_OWN_LINES = BLOCKS | HEADINGS.keys() | {"br", "pre", "td", "th"}


def load(path: Path) -> LoadedDocument:
    return parse(read_text(path))


def parse(markup: str) -> LoadedDocument:
    root, truncated = _document(markup)
    if (target := _sends_on(root)) is not None:
        raise NotADocumentError(f"a page that sends the reader on to {target}")
    if _index_share(root) >= INDEX_PAGE_SHARE:
        raise NotADocumentError("a manual's index: its entries point to sections read there")
    if truncated:
        return LoadedDocument(
            sections=_markup_text(markup),
            title=_title(root),
            warnings=(
                "the page could not be parsed (nested too deeply); its text between the tags "
                "was indexed without the hidden-text check",
            ),
        )
    hidden = remove_hidden(root)
    warnings = tuple(w for w in [hidden.warning()] if w)
    title = _title(root)
    sections: list[Section] = []
    try:
        sections = _walk(_main_content(root))
    except RecursionError:
        sections = []
    if not any(s.text.strip() for s in sections):
        # `_main_content` took the furniture out of `root`: the whole page is read afresh.
        whole, _ = _document(markup)
        remove_hidden(whole)
        sections = _visible_text(whole)
    return LoadedDocument(sections=sections, title=title, warnings=warnings)


def _document(markup: str) -> tuple[HtmlElement, bool]:
    """The parsed page, and whether the parser stopped early: libxml2 reads no deeper than
    2,048 elements (even with `huge_tree`) and drops the rest of a page nested deeper."""
    import lxml.html
    from lxml.etree import ParserError

    parser = lxml.html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub(_blank, markup), parser=parser)
    except (ParserError, ValueError) as exc:
        raise NotADocumentError(f"no HTML content in the file ({exc})") from exc
    return root, any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log)


def _index_share(root: HtmlElement) -> float:
    """The share of a page's text in its printed index (`is_printed_index`): near all of it
    on a manual's index page, whose footer ("This document was generated on ... using
    texi2any.") or navigation is all the rest."""
    indexes = [element for element in root.iter("table", "div", "dl") if is_printed_index(element)]
    if not indexes:
        return 0.0
    total = len("".join(root.text_content().split()))
    return sum(len("".join(t.text_content().split())) for t in indexes) / total if total else 0.0


def _sends_on(root: HtmlElement) -> str | None:
    """Where a page that moves its reader on before they could read it sends them: Texinfo
    writes one such page for each node and anchor, `<meta http-equiv="Refresh" content="0;
    url=Options.html#Description-of-Options">` over "The node you are looking for is at
    Description of Options." (144 of the 186 pages of zsh's manual). None for a page that
    stays, or only reloads itself now and then."""
    for meta in root.iter("meta"):
        if (meta.get("http-equiv") or "").strip().lower() != "refresh":
            continue
        found = _REFRESH.match(meta.get("content") or "")
        if found and float(found["delay"]) < REDIRECT_SECONDS:
            return found["url"].strip().strip("'\"")
    return None


def _title(root: HtmlElement) -> str:
    """The page title without the site name ("Built-in Types — Python 3.11 docs")."""
    heading = root.find(".//h1")
    if heading is not None and (text := clean_heading(inline_text(heading))):
        return text
    title = root.find(".//title")
    if title is None:
        return ""
    return _TITLE_SUFFIX.sub("", " ".join(title.text_content().split()))


def _main_content(root: HtmlElement) -> list[HtmlElement]:
    """The elements holding the page's content, in the page's order."""
    for query in _LANDMARKS:
        for element in root.xpath(query):
            if len(" ".join(element.text_content().split())) >= _MIN_LANDMARK_CHARS:
                return [*_name_section_before(element), element]
    return [_extracted(root)]


def _name_section_before(landmark: HtmlElement) -> list[HtmlElement]:
    """A manual page's NAME heading and its body where they come before `landmark` (asciidoc's
    manual pages hold them in the page header, next to the page's title), or nothing."""
    for heading in landmark.xpath("preceding::*[self::h2 or self::h3]"):
        if clean_heading(inline_text(heading)) == _NAME_HEADING:
            body = []
            for sibling in heading.itersiblings():
                if sibling.tag in HEADINGS:
                    break
                body.append(sibling)
            return [heading, *body]
    return []


def _extracted(root: HtmlElement) -> HtmlElement:
    """Without landmarks: the body less blocks named or shaped like navigation, but for the
    blocks holding its top headings (h1, or texinfo's h2-h4 on pages without one) and, on a
    menu page (a texinfo or DocBook node: a heading, then the list of its subsections and
    only furniture), the list: the first block after the heading."""
    body = root.find("body")
    body = body if body is not None else root
    top = next((f".//{tag}" for tag in HEADINGS if body.find(f".//{tag}") is not None), None)
    doomed = [
        element
        for element in body.iter(*_BLOCK_TAGS)
        if (top is None or element.find(top) is None)
        and (_named_like_furniture(element) or _mostly_links(element))
    ]
    heading = body.find(top) if top else None
    if heading is not None and not _text_survives_after(heading, doomed):
        doomed = _without_menu(doomed, heading)
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()
    return body


def _text_survives_after(heading: HtmlElement, doomed: list[HtmlElement]) -> bool:
    """Whether any text after `heading` lies outside the `doomed` blocks (lxml hands out one
    object per element while it is referenced, so the blocks are found by identity)."""
    dropped = set(doomed)
    for text in heading.xpath("following::text()"):
        owner = text.getparent()
        if text.is_tail and owner is not None:
            owner = owner.getparent()
        if owner is None or not text.strip():
            continue
        if not any(block in dropped for block in (owner, *owner.iterancestors())):
            return True
    return False


def _without_menu(doomed: list[HtmlElement], heading: HtmlElement) -> list[HtmlElement]:
    """`doomed` less the first block after `heading` and the blocks inside it."""
    after = set(heading.xpath("following::*"))
    menu = next((block for block in doomed if block in after), None)
    if menu is None:
        return doomed
    return [block for block in doomed if block is not menu and menu not in block.iterancestors()]


def _named_like_furniture(element: HtmlElement) -> bool:
    names = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    return any(_FURNITURE_NAME.fullmatch(name) for name in names.replace("_", "-").split())


def _mostly_links(element: HtmlElement) -> bool:
    """A short block whose text is nearly all link text: a menu, a Prev/Next bar."""
    text = " ".join(element.text_content().split())
    if not text or len(text) > _MAX_LINK_BLOCK_CHARS or element.find(".//pre") is not None:
        return False
    links = [" ".join(a.text_content().split()) for a in element.xpath(".//a[@href]")]
    return len(links) >= 2 and sum(map(len, links)) / len(text) >= _LINK_SHARE


def _walk(elements: list[HtmlElement]) -> list[Section]:
    walker = SectionWalker()
    for element in elements:
        walker.walk(element)
    return walker.finish()


def _markup_text(markup: str) -> list[Section]:
    """The text between the tags, for markup the parser gives up on (nesting too deep)."""
    text = TAG.sub(_blank, INVISIBLE_MARKUP.sub(_blank, markup))
    lines = [(number, html.unescape(line)) for number, line in enumerate(text.split("\n"), 1)]
    return _numbered_section(lines)


def _visible_text(root: HtmlElement) -> list[Section]:
    """Every visible line of the page, for pages the structured walk finds nothing in; a
    line is numbered by its text's own line in the file (or an earlier one: tags spanning
    lines and removed elements are not counted past)."""
    from lxml.etree import iterwalk

    for element in list(root.iter("script", "style", "noscript", "template", "head")):
        element.drop_tree()
    lines: list[tuple[int, str]] = [(1, "")]
    at = 1
    for event, element in iterwalk(root, events=("start", "end")):
        if event == "start":
            at = element.sourceline or at
        if element.tag in _OWN_LINES and lines[-1][1].strip():
            lines.append((at, ""))
        text = (element.text if event == "start" else element.tail) or ""
        for index, part in enumerate(text.split("\n")):
            if index:
                at += 1
                lines.append((at, ""))
            number, line = lines[-1]
            lines[-1] = (number if line.strip() else at, line + part)
    return _numbered_section(lines)


def _numbered_section(lines: list[tuple[int, str]]) -> list[Section]:
    """One section of the lines with text, each (file line, text), spaces collapsed."""
    kept = [(number, " ".join(text.split())) for number, text in lines if text.strip()]
    if not kept:
        return []
    text = "\n".join(line for _, line in kept)
    return [placed(Section(""), text, [number for number, _ in kept])]


def _blank(match: re.Match[str]) -> str:
    """A space for markup left out, and the newlines it held, so lines keep their numbers."""
    return " " + "\n" * match.group().count("\n")
