"""Search latency at 1k, 10k and 100k chunks: exact vs indexed, margin's store vs bare LanceDB.

    .venv/bin/python -m bench.search_latency [--sizes 1000,10000,100000] [--repeats 3]

The corpus vectors are synthetic but shaped like real ones: mixtures of the real MiniLM
vectors of margin's docs/ chunks plus noise, unit length; the queries are the golden-set
questions embedded by the real model. For each size it reports p50/p95 (warm, median of the
repeats) of: `ChunkStore.vector_search` under the index policy, bare LanceDB exact search,
a NumPy dot product over the same matrix, bare LanceDB with the IVF_FLAT index, and the
index's recall@10 against exact search. Then hybrid `Retriever.search` on the real docs/.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench import (
    DOCS,
    chunk_texts,
    emit,
    golden_questions,
    latency_ms,
    margin_home,
    median,
    note,
    timed,
    unit_rows,
)

if TYPE_CHECKING:
    import numpy as np

    from ingest.store import ChunkStore

BENCH = "search_latency"
K = 10
CHUNKS_PER_DOCUMENT = 20
WRITE_BATCH_DOCUMENTS = 500
NOISE = 0.035  # per-dimension noise: cosine to the mixed real vector is about 0.78


def synthetic_corpus(base: np.ndarray, n: int, seed: int = 1) -> np.ndarray:
    """`n` unit vectors, each a random mix of two real vectors plus Gaussian noise."""
    import numpy as np

    rng = np.random.default_rng(seed)
    first = base[rng.integers(0, len(base), n)]
    second = base[rng.integers(0, len(base), n)]
    share = rng.uniform(0.5, 1.0, (n, 1)).astype(np.float32)
    noise = NOISE * rng.standard_normal((n, base.shape[1])).astype(np.float32)
    return unit_rows(share * first + (1 - share) * second + noise)


def fill_store(store: ChunkStore, vectors: np.ndarray, texts: Sequence[str]) -> None:
    """Store `vectors` as synthetic documents of CHUNKS_PER_DOCUMENT chunks with real text."""
    from ingest.store import DocumentWrite
    from ingest.types import Chunk, DocumentMeta

    writes = []
    for start in range(0, len(vectors), CHUNKS_PER_DOCUMENT):
        block = vectors[start : start + CHUNKS_PER_DOCUMENT]
        number = start // CHUNKS_PER_DOCUMENT
        chunks = [
            Chunk(texts[(start + i) % len(texts)], ordinal=i, heading=f"Part {number}")
            for i in range(len(block))
        ]
        meta = DocumentMeta(f"/bench/doc{number:06d}.md", "default", False, 1, 1, "h", "/bench")
        writes.append(DocumentWrite(meta, chunks, block))
        if len(writes) == WRITE_BATCH_DOCUMENTS:
            store.replace_documents(writes)
            writes = []
    store.replace_documents(writes)


def repeated(action: Callable[[Any], object], queries: Any, repeats: int) -> dict[str, float]:
    """p50/p95 over the queries, the median over `repeats` passes (after one warm-up pass)."""
    for query in queries[:3]:
        action(query)
    passes = [latency_ms([timed(partial(action, q))[1] for q in queries]) for _ in range(repeats)]
    return {name: round(median([p[name] for p in passes]), 2) for name in passes[0]}


def scale_run(
    size: int, base: np.ndarray, queries: np.ndarray, texts: list[str], repeats: int
) -> dict[str, Any]:
    import lancedb
    import numpy as np

    from ingest import vector_index as vi
    from ingest.store import ChunkStore

    vectors = synthetic_corpus(base, size)
    with tempfile.TemporaryDirectory(prefix="margin-bench-search-") as folder:
        root = Path(folder)
        store = ChunkStore(
            root / "store",
            model_id="bench",
            dim=vectors.shape[1],
            lock_path=root / "ingest.lock",
            check_model=False,
        )
        _, fill_s = timed(lambda: fill_store(store, vectors, texts))
        table: Any = lancedb.connect(str(root / "store")).open_table("chunks")
        action, index_s = timed(lambda: vi.ensure_vector_index(table))
        policy = "indexed" if vi.vector_index(table) else "exact"
        figures: dict[str, Any] = {
            "chunks": size,
            "policy": policy,
            "fill_s": round(fill_s, 1),
            "margin_store": repeated(lambda q: store.vector_search(q, K), queries, repeats),
            "bare_lancedb_exact": repeated(
                lambda q: (
                    table.search(q)
                    .distance_type("cosine")
                    .bypass_vector_index()
                    .limit(K)
                    .to_arrow()
                ),
                queries,
                repeats,
            ),
            "bare_numpy_exact": repeated(
                lambda q: np.argpartition(-(vectors @ q), K)[:K], queries, repeats
            ),
        }
        if action == "none":
            _, index_s = timed(lambda: vi.build_vector_index(table, size))
        figures["index_build_s"] = round(index_s, 1)
        figures["bare_lancedb_indexed"] = repeated(
            lambda q: vi.tune_query(table.search(q).distance_type("cosine")).limit(K).to_arrow(),
            queries,
            repeats,
        )
        figures["recall_at_10_golden_queries"] = round(vi.measure_recall(table, queries, k=K), 4)
        sampled = vi.sample_vectors(table, 50, seed=7)
        figures["recall_at_10_stored_vectors"] = round(vi.measure_recall(table, sampled, k=K), 4)
        figures["index_settings"] = {
            "type": "IVF_FLAT",
            "partitions": vi.partitions_for(size),
            "nprobes": vi.NPROBES,
            "index_from_rows": vi.INDEX_FROM_ROWS,
        }
        return figures


def hybrid_run(queries: list[str], repeats: int) -> dict[str, Any]:
    """`Retriever.search` (embed, vector + full text, fuse) on the real docs/, and its parts."""
    from assistant.core import open_index

    with margin_home("search"):
        index = open_index()
        index.ingestor().run([DOCS])
        retriever = index.retriever()
        embedder = index.embedder
        vectors = [embedder.embed_query(q) for q in queries]
        return {
            "chunks": index.store.chunk_count(),
            "margin_retriever_search": repeated(retriever.search, queries, repeats),
            "bare_embed_query": repeated(embedder.embed_query, queries, repeats),
            "margin_store_vector_search": repeated(
                lambda v: index.store.vector_search(v, 24), vectors, repeats
            ),
            "margin_store_text_search": repeated(
                lambda q: index.store.text_search(q, 24), queries, repeats
            ),
        }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    from ingest.embedder import load_bundled_embedder

    embedder = load_bundled_embedder()
    texts = chunk_texts(DOCS, embedder)
    questions = golden_questions()
    base = embedder.embed_documents(texts)
    queries = embedder.embed_documents(questions)
    for size in (int(s) for s in args.sizes.split(",")):
        note(f"{BENCH}: {size} chunks")
        emit(BENCH, case="scale", **scale_run(size, base, queries, texts, args.repeats))
    note(f"{BENCH}: hybrid retrieval on docs/")
    emit(BENCH, case="hybrid_docs", queries=len(questions), **hybrid_run(questions, args.repeats))


if __name__ == "__main__":
    main()
