"""Batches of texts with similar token lengths, so little of each batch is padding.

A transformer pads every text in a batch to the longest one and spends the same work on the
padding as on the words. Embedding texts in order of length puts short texts with short ones;
the vectors go back to their callers' order afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def length_sorted_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices of `lengths` in batches of at most `batch_size`, longest first (stable).

    All batches are full but one; that one goes where it costs the fewest padded slots, so
    the batches never pad more than the same texts in arrival order would.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1; got {batch_size}")
    order = sorted(range(len(lengths)), key=lambda index: -lengths[index])
    full, rest = divmod(len(order), batch_size)
    sizes = [batch_size] * full
    if rest:
        slot = min(
            range(full, -1, -1),
            key=lambda at: _slots([lengths[i] for i in order], [*sizes[:at], rest, *sizes[at:]]),
        )
        sizes.insert(slot, rest)
    batches, start = [], 0
    for size in sizes:
        batches.append(order[start : start + size])
        start += size
    return batches


def _slots(descending: Sequence[int], sizes: Sequence[int]) -> int:
    """Token slots used when `descending` lengths are cut into consecutive batches of `sizes`."""
    slots, start = 0, 0
    for size in sizes:
        slots += size * descending[start]
        start += size
    return slots


def padding_share(lengths: Sequence[int], batches: Sequence[Sequence[int]]) -> float:
    """The share of token slots that are padding when `lengths` are embedded in `batches`."""
    slots = sum(len(batch) * max(lengths[i] for i in batch) for batch in batches if batch)
    return 1.0 - sum(lengths) / slots if slots else 0.0


def embed_in_length_order(
    lengths: Sequence[int],
    batch_size: int,
    dim: int,
    embed_batch: Callable[[list[int]], np.ndarray],
) -> np.ndarray:
    """Vectors for every index, each batch embedded by `embed_batch(indices)`, in input order."""
    import numpy as np

    vectors = np.zeros((len(lengths), dim), dtype=np.float32)
    for batch in length_sorted_batches(lengths, batch_size):
        vectors[batch] = embed_batch(batch)
    return vectors
