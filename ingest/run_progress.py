"""How far an ingest run is.

The work is the bytes of the files walked. A file counts a share of its bytes done once
read and the rest as its chunks are embedded (slice by slice: `ingest.embed_slices`), so
progress moves inside one large file and during one long batch too. A PDF read page by page
(as the extraction worker reports pages) counts `READ_SHARE` as it is read; any other file
the share of its time its reading took: its reading time against that and the time its
chunks will take at the embedding rate measured so far. A fixed quarter made the time left
of one 4.2 MB one-line text (9 s to read and chunk, 7,107 chunks at 2-10 a second) jump
to a quarter done in seconds, show 2:47 left, then crawl up to 1:20:48.

Each event also says what the run is doing (`Stage`), so a display that has heard nothing for
a while can tell a person what the run waits on: the first batch can wait for seconds while
the embedding model loads (the first ingest also exports it to ONNX and measures it), with
every file read and not a chunk embedded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

READ_SHARE = 0.25  # of a PDF's bytes, counted as its pages are read; the rest as it embeds
SECONDS_PER_CHUNK = 0.05  # the embedding rate assumed until one is measured (20 chunks/s)
MEASURED_AFTER = 8  # chunks embedded before the measured rate is used

Stage = Literal["opening", "reading", "loading", "embedding", "writing", "finishing"]
# opening the index; reading `current`; loading the embedding model for a batch; embedding
# a batch; writing it to the index; finishing: removing what is gone, updating the indexes


@dataclass(frozen=True, slots=True)
class IngestProgress:
    """One progress event. `page` of `pages`: the page of `current` being read (0 of 0
    when it is not a PDF, or not being read). `batch_chunks`: the chunks of the batch being
    loaded for, embedded or written (0 in the other stages)."""

    files_done: int
    files_total: int
    chunks_done: int  # embedded
    current: str | None
    chunks_stored: int = 0  # written to the index (an interrupted run keeps these)
    bytes_done: int = 0
    bytes_total: int = 0
    bytes_passed: int = 0  # of bytes_done: files passed without reading (unchanged, skipped)
    page: int = 0
    pages: int = 0
    stage: Stage = "opening"
    batch_chunks: int = 0


ProgressCallback = Callable[[IngestProgress], None]


@dataclass(slots=True)
class EmbeddingShare:
    """The bytes a batch of files still owes to the count, paid as its chunks embed."""

    bytes: float = 0.0
    counted: float = 0.0
    chunks_embedded: int = 0
    since: float | None = None  # when the batch last embedded (or began to)


class RunProgress:
    def __init__(
        self, callback: ProgressCallback | None, *, clock: Callable[[], float] = time.monotonic
    ):
        self.callback = callback
        self.clock = clock
        self._embedding = (0.0, 0)  # seconds spent embedding, chunks embedded in them
        self.files_done = self.files_total = self.bytes_total = 0
        self.chunks_embedded = self.chunks_stored = 0
        self.bytes_done = self.bytes_passed = 0.0
        self.current: str | None = None
        self._reading = (0.0, 0, 0)  # bytes read of the current file, its page, its pages
        self.stage: Stage = "opening"
        self.batch_chunks = 0

    def begin(self, files_total: int, bytes_total: int) -> None:
        self.files_total, self.bytes_total = files_total, bytes_total
        self._tell()

    def file_started(self, path: str) -> None:
        self.current = path
        self.stage = "reading"
        self._tell()

    def page_read(self, size: int, page: int, pages: int) -> None:
        self._reading = (size * READ_SHARE * page / max(pages, 1), page, pages)
        self._tell()

    def file_read(
        self, size: int, share: EmbeddingShare, *, chunks: int, read_seconds: float
    ) -> None:
        """The file is read and cut into `chunks` (in `read_seconds`); the rest of its bytes
        wait in `share` for its chunks."""
        paged = self._reading[2] > 0
        self._reading = (0.0, 0, 0)
        read = READ_SHARE if paged else self.read_share(chunks, read_seconds)
        self.bytes_done += size * read
        share.bytes += size * (1 - read)

    def read_share(self, chunks: int, read_seconds: float) -> float:
        """The share of a file's time its reading took, with its chunks still to embed."""
        seconds, embedded = self._embedding
        per_chunk = seconds / embedded if embedded >= MEASURED_AFTER else SECONDS_PER_CHUNK
        whole = read_seconds + chunks * per_chunk
        return read_seconds / whole if whole > 0 else 1.0

    def embedding(self, share: EmbeddingShare, chunks: int, *, loading: bool = False) -> None:
        """The batch of `chunks` owing `share` starts to embed (its time counts from now);
        `loading`: the embedding model loads first, and the time of the first slice, which
        waits for it, is no measure of the embedding rate."""
        share.since = None if loading else self.clock()
        self.stage, self.batch_chunks = ("loading" if loading else "embedding"), chunks
        self._tell()

    def file_done(self, uncounted: float, *, read: bool = True) -> None:
        """The run is past the file; `uncounted` of its bytes were not counted otherwise
        (all of them when it was unchanged, skipped or failed). A file not `read` cost no
        work: its bytes are also `bytes_passed`, which a rate of work leaves out."""
        self.files_done += 1
        self.bytes_done += uncounted
        if not read:
            self.bytes_passed += uncounted
        self._reading = (0.0, 0, 0)
        self._tell()

    def embedded(self, share: EmbeddingShare, done: int, total: int) -> None:
        """`done` of the `total` chunks owing `share` are embedded."""
        counted = share.bytes * (done / total if total else 1.0)
        self.bytes_done += counted - share.counted
        share.counted = counted
        self.chunks_embedded += done - share.chunks_embedded
        now = self.clock()
        if share.since is not None and done > share.chunks_embedded:
            seconds, embedded = self._embedding
            self._embedding = (seconds + now - share.since, embedded + done - share.chunks_embedded)
        share.since = now
        share.chunks_embedded = done
        self.stage = "embedding" if done < total else "writing"
        self._tell()

    def stored(self, chunks: int) -> None:
        """The batch is written; the run reads on, or finishes once past every file."""
        self.chunks_stored += chunks
        self.batch_chunks = 0
        self.stage = "reading" if self.files_done < self.files_total else "finishing"
        self._tell()

    def finishing(self) -> None:
        """Past every file: what is gone is removed and the indexes brought up to date."""
        self.stage, self.batch_chunks = "finishing", 0
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
                bytes_passed=round(self.bytes_passed),
                page=page,
                pages=pages,
                stage=self.stage,
                batch_chunks=self.batch_chunks,
            )
        )
