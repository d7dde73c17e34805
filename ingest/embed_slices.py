"""Embed one commit batch a slice at a time, so progress moves inside a long batch.

A batch (up to `IngestOptions.commit_chunks` chunks) can take minutes to embed on a busy
laptop. It is embedded longest texts first, so each slice pads little, in slices sized to
take about `SLICE_TARGET_S` each at the rate measured so far, with `on_slice` after each:
a progress display hears from the run about once a second on a fast machine, and
`on_vectors` gets each slice's vectors as they come (the run journals them: an interrupt
keeps them, `ingest.vector_journal`).

No slice after the first is smaller than `MIN_SLICE`, a batch of the model's own: a small
batch costs more a text (each call's overhead, and in bf16 a new kernel for each new shape),
so slices sized by time alone shrank on a loaded machine, ran slower, and shrank again. On a
laptop under load (4.2 MB of one-line text, torch-bf16, 2 cores) slices of 1 embedded 1.9
chunks a second against 15 for slices of 48; an ingest ran at 2-4 chunks/s. A slow machine
hears from the run less often instead (32 chunks at 0.4 s each: every 13 s).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from ingest.embedder import Embedder
from ingest.heap import release_free_memory

if TYPE_CHECKING:
    import numpy as np

SLICE_TARGET_S = 1.0  # seconds of embedding between two `on_slice` calls
FIRST_SLICE = 4  # chunks, before any rate is known: the first report comes soon
MIN_SLICE = 32  # the default `[ingest] batch_size`: smaller batches cost more a text
MAX_SLICE = 64

SliceCallback = Callable[[int, int], None]  # (chunks embedded so far, chunks in all)
VectorsCallback = Callable[[list[int], "np.ndarray"], None]  # (positions in texts, vectors)


def embed_in_slices(
    embedder: Embedder,
    texts: list[str],
    on_slice: SliceCallback,
    *,
    on_vectors: VectorsCallback | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> np.ndarray:
    """The vectors of `texts`, in order; `on_slice(done, total)` after each slice (once,
    with 0 of 0, when there are no texts), after `on_vectors(positions, vectors)`."""
    import numpy as np

    if not texts:
        on_slice(0, 0)
        return np.zeros((0, embedder.dim), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda index: -len(texts[index]))
    parts, done, size = [], 0, FIRST_SLICE
    while done < len(order):
        part = order[done : done + size]
        started = clock()
        parts.append(embedder.embed_documents([texts[i] for i in part]))
        if on_vectors is not None:
            on_vectors(part, parts[-1])
        release_free_memory()  # what the batch's tensors held, before the next one
        per_text = (clock() - started) / len(part)
        done += len(part)
        on_slice(done, len(texts))
        size = _slice_for(per_text)
    stacked = np.concatenate(parts)
    vectors = np.empty_like(stacked)
    vectors[order] = stacked
    return vectors


def _slice_for(seconds_per_text: float) -> int:
    """How many texts take about SLICE_TARGET_S at this rate (MIN_SLICE to MAX_SLICE)."""
    if seconds_per_text <= 0:
        return MAX_SLICE
    return max(MIN_SLICE, min(MAX_SLICE, int(SLICE_TARGET_S / seconds_per_text)))
