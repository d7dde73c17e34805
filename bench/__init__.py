"""margin's benchmarks: scripts that print figures, one JSON object per line, never assert time.

Run all of them with `python -m bench` (or `make bench`); run one with `python -m bench.NAME`.
Each compares margin with the bare component in the same process and run; every figure is a
median of repeats, and each line carries the load average when it was measured.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import numpy as np

    from ingest.embedder import SentenceTransformerEmbedder

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
GOLDEN = DOCS / "golden.jsonl"
T = TypeVar("T")


def emit(bench: str, **figures: Any) -> None:
    """Print one result line: `{"bench": name, ...figures, "loadavg_1m": ...}`."""
    line = {"bench": bench, **figures, "loadavg_1m": round(os.getloadavg()[0], 2)}
    print(json.dumps(line, default=_plain), flush=True)


def note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def timed(action: Callable[[], T]) -> tuple[T, float]:
    """The action's result and its wall time in seconds (monotonic clock)."""
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0 < p <= 100) by nearest rank, the one definition `margin stats`
    and `margin report` use (`assistant.log.stats.percentile`); nan when there are no values."""
    from assistant.log.stats import percentile as nearest_rank

    value = nearest_rank(values, p)
    return float("nan") if value is None else float(value)


def latency_ms(samples_s: Sequence[float]) -> dict[str, float]:
    """p50 and p95 of timings given in seconds, in milliseconds."""
    return {
        "p50_ms": round(percentile(samples_s, 50) * 1000, 2),
        "p95_ms": round(percentile(samples_s, 95) * 1000, 2),
    }


@contextmanager
def margin_home(prefix: str) -> Iterator[Path]:
    """A throwaway MARGIN_HOME for the block, with the background service switched off."""
    saved = {name: os.environ.get(name) for name in ("MARGIN_HOME", "MARGIN_NO_SERVICE")}
    with tempfile.TemporaryDirectory(prefix=f"margin-bench-{prefix}-") as folder:
        os.environ["MARGIN_HOME"] = folder
        os.environ["MARGIN_NO_SERVICE"] = "1"
        try:
            yield Path(folder)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def golden_questions() -> list[str]:
    lines = GOLDEN.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def chunk_texts(
    folder: Path, embedder: SentenceTransformerEmbedder, limit: int | None = None
) -> list[str]:
    """The texts margin embeds for the documents in `folder` (loaded and chunked in process),
    in path order; the first `limit` when given."""
    from ingest.chunking import chunk_document, embedding_text
    from ingest.errors import LoadError
    from ingest.loaders import is_supported, load_document

    texts: list[str] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and is_supported(p)):
        if path.suffix == ".jsonl":
            continue
        try:
            document = load_document(path)
        except LoadError:
            continue
        chunks = chunk_document(document, path.name, embedder, chunk_tokens=200, overlap_tokens=32)
        texts.extend(embedding_text(chunk) for chunk in chunks)
        if limit is not None and len(texts) >= limit:
            return texts[:limit]
    return texts


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    import numpy as np

    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.maximum(norms, 1e-12)).astype(np.float32)


def _plain(value: object) -> object:
    if hasattr(value, "item"):
        return value.item()
    return str(value)
