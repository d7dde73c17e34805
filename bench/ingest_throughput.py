"""Ingest throughput through margin's pipeline vs the bare embedding model on the same chunks.

    .venv/bin/python -m bench.ingest_throughput [--repeats 3] [--files 300]

Two corpora: margin's docs/, and a folder of small .py/.rst/.txt files copied from the
installed packages. Each repeat ingests into a fresh MARGIN_HOME through
`open_index().ingestor().run()`, re-ingests the unchanged folder, then encodes the very texts
the pipeline embedded with a bare `SentenceTransformer.encode` (same batch size). Figures are
medians of the repeats: chunks/s and files/s, the ratio margin/bare, and the unchanged
re-ingest time as a share of the first ingest.

Then what an upgrade of margin's extraction costs: the folder ingested once more as if
`EXTRACTION_VERSION` had gone up (every document re-processed; chunks that come out as
stored keep their vectors), against `margin reindex` (every chunk embedded again, what an
upgrade cost before vectors were kept), as a share of it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench import DOCS, emit, margin_home, median, note, timed
from ingest.fakes import RecordingEmbedder

if TYPE_CHECKING:
    from ingest.embedder import SentenceTransformerEmbedder

BENCH = "ingest_throughput"
SUFFIXES = (".py", ".rst", ".txt")
MIN_BYTES, MAX_BYTES = 400, 1_000


def package_sample(target: Path, files: int) -> Path:
    """Copy `files` small text files from the installed packages into `target` (repeatable)."""
    site = Path(next(p for p in sys.path if p.endswith("site-packages")))
    found = sorted(
        path
        for path in site.rglob("*")
        if path.suffix in SUFFIXES
        and path.is_file()
        and MIN_BYTES <= path.stat().st_size <= MAX_BYTES
    )
    step = max(1, len(found) // files)
    for number, path in enumerate(found[::step][:files]):
        shutil.copyfile(path, target / f"{number:04d}_{path.name}")
    return target


def one_repeat(folder: Path, embedder: SentenceTransformerEmbedder, bare: Any) -> dict[str, float]:
    from assistant.core import open_index

    with margin_home("ingest"):
        recorder = RecordingEmbedder(embedder)
        ingestor = open_index(embedder=recorder).ingestor()
        first, first_s = timed(lambda: ingestor.run([folder]))
        again, again_s = timed(lambda: ingestor.run([folder]))
        texts = list(recorder.texts)  # what the first ingest embedded
        upgraded, upgrade_s = timed(lambda: _upgraded(ingestor, folder))
        _, reindex_s = timed(ingestor.reindex)
    assert not again.added and not again.updated, "the unchanged re-ingest embedded files"
    assert len(upgraded.reprocessed) == len(first.added), "the upgrade re-processed too little"
    _, bare_s = timed(
        lambda: bare.encode(
            texts,
            batch_size=embedder.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
        )
    )
    files = len(first.added)
    return {
        "files": files,
        "chunks": first.chunks,
        "margin_s": first_s,
        "bare_encode_s": bare_s,
        "reingest_s": again_s,
        "margin_chunks_per_s": first.chunks / first_s,
        "margin_files_per_s": files / first_s,
        "bare_chunks_per_s": len(texts) / bare_s,
        "ratio_margin_over_bare": bare_s / first_s,
        "reingest_share": again_s / first_s,
        "upgrade_s": upgrade_s,
        "reindex_s": reindex_s,
        "upgrade_share_of_reindex": upgrade_s / reindex_s,
    }


def _upgraded(ingestor: Any, folder: Path) -> Any:
    """An ingest of `folder` as the next extraction version would run it."""
    from ingest import options

    current = options.EXTRACTION_VERSION
    options.EXTRACTION_VERSION = current + 1
    try:
        return ingestor.run([folder])
    finally:
        options.EXTRACTION_VERSION = current


def corpus_figures(
    name: str, folder: Path, embedder: SentenceTransformerEmbedder, bare: Any, repeats: int
) -> dict[str, Any]:
    runs = [one_repeat(folder, embedder, bare) for _ in range(repeats)]
    figures: dict[str, Any] = {"corpus": name, "repeats": repeats}
    for key in runs[0]:
        figures[key] = round(median([run[key] for run in runs]), 4)
    figures["ratio_runs"] = [round(run["ratio_margin_over_bare"], 3) for run in runs]
    return figures


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--files", type=int, default=300)
    args = parser.parse_args(argv)

    from sentence_transformers import SentenceTransformer

    from ingest.embedder import load_bundled_embedder

    embedder = load_bundled_embedder()
    embedder.embed_query("warm up")
    bare = SentenceTransformer(str(embedder.model_dir), device="cpu", local_files_only=True)
    bare.encode(["warm up"])
    with tempfile.TemporaryDirectory(prefix="margin-bench-corpus-") as folder:
        corpora = {"docs": DOCS, "packages": package_sample(Path(folder), args.files)}
        for name, path in corpora.items():
            note(f"{BENCH}: {name}")
            figures = corpus_figures(name, path, embedder, bare, args.repeats)
            emit(BENCH, precision=embedder.precision, **figures)


if __name__ == "__main__":
    main()
