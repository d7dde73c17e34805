"""Search on a shared index in object storage against the same index on local disk.

    .venv/bin/python -m bench.shared_index [--chunks 10000] [--repeats 3]

One corpus (real text from the Python 3.11 HTML docs Debian ships, else margin's docs/; its
MiniLM vectors mixed into `--chunks` synthetic ones as in `bench.search_latency`) is written
twice through `ChunkStore`: into a folder, and into moto's S3 server on loopback (the same
server the tests use). For both it reports `vector_search` and `text_search` p50/p95 (warm,
median of the repeats), the ratio S3 / disk, and the object-store requests per search
counted from the server's access log, for a first and a repeated query (LanceDB's caches
should keep a repeat from fetching index files again). Loopback has no network latency: a
real store adds its round-trip time per request on top, which the request counts let you
estimate.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench import DOCS, chunk_texts, emit, golden_questions, note
from bench.search_latency import fill_store, repeated, synthetic_corpus
from tests.fixtures.object_store import S3Server, moto_server

if TYPE_CHECKING:
    from ingest.store import ChunkStore
    from ingest.store_location import StoreLocation

BENCH = "shared_index"
K = 24
PYTHON_DOCS = Path("/usr/share/doc/python3.11/html/library")
BASE_TEXTS = 600


def kind_of(request: str) -> str:
    if "/_indices/" in request:
        return "index_files"
    if "_versions" in request or request.endswith(".manifest HTTP/1.1"):
        return "version_checks"
    if "/data/" in request:
        return "data_reads"
    return "other"


def counted(server: S3Server, action: Callable[[], object]) -> dict[str, int]:
    """Object-store requests `action` makes, by kind (the server logs each as it answers)."""
    before = len(server.requests())
    action()
    time.sleep(0.2)
    made = [kind_of(r) for r in server.requests()[before:]]
    return {"total": len(made), **{kind: made.count(kind) for kind in sorted(set(made))}}


def open_store(where: Path | StoreLocation, dim: int, lock: Path) -> ChunkStore:
    from ingest.store import ChunkStore

    return ChunkStore(where, model_id="bench", dim=dim, lock_path=lock, check_model=False)


def measure(
    store: ChunkStore, vectors: Any, questions: Sequence[str], repeats: int
) -> dict[str, Any]:
    return {
        "vector_search": repeated(lambda v: store.vector_search(v, K), vectors, repeats),
        "text_search": repeated(lambda q: store.text_search(q, K), list(questions), repeats),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    from ingest.embedder import load_bundled_embedder
    from ingest.store_location import StoreLocation

    embedder = load_bundled_embedder()
    source = PYTHON_DOCS if PYTHON_DOCS.is_dir() else DOCS
    note(f"{BENCH}: embedding {BASE_TEXTS} chunks of {source}")
    texts = chunk_texts(source, embedder, limit=BASE_TEXTS)
    questions = golden_questions()
    corpus = synthetic_corpus(embedder.embed_documents(texts), args.chunks)
    queries = embedder.embed_documents(questions)
    figures: dict[str, Any] = {"chunks": args.chunks, "texts_from": str(source)}
    with tempfile.TemporaryDirectory(prefix="margin-bench-shared-") as folder:
        root = Path(folder)
        with moto_server(root / "moto.log") as server:
            bucket = server.new_bucket()
            os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
            os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
            remote = StoreLocation(
                f"s3://{bucket}/index",
                {"endpoint": server.endpoint, "region": "us-east-1", "allow_http": "true"},
            )
            stores = {
                "disk": open_store(root / "store", corpus.shape[1], root / "disk.lock"),
                "s3": open_store(remote, corpus.shape[1], root / "s3.lock"),
            }
            for name, store in stores.items():
                note(f"{BENCH}: writing {args.chunks} chunks to {name}")
                started = time.perf_counter()
                fill_store(store, corpus, texts)
                store.refresh_indexes()
                figures[f"{name}_write_s"] = round(time.perf_counter() - started, 1)
            for name, store in stores.items():
                note(f"{BENCH}: searching {name}")
                figures[name] = measure(store, queries, questions, args.repeats)
            reader = open_store(remote, corpus.shape[1], root / "reader.lock")
            figures["s3_requests"] = {
                "open_store": counted(
                    server, lambda: open_store(remote, corpus.shape[1], root / "r.lock")
                ),
                "first_vector_search": counted(server, lambda: reader.vector_search(queries[0], K)),
                "repeated_vector_search": counted(
                    server, lambda: reader.vector_search(queries[0], K)
                ),
                "first_text_search": counted(server, lambda: reader.text_search(questions[0], K)),
                "repeated_text_search": counted(
                    server, lambda: reader.text_search(questions[0], K)
                ),
            }
    for kind in ("vector_search", "text_search"):
        for share in ("p50_ms", "p95_ms"):
            disk, s3 = figures["disk"][kind][share], figures["s3"][kind][share]
            figures[f"ratio_{kind}_{share[:3]}"] = round(s3 / disk, 2) if disk else None
    emit(BENCH, **figures)


if __name__ == "__main__":
    main()
