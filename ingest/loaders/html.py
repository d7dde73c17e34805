"""HTML: visible text only (no scripts, styles or comments), one section per heading."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.loaders.decoding import read_text
from ingest.loaders.headings import SectionBuilder
from ingest.types import Section

SUFFIXES = (".html", ".htm", ".xhtml")

_HIDDEN = ("script", "style", "noscript", "template", "svg", "canvas", "iframe", "object")
_HEADINGS = {f"h{level}": level for level in range(1, 7)}
_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
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
        "td",
        "th",
        "ul",
        "title",
    ]
)
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")


def load(path: Path) -> list[Section]:
    return parse(read_text(path))


def parse(markup: str) -> list[Section]:
    from bs4 import BeautifulSoup, Comment, NavigableString, Tag
    from bs4.element import Declaration, Doctype, ProcessingInstruction

    soup = BeautifulSoup(markup, "html.parser")
    for hidden in soup.find_all(_HIDDEN):
        hidden.decompose()
    skipped = (Comment, Declaration, Doctype, ProcessingInstruction)
    builder = SectionBuilder()
    pieces: list[str] = []
    for node in soup.descendants:
        if isinstance(node, Tag):
            if node.name in _HEADINGS:
                builder.add(_lines(pieces))
                pieces = []
                title = _SPACES.sub(" ", node.get_text(" ", strip=True))
                builder.heading(_HEADINGS[node.name], title, node.sourceline or 1)
                pieces.append(title + "\n")
            elif node.name in _BLOCKS:
                pieces.append("\n")
        elif (
            isinstance(node, NavigableString)
            and not isinstance(node, skipped)
            and node.find_parent(list(_HEADINGS)) is None
        ):
            pieces.append(str(node))
    builder.add(_lines(pieces))
    return builder.finish()


def _lines(pieces: list[str]) -> list[str]:
    text = _BLANK_LINES.sub("\n\n", "".join(pieces))
    return [_SPACES.sub(" ", line).strip() for line in text.strip().split("\n")]
