"""What reaches the index from real documents: boilerplate, fragments, glyphs, and searches.

    .venv/bin/python -m bench.realdocs_index FOLDER [--code TREE] [--vectors hashing|model]

Ingests FOLDER into a fresh store with the ingest code of TREE (default: this checkout; give
another checkout, e.g. main's, to measure the code before a change), chunked with the
bundled model's tokenizer. `--vectors hashing` stands in cheap vectors for the model's
(the chunks are the same; a whole documentation set then takes minutes, not hours), and
skips the searches. Counted over all chunks:
- navigation/boilerplate chunks: the last part of the heading is a page-furniture title
  ("Table of Contents", "Navigation", "Next topic", "This Page"...), or at least half of
  the chunk's lines are furniture (`ingest.boilerplate.is_furniture_line`);
- chunks whose text is under 80 characters;
- headings holding the permalink glyph "¶";
- chunks holding compatibility glyphs (ligatures such as "ﬁ", U+2212 minus).
With model vectors it then runs the searches below as `margin search` does (vector and
full-text, fused) and prints the rank of the first result whose heading ends as expected.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from bench import REPO, emit

BENCH = "realdocs_index"
SEARCHES = {
    "What does str.partition return?": "str.partition(sep)",
    "What does set -e do in bash?": "SHELL BUILTIN COMMANDS",
}
_FURNITURE_TITLES = re.compile(
    r"^(?:table of contents|navigation|next topic|previous topic|this page|quick search|"
    r"related topics|on this page|show source)$",
    re.IGNORECASE,
)
_SHORT_CHARS = 80


def is_boilerplate(heading: str, text: str) -> bool:
    from ingest.boilerplate import furniture_share

    last = heading.rsplit(" > ", 1)[-1].strip()
    return bool(_FURNITURE_TITLES.match(last)) or furniture_share(text) >= 0.5


def has_compatibility_glyphs(text: str) -> bool:
    return "\u2212" in text or unicodedata.normalize("NFKC", text) != text


_INGEST = """
import sys
from pathlib import Path
from ingest.embedder import load_bundled_embedder
from ingest.fakes import HashingEmbedder
from ingest.pipeline import IngestOptions, Ingestor
from ingest.store import ChunkStore

folder, store_dir, vectors = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
model = load_bundled_embedder()

class TokenizerOnly(HashingEmbedder):
    # The bundled model's tokenizer (so chunks are exactly margin's), hashed vectors.
    def count_tokens(self, text):
        return model.count_tokens(text)
    def token_spans(self, text):
        return model.token_spans(text)

embedder = model if vectors == "model" else TokenizerOnly(
    dim=model.dim, max_tokens=model.max_tokens, model_id="hashing")
store = ChunkStore(store_dir, model_id=embedder.model_id, dim=embedder.dim,
                   lock_path=store_dir / "ingest.lock")
report = Ingestor(store, embedder, IngestOptions()).run([folder])
print(len(report.added), report.chunks, round(report.seconds, 1), file=sys.stderr)
"""


def ingest(folder: Path, store_dir: Path, code: Path, vectors: str) -> None:
    """Ingest with the ingest package of the checkout `code`, in a process of its own."""
    subprocess.run(
        [sys.executable, "-c", _INGEST, str(folder), str(store_dir), vectors],
        env={**os.environ, "PYTHONPATH": str(code), "HF_HUB_OFFLINE": "1"},
        cwd=code,  # `python -c` puts the working folder first on the path
        check=True,
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--code", type=Path, default=REPO, help="checkout whose ingest to use")
    parser.add_argument("--vectors", choices=("hashing", "model"), default="model")
    parser.add_argument("--examples", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="margin-bench-realdocs-") as folder:
        store_dir = Path(folder) / "store"
        started = time.perf_counter()
        ingest(args.folder.resolve(), store_dir, args.code.resolve(), args.vectors)
        seconds = time.perf_counter() - started
        measure(store_dir, args, seconds)


def measure(store_dir: Path, args: argparse.Namespace, seconds: float) -> None:
    import lancedb

    table = lancedb.connect(str(store_dir)).open_table("chunks")
    rows = table.search().select(["path", "heading", "text"]).limit(None).to_arrow().to_pylist()
    boilerplate = [r for r in rows if is_boilerplate(r["heading"] or "", r["text"])]
    short = [r for r in rows if len(r["text"]) < _SHORT_CHARS]
    pilcrow = [r for r in rows if "¶" in (r["heading"] or "")]
    glyphs = [r for r in rows if has_compatibility_glyphs(r["text"])]
    total = max(1, len(rows))
    emit(
        BENCH,
        folder=str(args.folder),
        code=str(args.code),
        vectors=args.vectors,
        ingest_seconds=round(seconds, 1),
        chunks=len(rows),
        boilerplate=len(boilerplate),
        boilerplate_share=round(len(boilerplate) / total, 4),
        under_80_chars=len(short),
        headings_with_pilcrow=len(pilcrow),
        compatibility_glyph_chunks=len(glyphs),
        boilerplate_examples=[_example(r) for r in boilerplate[: args.examples]],
        short_examples=[_example(r) for r in short[: args.examples]],
    )
    if args.vectors == "model":
        search(store_dir)


def search(store_dir: Path) -> None:
    from assistant.ask.retrieval import Retriever
    from assistant.config import RetrievalConfig
    from ingest.embedder import load_bundled_embedder
    from ingest.store import ChunkStore

    embedder = load_bundled_embedder()
    store = ChunkStore(
        store_dir,
        model_id=embedder.model_id,
        dim=embedder.dim,
        lock_path=store_dir / "ingest.lock",
        check_model=False,
    )
    retriever = Retriever(store, embedder, RetrievalConfig())
    for query, expected in SEARCHES.items():
        results = retriever.search(query, k=10)
        rank = next(
            (n for n, s in enumerate(results, 1) if (s.heading or "").endswith(expected)), None
        )
        emit(
            BENCH,
            query=query,
            expected_heading_ends=expected,
            rank=rank,
            top3=[f"{Path(s.path).name} > {s.heading}" for s in results[:3]],
        )


def _example(row: dict[str, str]) -> dict[str, str]:
    return {"file": Path(row["path"]).name, "heading": row["heading"], "text": row["text"][:120]}


if __name__ == "__main__":
    main()
