"""Embedding at bf16 (CPU autocast) vs fp32: speed, vector agreement and retrieval quality.

    .venv/bin/python -m bench.embed_precision [--repeats 3] [--no-quality]

Speed and agreement use the bare `SentenceTransformer` on margin's docs/ chunk texts. Where
the CPU lacks native bf16 (so `auto` picks fp32), the bf16 run is emulated and several times
slower, so it encodes a subset. Quality runs `margin ingest docs` and
`margin eval docs/golden.jsonl --retrieval-only --json` as whole processes with
MARGIN_EMBED_PRECISION set for the stored vectors and for the queries: fp32/fp32, bf16/bf16
and fp32-stored with bf16 queries (an index built on another machine), plus a second
fp32/fp32 run for the noise floor, and reports each metric's change relative to the first.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import DOCS, GOLDEN, REPO, emit, median, note, timed

BENCH = "embed_precision"
EMULATED_SUBSET = 48
METRICS = ("hit@1", "hit@5", "recall@k", "mrr@10", "ndcg@10")
# fp32 twice: ties in the fused ranking break on random chunk ids, so a second fp32 index
# shows how much two identical-precision runs differ.
QUALITY_CASES = (("fp32", "fp32"), ("fp32", "fp32"), ("bf16", "bf16"), ("fp32", "bf16"))


def speed(repeats: int) -> dict[str, Any]:
    import numpy as np
    from sentence_transformers import SentenceTransformer

    from bench import chunk_texts
    from ingest.embedder import load_bundled_embedder
    from ingest.precision import cpu_supports_bf16, embedding_precision, resolve_precision

    embedder = load_bundled_embedder()
    texts = chunk_texts(DOCS, embedder)
    native = cpu_supports_bf16()
    if not native:
        texts = texts[:: max(1, len(texts) // EMULATED_SUBSET)][:EMULATED_SUBSET]
    model = SentenceTransformer(str(embedder.model_dir), device="cpu", local_files_only=True)

    def encode() -> Any:
        return model.encode(
            texts, batch_size=embedder.batch_size, normalize_embeddings=True, convert_to_numpy=True
        )

    runs: dict[str, list[float]] = {"fp32": [], "bf16": []}
    vectors: dict[str, Any] = {}
    for _ in range(repeats):
        for precision in ("fp32", "bf16"):
            with embedding_precision(precision):
                vectors[precision], seconds = timed(encode)
            runs[precision].append(seconds)
    similarity = np.sum(vectors["fp32"] * vectors["bf16"], axis=1)
    fp32_s, bf16_s = median(runs["fp32"]), median(runs["bf16"])
    return {
        "cpu_native_bf16": native,
        "auto_precision": resolve_precision("auto"),
        "texts": len(texts),
        "fp32_chunks_per_s": round(len(texts) / fp32_s, 2),
        "bf16_chunks_per_s": round(len(texts) / bf16_s, 2),
        "bf16_speedup_over_fp32": round(fp32_s / bf16_s, 3),
        "fp32_runs_s": [round(s, 2) for s in runs["fp32"]],
        "bf16_runs_s": [round(s, 2) for s in runs["bf16"]],
        "cosine_mean": round(float(similarity.mean()), 6),
        "cosine_min": round(float(similarity.min()), 6),
    }


def margin_cli(args: list[str], home: str, precision: str) -> dict[str, Any]:
    environment = {
        **os.environ,
        "MARGIN_HOME": home,
        "MARGIN_NO_SERVICE": "1",
        "MARGIN_EMBED_PRECISION": precision,
    }
    done = subprocess.run(
        [str(Path(sys.executable).parent / "margin"), *args, "--json"],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def quality() -> list[dict[str, Any]]:
    results: list[tuple[str, str, dict[str, Any]]] = []
    for stored, queried in QUALITY_CASES:
        note(f"{BENCH}: golden set, stored {stored}, queries {queried}")
        with tempfile.TemporaryDirectory(prefix="margin-bench-precision-") as home:
            margin_cli(["ingest", str(DOCS)], home, stored)
            run = margin_cli(["eval", str(GOLDEN), "--retrieval-only"], home, queried)
        results.append((stored, queried, run))
    reference = results[0][2]["metrics"]
    reference_ranks = [q["ranked_sources"] for q in results[0][2]["questions"]]
    lines = []
    for number, (stored, queried, run) in enumerate(results):
        metrics = {name: run["metrics"][name] for name in METRICS}
        change = {
            name: round((metrics[name] - reference[name]) / reference[name], 4)
            for name in METRICS
            if reference[name]
        }
        ranks = [q["ranked_sources"] for q in run["questions"]]
        same = sum(a == b for a, b in zip(ranks, reference_ranks, strict=True)) / len(ranks)
        lines.append(
            {
                "stored": stored,
                "queries": queried,
                "reference": number == 0,
                "metrics": {name: round(value, 4) for name, value in metrics.items()},
                "relative_change_vs_fp32": change,
                "same_ranking_share": round(same, 4),
            }
        )
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-quality", action="store_true", help="Skip the golden-set runs.")
    args = parser.parse_args(argv)
    note(f"{BENCH}: speed and agreement")
    emit(BENCH, case="speed", repeats=args.repeats, **speed(args.repeats))
    if not args.no_quality:
        for line in quality():
            emit(BENCH, case="retrieval_quality", **line)


if __name__ == "__main__":
    main()
