"""Embed one batch on a thread of its own while the run reads and chunks the next files.

Extraction happens in the worker process and embedding (onnxruntime or torch) releases the
GIL, so the two overlap: while batch k embeds, the files of batch k+1 are read and chunked.
Only one batch embeds at a time (it already uses every core) and at most one more waits, so
memory stays bounded; results come back in the order the batches went in. A batch is
embedded a slice at a time, longest texts first so each slice pads little, and `on_slice`
hears after each slice, from the lane's thread.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import TYPE_CHECKING, Generic, TypeVar

from ingest.embedder import Embedder

if TYPE_CHECKING:
    import numpy as np

T = TypeVar("T")
SLICE = 64  # chunks embedded between two `on_slice` calls

SliceCallback = Callable[[T, int, int], None]  # (batch, chunks embedded so far, chunks in all)


class EmbeddingLane(Generic[T]):
    """Use as a context manager; `start` a batch, `finish` the last one."""

    def __init__(self, embedder: Embedder, on_slice: SliceCallback[T], *, slice_size: int = SLICE):
        self.embedder = embedder
        self.on_slice = on_slice
        self.slice_size = slice_size
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed")
        self._running: tuple[T, Future[np.ndarray]] | None = None

    def start(self, texts: list[str], batch: T) -> tuple[T, np.ndarray] | None:
        """Start embedding `texts` (tagged `batch`) once the batch before is done; returns
        that one with its vectors (None if there was none). Its errors are raised here."""
        done = self.finish()
        self._running = (batch, self._pool.submit(self._embed, texts, batch))
        return done

    def finish(self) -> tuple[T, np.ndarray] | None:
        """Wait for the batch embedding now, if any; it with its vectors."""
        running, self._running = self._running, None
        if running is None:
            return None
        batch, future = running
        return batch, future.result()

    def __enter__(self) -> EmbeddingLane[T]:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._running = None
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _embed(self, texts: list[str], batch: T) -> np.ndarray:
        import numpy as np

        if not texts:
            self.on_slice(batch, 0, 0)
            return np.zeros((0, 0), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda index: -len(texts[index]))
        parts = []
        for start in range(0, len(order), self.slice_size):
            part = order[start : start + self.slice_size]
            parts.append(self.embedder.embed_documents([texts[i] for i in part]))
            self.on_slice(batch, start + len(part), len(texts))
        stacked = np.concatenate(parts)
        vectors = np.empty_like(stacked)
        vectors[order] = stacked
        return vectors
