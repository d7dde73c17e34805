"""Sections from a document read as paragraphs in order, some of them headings.

For formats without line numbers a person could use (DOCX, ODT): the location of a chunk is
its heading path, so the sections carry no line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from ingest.loaders.headings import SectionBuilder
from ingest.types import Section


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph (or table row) of text; `level` is set for headings (0 = title, 1 = top)."""

    text: str
    level: int | None = None
    paragraph: bool = True  # False: kept on the line after the previous block (table rows)
    style: str = ""  # the paragraph's style name, where the format has one


def outline_title(blocks: Sequence[Block]) -> str:
    """The text of the document's first title paragraph (level 0), or ""."""
    return next((" ".join(b.text.split()) for b in blocks if b.level == 0 and b.text.strip()), "")


def sections_from_blocks(blocks: Iterable[Block]) -> list[Section]:
    """Sections split at headings, each headed by its heading path."""
    builder = SectionBuilder()
    for block in blocks:
        text = block.text.strip()
        if not text:
            continue
        if block.level is not None:
            builder.heading(block.level, " ".join(text.split()))
        builder.add(["", text] if block.paragraph else [text])
    return [replace(section, line=None, lines=()) for section in builder.finish()]
