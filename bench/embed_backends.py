"""Each embedding backend on the same real chunks: speed against torch fp32, agreement with
it, what sorting by length saves, the backend margin picks, and retrieval quality.

    .venv/bin/python -m bench.embed_backends [--chunks 500] [--repeats 3] [--no-quality]

Speed: the first --chunks chunks of the Python 3.11 library reference (python3.11-doc HTML,
loaded and chunked as margin ingests them; docs/ where that package is missing), embedded by
ONNX Runtime fp32 (threads = cores), torch fp32 (the reference) and torch bf16 autocast
(where the CPU has native bf16; elsewhere emulated, so only a 48-chunk subset, marked so).
Each runs in margin's length-sorted batches and in arrival order, interleaved with the
others, median of --repeats. Then the automatic choice, measured on a fresh cache as the
first `margin ingest` on this machine measures it.

Quality: `margin ingest docs` and `margin eval docs/golden.jsonl --retrieval-only --json` as
whole processes with MARGIN_EMBED_BACKEND set for the stored vectors and for the queries:
torch/torch twice (the noise floor: ties in the fused ranking break on random chunk ids),
onnx/onnx, and each stored by one backend and queried by the other (bf16 pairs too on native
bf16 CPUs); each metric's change is relative to the first torch/torch run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench import DOCS, GOLDEN, REPO, chunk_texts, emit, median, note, timed

BENCH = "embed_backends"
PYTHON_DOCS = Path("/usr/share/doc/python3.11/html/library")
BATCH = 32
EMULATED_SUBSET = 48
METRICS = ("hit@1", "hit@5", "recall@k", "mrr@10", "ndcg@10")
QUALITY_CASES = (
    ("torch", "torch"),
    ("torch", "torch"),
    ("onnx", "onnx"),
    ("torch", "onnx"),
    ("onnx", "torch"),
)
BF16_CASES = (("torch-bf16", "torch-bf16"), ("torch", "torch-bf16"))


def corpus(limit: int, embedder: Any) -> tuple[str, list[str]]:
    folder = PYTHON_DOCS if PYTHON_DOCS.is_dir() else DOCS
    return str(folder), chunk_texts(folder, embedder, limit)


def arrival_order(encode: Callable[[list[str]], Any]) -> Callable[[list[str]], Any]:
    """Batches as the texts come (one call per BATCH texts): no sorting across batches."""
    import numpy as np

    return lambda texts: np.concatenate(
        [encode(texts[start : start + BATCH]) for start in range(0, len(texts), BATCH)]
    )


def speed(
    texts: list[str], runners: dict[str, Callable[[list[str]], Any]], repeats: int
) -> dict[str, tuple[float, Any]]:
    """Median seconds and the vectors of each runner, interleaved, after a warm-up call."""
    for run in runners.values():
        run(texts[:4])
    seconds: dict[str, list[float]] = {name: [] for name in runners}
    vectors: dict[str, Any] = {}
    for _ in range(repeats):
        for name, run in runners.items():
            vectors[name], elapsed = timed(lambda run=run: run(texts))  # type: ignore[misc]
            seconds[name].append(elapsed)
    return {name: (median(seconds[name]), vectors[name]) for name in runners}


def report(
    texts: list[str], runners: dict[str, Callable[[list[str]], Any]], repeats: int, **extra: Any
) -> None:
    """One line per runner: chunks/s, ratio to torch fp32 and cosine to it, same texts."""
    from ingest.onnx_cache import cosines

    results = speed(texts, runners, repeats)
    reference_s, reference = results["torch"]
    for name, (seconds, vectors) in results.items():
        agreement = cosines(vectors, reference)
        emit(
            BENCH,
            case="speed",
            backend=name,
            chunks=len(texts),
            chunks_per_s=round(len(texts) / seconds, 2),
            ratio_to_torch_fp32=round(reference_s / seconds, 3),
            cosine_min=round(float(agreement.min()), 7),
            cosine_mean=round(float(agreement.mean()), 7),
            repeats=repeats,
            **extra,
        )


def backends(repeats: int, limit: int, cache: Path) -> None:
    import numpy as np

    from ingest.batching import length_sorted_batches, padding_share
    from ingest.embedder import load_bundled_embedder
    from ingest.fast_embedder import FastEmbedder
    from ingest.onnx_encoder import cpu_cores
    from ingest.precision import cpu_supports_bf16

    torch = load_bundled_embedder(batch_size=BATCH)
    encoder = FastEmbedder(torch, cache, setting="auto").onnx_encoder()
    assert encoder is not None, "the ONNX export failed; see the message above"
    source, texts = corpus(limit, torch)
    lengths = [min(torch.count_tokens(t), torch.max_tokens) for t in texts]
    arrival = [list(range(i, min(i + BATCH, len(texts)))) for i in range(0, len(texts), BATCH)]
    sorted_batches = length_sorted_batches(lengths, BATCH)
    native = cpu_supports_bf16()
    emit(
        BENCH,
        case="corpus",
        source=source,
        chunks=len(texts),
        mean_tokens=round(float(np.mean(lengths)), 1),
        padding_share_arrival=round(padding_share(lengths, arrival), 3),
        padding_share_sorted=round(padding_share(lengths, sorted_batches), 3),
        cores=cpu_cores(),
        native_bf16=native,
    )
    fp32: Callable[[list[str]], Any] = lambda t: torch.encode(t, "fp32")  # noqa: E731
    bf16: Callable[[list[str]], Any] = lambda t: torch.encode(t, "bf16")  # noqa: E731
    runners = {
        "torch": fp32,
        "onnx": encoder.encode,
        "torch_arrival_order": arrival_order(fp32),
        "onnx_arrival_order": arrival_order(encoder.encode),
    }
    if native:
        runners["torch-bf16"] = bf16
    note(f"{BENCH}: {', '.join(runners)} on {len(texts)} chunks, {repeats} repeats")
    report(texts, runners, repeats, emulated_bf16=False)
    if not native:
        subset = texts[:: max(1, len(texts) // EMULATED_SUBSET)][:EMULATED_SUBSET]
        note(f"{BENCH}: emulated bf16 on {len(subset)} chunks, once")
        report(subset, {"torch": fp32, "torch-bf16": bf16}, 1, emulated_bf16=True)
    chooser_cache = cache.with_name("fresh-choice")
    shutil.copytree(cache / "onnx", chooser_cache / "onnx")
    choice = FastEmbedder(torch, chooser_cache, setting="auto").document_choice(texts)
    emit(
        BENCH,
        case="automatic_choice",
        backend=choice.backend,
        summary=choice.summary(),
        trials=[
            {
                "backend": t.backend,
                "chunks": t.texts,
                "chunks_per_s": round(t.chunks_per_s, 2),
                "cosine_min": round(t.min_cosine, 7),
            }
            for t in choice.trials
        ],
    )


def margin_cli(args: list[str], home: str, backend: str) -> dict[str, Any]:
    environment = {
        **os.environ,
        "MARGIN_HOME": home,
        "MARGIN_NO_SERVICE": "1",
        "MARGIN_EMBED_BACKEND": backend,
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


def quality(cache: Path) -> list[dict[str, Any]]:
    from ingest.precision import cpu_supports_bf16

    cases = QUALITY_CASES + (BF16_CASES if cpu_supports_bf16() else ())
    results: list[tuple[str, str, dict[str, Any]]] = []
    for stored, queried in cases:
        note(f"{BENCH}: golden set, stored {stored}, queries {queried}")
        with tempfile.TemporaryDirectory(prefix="margin-bench-backends-") as home:
            seeded = Path(home) / "data" / "cache" / "embedding"
            shutil.copytree(cache, seeded, copy_function=os.link)
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
                "relative_change_vs_torch_fp32": change,
                "same_ranking_share": round(same, 4),
            }
        )
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-quality", action="store_true", help="Skip the golden-set runs.")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="margin-bench-embedding-") as folder:
        cache = Path(folder) / "embedding"
        backends(args.repeats, args.chunks, cache)
        if not args.no_quality:
            for line in quality(cache):
                emit(BENCH, case="retrieval_quality", **line)


if __name__ == "__main__":
    main()
