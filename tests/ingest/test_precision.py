"""Embedding precision: detection, the override, and bf16 vectors against fp32 on the real model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ingest.precision import Precision, bf16_native, cpu_field, cpu_flags, embedding_precision

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize(
    ("flags", "machine", "native"),
    [
        ({"avx2", "avx512f", "avx512_bf16"}, "x86_64", True),
        ({"avx2", "amx_bf16", "amx_tile"}, "x86_64", True),
        ({"avx2", "avx512f", "avx512_vnni"}, "x86_64", False),
        ({"avx2", "fma"}, "AMD64", False),
        ({"fp", "asimd", "bf16"}, "aarch64", False),
        ({"avx512_bf16"}, "aarch64", False),
    ],
)
def test_native_bf16_needs_the_x86_instructions(
    flags: set[str], machine: str, native: bool
) -> None:
    assert bf16_native(frozenset(flags), machine) is native


def test_cpu_flags_come_from_the_first_flags_line(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text(
        "processor\t: 0\nmodel name\t: AMD EPYC: x\nflags\t\t: fpu sse2 avx512_bf16\n\n"
        "model name\t: other\nflags\t: other\n"
    )
    assert cpu_flags(info) == {"fpu", "sse2", "avx512_bf16"}
    assert cpu_field("model name", info) == "AMD EPYC: x"
    assert cpu_flags(tmp_path / "missing") == frozenset()
    assert cpu_field("model name", tmp_path / "missing") == ""


def test_the_block_sets_autocast_and_fp32_switches_it_off() -> None:
    import torch

    with embedding_precision("bf16"):
        assert torch.is_autocast_enabled("cpu")
        assert torch.get_autocast_dtype("cpu") == torch.bfloat16
        with embedding_precision("fp32"):
            assert not torch.is_autocast_enabled("cpu")
    assert not torch.is_autocast_enabled("cpu")


@pytest.mark.slow
def test_bf16_vectors_match_fp32_on_real_chunks() -> None:
    """The real MiniLM on margin's own docs: bf16 autocast keeps the fp32 directions."""
    from sentence_transformers import SentenceTransformer

    from ingest.chunking import chunk_sections
    from ingest.embedder import bundled_model_dir, load_bundled_embedder
    from ingest.loaders import load_document

    tokenizer = load_bundled_embedder()
    texts = [
        chunk.text
        for path in sorted(DOCS.glob("*.md"))
        for chunk in chunk_sections(
            load_document(path).sections, tokenizer, chunk_tokens=200, overlap_tokens=32
        )[::4]  # a spread over every document
    ]
    model = SentenceTransformer(str(bundled_model_dir()), device="cpu", local_files_only=True)

    def encode(precision: Precision) -> np.ndarray:
        with embedding_precision(precision):
            return model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)

    similarity = np.sum(encode("fp32") * encode("bf16"), axis=1)
    assert len(texts) >= 15
    assert similarity.mean() >= 0.9995
    assert similarity.min() >= 0.999
