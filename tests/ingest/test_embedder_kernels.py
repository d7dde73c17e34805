"""The torch embedder keeps few compiled oneDNN kernels (one per input shape otherwise grew
an ingest of 5,000 small files to 2 GB in bf16), unless the person set the number."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PROBE = (
    "import os\n"
    "from ingest.embedder import load_bundled_embedder\n"
    "embedder = load_bundled_embedder()\n"
    "embedder.embed_documents(['a sentence to embed'])\n"
    "print(os.environ.get('ONEDNN_PRIMITIVE_CACHE_CAPACITY'))\n"
)


def kernels_kept(environment: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=environment, capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.slow
def test_the_model_loads_with_a_small_kernel_cache_and_the_persons_value_wins() -> None:
    base = {k: v for k, v in os.environ.items() if k != "ONEDNN_PRIMITIVE_CACHE_CAPACITY"}
    assert kernels_kept(base) == "8"
    assert kernels_kept({**base, "ONEDNN_PRIMITIVE_CACHE_CAPACITY": "64"}) == "64"
