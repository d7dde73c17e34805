"""Plain text: one section for the whole file; the chunker keeps line numbers."""

from __future__ import annotations

from pathlib import Path

from ingest.loaders.decoding import read_text
from ingest.types import Section

SUFFIXES = (".txt", ".text", ".log")


def load(path: Path) -> list[Section]:
    return [Section(text=read_text(path), line=1)]
