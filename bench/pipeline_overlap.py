"""Ingest pipeline chunks/s against the bare encoder on the very same chunks, per code tree.

    .venv/bin/python -m bench.pipeline_overlap [--tree DIR ...] [--repeats 3] [--files 12]

Each tree (default: this checkout; give main's checkout too for the figures before a change)
runs in a process of its own with that tree's `ingest` package. The run uses the embedder
margin would use (`assistant.core.load_embedder`: the backend measured fastest here), warms
it up, then alternates, `--repeats` times: a full ingest of the folder into a fresh store
(walk, extraction worker, chunking, embedding, LanceDB writes) recording every text it
embeds, and the bare encoder (`embed_documents` of the same embedder, one call) on exactly
those texts. Goal: pipeline ≥ 0.95x bare. The folder: Python's library reference pages from
python3.11-doc (real HTML nobody here wrote), the first `--files` between 20 and 60 KB.
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

from bench import REPO, emit, median, note

BENCH = "pipeline_overlap"
LIBRARY = Path("/usr/share/doc/python3.11/html/library")

_MEASURE = """
import json, sys, time
from pathlib import Path
from assistant.config import load_config
from assistant.core import load_embedder
from assistant.locations import resolve_locations
from ingest.fakes import RecordingEmbedder
from ingest.pipeline import IngestOptions, Ingestor
from ingest.store import ChunkStore

folder, scratch, repeats = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
where = resolve_locations()
embedder = load_embedder(load_config(where.config_file), where)

warm = ["a warm-up text about the python standard library and its modules"] * 48
embedder.embed_documents(warm)  # the backend is chosen (and loaded) outside the timing
for number in range(repeats):
    recorder = RecordingEmbedder(embedder)
    store = ChunkStore(scratch / f"store{number}", model_id=embedder.model_id,
                       dim=embedder.dim, lock_path=scratch / f"lock{number}")
    started = time.perf_counter()
    report = Ingestor(store, recorder, IngestOptions()).run([folder])
    pipeline_s = time.perf_counter() - started
    started = time.perf_counter()
    embedder.embed_documents(list(recorder.texts))
    bare_s = time.perf_counter() - started
    print(json.dumps({"files": len(report.added), "chunks": report.chunks,
                      "texts": len(recorder.texts), "pipeline_s": pipeline_s,
                      "bare_s": bare_s}), flush=True)
"""


def sample(target: Path, files: int) -> Path:
    """The first `files` library pages between 20 and 60 KB, copied into `target`."""
    pages = sorted(p for p in LIBRARY.glob("*.html") if 20_000 <= p.stat().st_size <= 60_000)
    for page in pages[:files]:
        (target / page.name).write_bytes(page.read_bytes())
    return target


def measure(tree: Path, folder: Path, home: Path, repeats: int) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="margin-bench-overlap-") as scratch:
        environment = {**os.environ, "PYTHONPATH": str(tree), "MARGIN_HOME": str(home)}
        done = subprocess.run(
            [sys.executable, "-c", _MEASURE, str(folder), scratch, str(repeats)],
            env=environment,
            cwd=tree,
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise SystemExit(f"{BENCH}: the run in {tree} failed:\n{done.stderr[-2000:]}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", action="append", type=Path, help="a checkout (repeatable)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--files", type=int, default=12)
    args = parser.parse_args(argv)
    trees = args.tree or [REPO]
    with (
        tempfile.TemporaryDirectory(prefix="margin-bench-overlap-docs-") as docs,
        tempfile.TemporaryDirectory(prefix="margin-bench-overlap-home-") as home,
    ):
        folder = sample(Path(docs), args.files)
        for tree in trees:
            note(f"{BENCH}: {tree}, {args.repeats} repeats")
            runs = measure(tree.resolve(), folder, Path(home), args.repeats)
            ratios = [run["bare_s"] / run["pipeline_s"] for run in runs]
            emit(
                BENCH,
                tree=str(tree),
                files=runs[0]["files"],
                chunks=runs[0]["chunks"],
                repeats=len(runs),
                pipeline_chunks_per_s=round(
                    median([run["chunks"] / run["pipeline_s"] for run in runs]), 2
                ),
                bare_chunks_per_s=round(median([run["texts"] / run["bare_s"] for run in runs]), 2),
                ratio_pipeline_over_bare=round(median(ratios), 3),
                ratio_runs=[round(ratio, 3) for ratio in ratios],
            )


if __name__ == "__main__":
    main()
