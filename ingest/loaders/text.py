"""Plain text: one section for the whole file, the chunker keeps line numbers; a manual page
saved as text is read by its sections (`ingest.loaders.manpage`)."""

from __future__ import annotations

from pathlib import Path

from ingest.loaders import manpage
from ingest.loaders.decoding import read_text
from ingest.types import LoadedDocument, Section

SUFFIXES = (".txt", ".text", ".log")


def load(path: Path) -> LoadedDocument | list[Section]:
    text = read_text(path)
    return manpage.parse(text) or [Section(text=text, line=1)]
