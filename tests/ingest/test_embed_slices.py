"""A commit batch is embedded in slices that each take about a second on a fast machine, and
never in batches smaller than the model's own on a slow one."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from ingest.embed_slices import FIRST_SLICE, MAX_SLICE, MIN_SLICE, SLICE_TARGET_S, embed_in_slices
from ingest.fakes import HashingEmbedder


class SlowEmbedder(HashingEmbedder):
    """Takes `seconds_per_text` of a fake clock per text embedded."""

    def __init__(self, seconds_per_text: float):
        super().__init__()
        self.now = 0.0
        self.seconds_per_text = seconds_per_text

    def clock(self) -> float:
        return self.now

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        self.now += self.seconds_per_text * len(texts)
        return super().embed_documents(texts)


TEXTS = [f"chunk {n} " + "word " * (n % 37) for n in range(256)]


@pytest.mark.parametrize("seconds_per_text", [0.002, 0.07, 0.4, 3.0])
def test_progress_comes_about_every_second_inside_a_batch(seconds_per_text: float) -> None:
    """From an idle desktop (2 ms a chunk) to a laptop under load (0.4 s a chunk): after
    the first slice, no more than two seconds go by between two reports, or the time of
    MIN_SLICE texts when those take longer."""
    model = SlowEmbedder(seconds_per_text)
    heard: list[tuple[float, int, int]] = []
    embed_in_slices(
        model,
        TEXTS,
        lambda done, total: heard.append((model.clock(), done, total)),
        clock=model.clock,
    )
    assert [total for _, _, total in heard] == [len(TEXTS)] * len(heard)
    assert [done for _, done, _ in heard] == sorted({done for _, done, _ in heard})
    assert heard[-1][1] == len(TEXTS)
    gaps = [later - earlier for (earlier, _, _), (later, _, _) in pairwise(heard)]
    assert max(gaps) <= max(2 * SLICE_TARGET_S, MIN_SLICE * seconds_per_text) + 1e-9
    assert max(b - a for (_, a, _), (_, b, _) in pairwise(heard)) <= MAX_SLICE
    assert len(heard) >= len(TEXTS) / MAX_SLICE


@pytest.mark.parametrize("seconds_per_text", [0.07, 0.4, 3.0])
def test_a_slow_machine_still_embeds_in_whole_batches(seconds_per_text: float) -> None:
    """The slice sized by time never falls below MIN_SLICE texts: on a loaded laptop the
    ingest of one large file shrank its slices to one text each, which embed several times
    slower a text than a batch (and so shrank them further)."""
    model = SlowEmbedder(seconds_per_text)
    embed_in_slices(model, TEXTS, lambda done, total: None, clock=model.clock)
    first, *middle, last = model.calls
    assert first == FIRST_SLICE and last <= MAX_SLICE
    assert all(MIN_SLICE <= size <= MAX_SLICE for size in middle)
    assert len(model.calls) <= 2 + len(TEXTS) // MIN_SLICE


def test_vectors_come_back_in_the_order_of_the_texts() -> None:
    model = SlowEmbedder(0.05)
    vectors = embed_in_slices(model, TEXTS, lambda done, total: None, clock=model.clock)
    expected = HashingEmbedder().embed_documents(TEXTS)
    assert np.allclose(vectors, expected)
    assert model.calls[0] < len(TEXTS)  # embedded in several slices, longest first


def test_no_texts_still_report_once() -> None:
    heard: list[tuple[int, int]] = []
    vectors = embed_in_slices(
        HashingEmbedder(), [], lambda done, total: heard.append((done, total))
    )
    assert heard == [(0, 0)] and len(vectors) == 0
