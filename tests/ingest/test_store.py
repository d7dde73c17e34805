"""ChunkStore on real LanceDB: atomic replacement, model ids, the writer lock (rollback of damaged
versions: test_store_recovery.py)."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from ingest.errors import ModelMismatchError, StoreBusyError
from ingest.fakes import HashingEmbedder
from ingest.store import ChunkStore
from ingest.types import Chunk, DocumentMeta

OpenStore = Callable[..., ChunkStore]


def _meta(path: str, content_hash: str = "h", collection: str = "default") -> DocumentMeta:
    return DocumentMeta(path, collection, False, 10, 1, content_hash, "/docs")


def _put(
    store: ChunkStore, model: HashingEmbedder, path: str, texts: list[str], **meta: str
) -> None:
    chunks = [Chunk(text, ordinal) for ordinal, text in enumerate(texts)]
    store.replace_document(_meta(path, **meta), chunks, model.embed_documents(texts))


def test_replace_document_swaps_all_chunks(
    open_store: OpenStore, fake_embedder: HashingEmbedder
) -> None:
    store = open_store(fake_embedder)
    _put(store, fake_embedder, "/docs/a.md", ["old one", "old two", "old three"])
    _put(store, fake_embedder, "/docs/b.md", ["other file"])
    _put(store, fake_embedder, "/docs/a.md", ["new text"], content_hash="h2")
    texts = {c.text for c in store.vector_search(fake_embedder.embed_query("old"), 10)}
    assert texts == {"new text", "other file"}
    assert store.chunk_count() == 2
    assert [(d.path, d.chunks, d.content_hash) for d in store.documents()] == [
        ("/docs/a.md", 1, "h2"),
        ("/docs/b.md", 1, "h"),
    ]
    store.refresh_indexes()
    assert [c.text for c in store.text_search("new", 5)] == ["new text"]
    _put(store, fake_embedder, "/docs/c.md", ["fresh words after indexing"])
    assert [c.path for c in store.text_search("fresh", 5)] == ["/docs/c.md"]


def test_scores_are_cosine_similarities(
    open_store: OpenStore, fake_embedder: HashingEmbedder
) -> None:
    store = open_store(fake_embedder)
    _put(store, fake_embedder, "/docs/a.md", ["apples and pears", "deep sea fish"])
    hits = store.vector_search(fake_embedder.embed_query("apples and pears"), 2)
    assert hits[0].text == "apples and pears"
    assert hits[0].score == pytest.approx(1.0, abs=1e-5)
    expected = float(np.dot(*fake_embedder.embed_documents(["apples and pears", "deep sea fish"])))
    assert hits[1].score == pytest.approx(expected, abs=1e-5)


def test_a_write_interrupted_before_its_commit_stays_invisible(
    open_store: OpenStore, fake_embedder: HashingEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(fake_embedder)
    _put(store, fake_embedder, "/docs/a.md", ["first version"])

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(store._documents, "add", crash)
    with pytest.raises(KeyboardInterrupt):
        _put(store, fake_embedder, "/docs/a.md", ["second", "version"])
    monkeypatch.undo()
    hits = store.vector_search(fake_embedder.embed_query("version"), 10)
    assert [h.text for h in hits] == ["first version"]
    reopened = open_store(fake_embedder)
    assert reopened.remove_orphans() == 1
    assert reopened._chunks.count_rows() == 1


def test_readers_never_see_half_a_document(
    open_store: OpenStore, fake_embedder: HashingEmbedder
) -> None:
    store = open_store(fake_embedder)
    versions = {
        "A": [f"alpha part {i}" for i in range(5)],
        "B": [f"beta part {i}" for i in range(3)],
    }
    _put(store, fake_embedder, "/docs/a.md", versions["A"])
    stop = threading.Event()

    def writer() -> None:
        for n in range(12):
            _put(store, fake_embedder, "/docs/a.md", versions["AB"[n % 2]])
        stop.set()

    thread = threading.Thread(target=writer)
    thread.start()
    reader = open_store(fake_embedder)
    seen = []
    while not stop.is_set():
        texts = sorted(c.text for c in reader.vector_search(fake_embedder.embed_query("part"), 20))
        seen.append(texts)
    thread.join()
    assert seen
    for texts in seen:
        assert texts in (sorted(versions["A"]), sorted(versions["B"]), [])


def test_another_model_is_refused_with_how_to_fix(
    open_store: OpenStore, fake_embedder: HashingEmbedder
) -> None:
    store = open_store(fake_embedder)
    _put(store, fake_embedder, "/docs/a.md", ["text"])
    other = HashingEmbedder(dim=64, model_id="fake/other-model")
    with pytest.raises(ModelMismatchError) as caught:
        open_store(other)
    assert "fake/hashing-64" in str(caught.value)
    assert "margin reindex" in str(caught.value)
    assert open_store(other, check_model=False).documents()  # readable for listing/reindex


def test_second_writer_is_refused_while_searches_work(
    open_store: OpenStore, fake_embedder: HashingEmbedder, tmp_path: Path
) -> None:
    store = open_store(fake_embedder, lock_timeout_s=0.5)
    _put(store, fake_embedder, "/docs/a.md", ["searchable"])
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, filelock; lock = filelock.FileLock(sys.argv[1]); lock.acquire(); "
            "print('held', flush=True); sys.stdin.read()",
            str(tmp_path / "run" / "ingest.lock"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreBusyError, match="Another margin ingest"):
            _put(store, fake_embedder, "/docs/b.md", ["blocked"])
        assert [c.text for c in store.vector_search(fake_embedder.embed_query("x"), 5)] == [
            "searchable"
        ]
    finally:
        holder.communicate("")
    _put(store, fake_embedder, "/docs/b.md", ["now allowed"])
    assert store.chunk_count() == 2
