"""The torch embedder keeps few compiled oneDNN kernels and primitives (one per input shape
otherwise grew an ingest of 5,000 small files to 2 GB in bf16), unless the person set the
numbers."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ingest.embedder import KERNEL_CACHES

PROBE = (
    "import os\n"
    "from ingest.embedder import KERNEL_CACHES, load_bundled_embedder\n"
    "embedder = load_bundled_embedder()\n"
    "embedder.embed_documents(['a sentence to embed'])\n"
    "print(' '.join(os.environ.get(cache, '-') for cache in KERNEL_CACHES))\n"
)


def caches_kept(environment: dict[str, str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=environment, capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1].split()


@pytest.mark.slow
def test_the_model_loads_with_small_kernel_caches_and_the_persons_values_win() -> None:
    base = {k: v for k, v in os.environ.items() if k not in KERNEL_CACHES}
    assert caches_kept(base) == ["8", "8"]
    primitives, ideep = KERNEL_CACHES
    assert caches_kept({**base, primitives: "64"}) == ["64", "8"]
    assert caches_kept({**base, ideep: "32"}) == ["8", "32"]
