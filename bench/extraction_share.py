"""Ingest time split: extraction (the bounded worker) vs chunking vs embedding, on one folder.

    .venv/bin/python -m bench.extraction_share FOLDER [--code TREE] [--sample 300]

Runs with the ingest package of the checkout TREE (default: this one; give main's checkout
for the figures before a change), in a process of its own: every file of FOLDER goes
through `Extractor.load` (timed per file), is chunked as ingest does, and a sample of the
chunk texts is embedded with the bundled model after a warm-up; the embedding time of all
chunks is that sample's rate times the number of chunks. Extraction must stay well below
embedding, or it becomes the bottleneck of an ingest.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from bench import REPO, emit

BENCH = "extraction_share"

_MEASURE = """
import json, sys, time
from pathlib import Path
from ingest.embedder import load_bundled_embedder
from ingest.extraction import Extractor
from ingest.loaders import is_supported

folder, sample = Path(sys.argv[1]), int(sys.argv[2])
model = load_bundled_embedder()
files = sorted(p for p in folder.rglob("*") if p.is_file() and is_supported(p))
extract_s = chunk_s = 0.0
texts, failed = [], 0
with Extractor() as extractor:
    extractor.load(files[0])  # start the worker outside the timing
    for path in files:
        started = time.perf_counter()
        try:
            loaded = extractor.load(path)
        except Exception:
            failed += 1
            continue
        extract_s += time.perf_counter() - started
        started = time.perf_counter()
        try:  # the chunking of this checkout, whichever API it has
            from ingest.chunking import chunk_document, embedding_text
            chunks = chunk_document(loaded, path.name, model, chunk_tokens=200, overlap_tokens=32)
            texts += [embedding_text(c) for c in chunks]
        except ImportError:
            from ingest.chunking import chunk_sections
            chunks = chunk_sections(loaded, model, chunk_tokens=200, overlap_tokens=32)
            texts += [f"{c.heading}\\n{c.text}" if c.heading else c.text for c in chunks]
        chunk_s += time.perf_counter() - started
model.embed_documents(texts[:8])
part = texts[:sample]
started = time.perf_counter()
model.embed_documents(part)
embed_s = (time.perf_counter() - started) / max(1, len(part)) * len(texts)
print(json.dumps({"files": len(files), "failed": failed, "chunks": len(texts),
                  "extract_s": extract_s, "chunk_s": chunk_s, "embed_s": embed_s}))
"""


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--code", type=Path, default=REPO)
    parser.add_argument("--sample", type=int, default=300)
    args = parser.parse_args(argv)
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(args.folder.resolve()), str(args.sample)],
        env={**os.environ, "PYTHONPATH": str(args.code.resolve()), "HF_HUB_OFFLINE": "1"},
        cwd=args.code.resolve(),  # `python -c` puts the working folder first on the path
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    total = figures["extract_s"] + figures["chunk_s"] + figures["embed_s"]
    emit(
        BENCH,
        folder=str(args.folder),
        code=str(args.code),
        files=figures["files"],
        failed=figures["failed"],
        chunks=figures["chunks"],
        extract_s=round(figures["extract_s"], 1),
        chunk_s=round(figures["chunk_s"], 1),
        embed_s_estimated=round(figures["embed_s"], 1),
        extract_share=round(figures["extract_s"] / total, 3) if total else None,
        files_per_s_extracting=round(figures["files"] / max(1e-9, figures["extract_s"]), 2),
    )


if __name__ == "__main__":
    main()
