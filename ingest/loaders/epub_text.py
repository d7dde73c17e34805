"""The text of one EPUB chapter (XHTML) as a stream of events: text, breaks, anchors, headings.

Uses the standard library's tolerant HTML parser: chapters are often not well-formed XML
(HTML entities without a DTD, stray tags), and it never expands entity declarations or
fetches anything.

A paragraph's number that links to the paragraph right after it is left out: SiSU's books
(Debian's live manual) set one before each paragraph, `<label class="ocn"><a
href="#o519">519</a></label><p id="o519">`: 1,030 of the live manual's 4,163 lines, each a
number on its own between the paragraphs of every chunk and quote. A number that links
anywhere else (a footnote's, a cross-reference's) stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from ingest.loaders.html_walk import PARAGRAPH_NUMBER
from ingest.markdown_syntax import code_fence

_SKIPPED = frozenset({"head", "script", "style", "template", "svg", "math", "object", "iframe"})
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_BLOCKS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tr",
        "ul",
    }
)
_CELLS = frozenset({"td", "th"})
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Break:
    """The end of a paragraph or other block."""


@dataclass(frozen=True, slots=True)
class Anchor:
    """An element with an id (or a named link) that a table of contents may point at."""

    name: str


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str


Event = Text | Break | Anchor | Heading


def chapter_events(markup: str) -> list[Event]:
    parser = _ChapterParser()
    parser.feed(markup)
    parser.close()
    return parser.events


class _ChapterParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[Event] = []
        self._skipping = 0
        self._pre = 0
        self._code: list[str] = []  # the text of the <pre> being read, fenced at its end
        self._heading: tuple[int, list[str]] | None = None
        self._link: tuple[str, int] | None = None  # an open `<a href="#id">`: id, first event
        self._number: tuple[str, int, int] | None = None  # a number linking ahead: id, events

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self._skipping = 0
        if tag in _SKIPPED:
            self._skipping += 1
        if self._skipping:
            return
        for name, value in attrs:
            if name in ("id", "name") and value:
                self._drop_number_of(value)
                self.events.append(Anchor(value))
        self._number = None
        href = dict(attrs).get("href") or ""
        if tag == "a" and href.startswith("#") and self._heading is None and not self._pre:
            self._link = (href[1:], len(self.events))
        if tag in _HEADINGS or tag in _BLOCKS:
            self._end_heading()  # a block inside a heading ends it (an unclosed <h1>)
            self.events.append(Break())
            if tag in _HEADINGS:
                self._heading = (_HEADINGS[tag], [])
        elif tag == "br":
            self._data("\n")
        elif tag in _CELLS:
            self._data(" | ")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self._data(f" {alt} ")
        if tag == "pre":
            self._pre += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
            return
        if self._skipping:
            return
        if tag == "a" and self._link is not None:
            self._number = self._linked_number(*self._link)
            self._link = None
        if tag in _HEADINGS:
            self._end_heading()
        elif tag in _BLOCKS:
            self.events.append(Break())
        if tag == "pre" and self._pre:
            self._pre -= 1
            if not self._pre:
                self._fenced_code()

    def _linked_number(self, target: str, first: int) -> tuple[str, int, int] | None:
        """The link just closed, when its text is a number alone: the id it links to, and
        where its events start and end."""
        pieces = self.events[first:]
        if not pieces or not all(isinstance(event, Text) for event in pieces):
            return None
        text = "".join(event.text for event in pieces if isinstance(event, Text))
        return (
            (target, first, len(self.events)) if PARAGRAPH_NUMBER.fullmatch(text.strip()) else None
        )

    def _drop_number_of(self, name: str) -> None:
        """Leaves out the number just read when it links to the element with id `name`,
        the next one opened after it."""
        if self._number is not None and self._number[0] == name:
            _, first, end = self._number
            del self.events[first:end]
        self._number = None

    def close(self) -> None:
        super().close()
        self._end_heading()

    def _end_heading(self) -> None:
        if self._heading is None:
            return
        level, pieces = self._heading
        self._heading = None
        text = _SPACES.sub(" ", "".join(pieces)).strip()
        if text:
            self.events.append(Heading(level, text))

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._data(data if self._pre else _SPACES.sub(" ", data))

    def _fenced_code(self) -> None:
        code = "".join(self._code).replace("\r\n", "\n").strip("\n")
        self._code = []
        if code.strip():
            fence = code_fence(code.split("\n"))
            self.events.extend([Break(), Text(f"{fence}\n{code}\n{fence}"), Break()])

    def _data(self, text: str) -> None:
        if text.strip():
            self._number = None  # text between a number and what it links to: not its number
        if self._heading is not None:
            self._heading[1].append(text)
        elif self._pre:
            self._code.append(text)
        else:
            self.events.append(Text(text))
