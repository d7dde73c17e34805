"""The text of one EPUB chapter (XHTML) as a stream of events: text, breaks, anchors, headings.

Uses the standard library's tolerant HTML parser: chapters are often not well-formed XML
(HTML entities without a DTD, stray tags), and it never expands entity declarations or
fetches anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

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

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self._skipping = 0
        if tag in _SKIPPED:
            self._skipping += 1
        if self._skipping:
            return
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.events.append(Anchor(value))
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
        if tag in _HEADINGS:
            self._end_heading()
        elif tag in _BLOCKS:
            self.events.append(Break())
        if tag == "pre" and self._pre:
            self._pre -= 1
            if not self._pre:
                self._fenced_code()

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
        if self._heading is not None:
            self._heading[1].append(text)
        elif self._pre:
            self._code.append(text)
        else:
            self.events.append(Text(text))
