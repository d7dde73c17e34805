"""The torch embedder keeps few compiled oneDNN kernels and primitives (one per input shape
otherwise grew an ingest of 5,000 small files to 2 GB in bf16), unless the person set the
numbers."""

from __future__ import annotations

import os

import pytest

from ingest.embedder import KERNEL_CACHES, load_bundled_embedder


def caches_kept(monkeypatch: pytest.MonkeyPatch, persons: dict[str, str]) -> list[str]:
    """The cache sizes in the environment once a new bundled embedder has loaded and embedded,
    starting from the person's own values (`persons`) and none of margin's. In this process:
    torch is imported already, and a model load reads and sets the environment the same."""
    with monkeypatch.context() as environment:
        for cache in KERNEL_CACHES:
            environment.delenv(cache, raising=False)
        for cache, value in persons.items():
            environment.setenv(cache, value)
        load_bundled_embedder().embed_documents(["a sentence to embed"])
        return [os.environ.get(cache, "-") for cache in KERNEL_CACHES]


@pytest.mark.slow
def test_the_model_loads_with_small_kernel_caches_and_the_persons_values_win(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert caches_kept(monkeypatch, {}) == ["8", "8"]
    primitives, ideep = KERNEL_CACHES
    assert caches_kept(monkeypatch, {primitives: "64"}) == ["64", "8"]
    assert caches_kept(monkeypatch, {ideep: "32"}) == ["8", "32"]
