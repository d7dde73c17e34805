"""What an ingest run is told: file limits, chunk sizes, time and memory a file may take.

`IngestOptions.build()` names the settings a stored document's chunks depend on; a document
built with others is re-processed by the next run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ingest.extraction import EXTRACTION_VERSION


class IngestSettings(Protocol):
    """The `[ingest]` table of config.toml, as ingest reads it."""

    @property
    def max_file_mb(self) -> float: ...
    @property
    def include_hidden(self) -> bool: ...
    @property
    def chunk_tokens(self) -> int: ...
    @property
    def overlap_tokens(self) -> int: ...
    @property
    def batch_size(self) -> int: ...
    @property
    def file_timeout_s(self) -> float: ...
    @property
    def file_memory_mb(self) -> int: ...


@dataclass(frozen=True, slots=True)
class IngestOptions:
    max_bytes: int = 50 * 1024 * 1024
    include_hidden: bool = False
    chunk_tokens: int = 200
    overlap_tokens: int = 32
    file_timeout_s: float = 60.0
    file_memory_mb: int = 1024
    ocr_page_timeout_s: float = 60.0  # each scanned page gets this long on top of the file's
    commit_chunks: int = 256  # commit once this many chunks wait (bounds work lost to a kill)

    def build(self) -> str:
        """The settings a stored document's chunks depend on; a change re-processes it."""
        return (
            f"extraction={EXTRACTION_VERSION};chunk_tokens={self.chunk_tokens};"
            f"overlap_tokens={self.overlap_tokens}"
        )

    @classmethod
    def from_config(cls, config: IngestSettings) -> IngestOptions:
        return cls(
            max_bytes=int(config.max_file_mb * 1024 * 1024),
            include_hidden=config.include_hidden,
            chunk_tokens=config.chunk_tokens,
            overlap_tokens=config.overlap_tokens,
            file_timeout_s=config.file_timeout_s,
            file_memory_mb=config.file_memory_mb,
        )
