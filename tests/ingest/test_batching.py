"""Length-sorted batches: every index once, similar lengths together, results in input order."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ingest.batching import embed_in_length_order, length_sorted_batches, padding_share


@given(st.lists(st.integers(1, 256), max_size=80), st.integers(1, 40))
def test_every_index_once_in_batches_of_falling_length(lengths: list[int], size: int) -> None:
    batches = length_sorted_batches(lengths, size)
    flat = [index for batch in batches for index in batch]
    assert sorted(flat) == list(range(len(lengths)))
    assert all(1 <= len(batch) <= size for batch in batches)
    assert [lengths[i] for i in flat] == sorted(lengths, reverse=True)


@given(st.lists(st.integers(1, 256), min_size=1, max_size=80), st.integers(1, 40))
@example([1, 1, 2], 2)  # longest first would put 2 with a 1; arrival order pads nothing
def test_sorting_never_pads_more_than_arrival_order(lengths: list[int], size: int) -> None:
    arrival = [list(range(i, min(i + size, len(lengths)))) for i in range(0, len(lengths), size)]
    assert padding_share(lengths, length_sorted_batches(lengths, size)) <= padding_share(
        lengths, arrival
    )


def test_mixed_lengths_lose_most_of_their_padding() -> None:
    lengths = [12, 250, 30, 240, 18, 200, 25, 256] * 4
    arrival = [list(range(i, i + 8)) for i in range(0, len(lengths), 8)]
    assert padding_share(lengths, arrival) > 0.4
    assert padding_share(lengths, length_sorted_batches(lengths, 8)) < 0.1


def test_vectors_come_back_in_input_order() -> None:
    lengths = [3, 9, 1, 7, 5]
    seen: list[list[int]] = []

    def embed_batch(batch: list[int]) -> np.ndarray:
        seen.append(batch)
        return np.array([[float(i), float(lengths[i])] for i in batch], dtype=np.float32)

    vectors = embed_in_length_order(lengths, 2, 2, embed_batch)
    assert vectors[:, 0].tolist() == [0, 1, 2, 3, 4]
    assert vectors[:, 1].tolist() == [float(n) for n in lengths]
    assert seen == [[1, 3], [4, 0], [2]]


def test_a_batch_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        length_sorted_batches([1, 2], 0)
