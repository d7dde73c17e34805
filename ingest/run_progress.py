"""How far an ingest run is.

The work is the bytes of the files walked. A file counts `READ_SHARE` done once read (page
by page for a PDF, as the extraction worker reports pages) and the rest as its chunks are
embedded (slice by slice: `ingest.embed_slices`), so progress moves inside one large file
and during one long batch too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

READ_SHARE = 0.25  # of a file's bytes, counted done when it is read; the rest as it embeds


@dataclass(frozen=True, slots=True)
class IngestProgress:
    """One progress event. `page` of `pages`: the page of `current` being read (0 of 0
    when it is not a PDF, or not being read)."""

    files_done: int
    files_total: int
    chunks_done: int  # embedded
    current: str | None
    chunks_stored: int = 0  # written to the index (an interrupted run keeps these)
    bytes_done: int = 0
    bytes_total: int = 0
    page: int = 0
    pages: int = 0


ProgressCallback = Callable[[IngestProgress], None]


@dataclass(slots=True)
class EmbeddingShare:
    """The bytes a batch of files still owes to the count, paid as its chunks embed."""

    bytes: float = 0.0
    counted: float = 0.0
    chunks_embedded: int = 0


class RunProgress:
    def __init__(self, callback: ProgressCallback | None):
        self.callback = callback
        self.files_done = self.files_total = self.bytes_total = 0
        self.chunks_embedded = self.chunks_stored = 0
        self.bytes_done = 0.0
        self.current: str | None = None
        self._reading = (0.0, 0, 0)  # bytes read of the current file, its page, its pages

    def begin(self, files_total: int, bytes_total: int) -> None:
        self.files_total, self.bytes_total = files_total, bytes_total
        self._tell()

    def file_started(self, path: str) -> None:
        self.current = path
        self._tell()

    def page_read(self, size: int, page: int, pages: int) -> None:
        self._reading = (size * READ_SHARE * page / max(pages, 1), page, pages)
        self._tell()

    def file_read(self, size: int, share: EmbeddingShare) -> None:
        """The file is read; the rest of its bytes wait in `share` for its chunks."""
        self._reading = (0.0, 0, 0)
        self.bytes_done += size * READ_SHARE
        share.bytes += size * (1 - READ_SHARE)

    def file_done(self, uncounted: float) -> None:
        """The run is past the file; `uncounted` of its bytes were not counted otherwise
        (all of them when it was unchanged, skipped or failed)."""
        self.files_done += 1
        self.bytes_done += uncounted
        self._reading = (0.0, 0, 0)
        self._tell()

    def embedded(self, share: EmbeddingShare, done: int, total: int) -> None:
        """`done` of the `total` chunks owing `share` are embedded."""
        counted = share.bytes * (done / total if total else 1.0)
        self.bytes_done += counted - share.counted
        share.counted = counted
        self.chunks_embedded += done - share.chunks_embedded
        share.chunks_embedded = done
        self._tell()

    def stored(self, chunks: int) -> None:
        self.chunks_stored += chunks
        self._tell()

    def _tell(self) -> None:
        if self.callback is None:
            return
        read, page, pages = self._reading
        self.callback(
            IngestProgress(
                self.files_done,
                self.files_total,
                self.chunks_embedded,
                self.current,
                chunks_stored=self.chunks_stored,
                bytes_done=min(round(self.bytes_done + read), self.bytes_total),
                bytes_total=self.bytes_total,
                page=page,
                pages=pages,
            )
        )
