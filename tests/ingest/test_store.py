"""ChunkStore on real LanceDB: atomic replacement, model ids, the writer lock (rollback of damaged
versions: test_store_recovery.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from ingest import store_schema as schema
from ingest.errors import ModelMismatchError, StoreBusyError
from ingest.fakes import HashingEmbedder
from ingest.store import ChunkStore
from ingest.store_reader import OPTIMISTIC_READS
from ingest.types import Chunk, DocumentMeta, StoredChunk
from tests.fixtures.store_race import VERSIONS, put
from tests.fixtures.store_race import open_store as open_store_for_race

if TYPE_CHECKING:
    from lancedb.table import Table

OpenStore = Callable[..., ChunkStore]
ROOT = Path(__file__).resolve().parents[2]


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


def test_reads_by_path_and_id_go_through_their_indexes_and_see_later_writes(
    open_store: OpenStore, fake_embedder: HashingEmbedder
) -> None:
    store = open_store(fake_embedder)
    _put(store, fake_embedder, "/docs/a.md", ["old one", "old two"])
    _put(store, fake_embedder, "/docs/b.md", ["-u Treat unset variables as an error."])
    store.refresh_indexes()
    assert {"id_idx", "path_idx"} <= {index.name for index in store._chunks.list_indices()}
    old_ids = [c.id for c in store.document_chunks(["/docs/a.md"])]
    plan = store._chunks.search().where("path = '/docs/a.md'").explain_plan(True)
    assert "path_idx" in plan
    _put(store, fake_embedder, "/docs/a.md", ["-u new text"], content_hash="h2")  # not indexed
    assert [c.text for c in store.document_chunks(["/docs/a.md"])] == ["-u new text"]
    assert store.get_chunks(old_ids) == []
    found = store.text_containing(["-u"], 10, "path IN ('/docs/a.md', '/docs/b.md')")
    assert sorted(c.text for c in found) == ["-u Treat unset variables as an error.", "-u new text"]
    store.refresh_indexes()
    assert [c.text for c in store.document_chunks(["/docs/b.md"])] == [
        "-u Treat unset variables as an error."
    ]


def test_heading_search_finds_headings_holding_a_fragment_as_written(
    open_store: OpenStore, fake_embedder: HashingEmbedder
) -> None:
    store = open_store(fake_embedder)
    headings = ["Options > -O", "Options > -OO", "Options > -o FILE", "Strings > str.split(sep)"]
    chunks = [Chunk(f"text {n}", n, heading=h) for n, h in enumerate(headings)]
    texts = [c.text for c in chunks]
    store.replace_document(_meta("/docs/a.md"), chunks, fake_embedder.embed_documents(texts))
    _put(store, fake_embedder, "/docs/b.md", ["no heading"], collection="notes")
    found = store.heading_search(["-O"], 10)
    assert sorted(c.heading for c in found) == ["Options > -O", "Options > -OO"]  # case kept
    assert [c.heading for c in store.heading_search(["str.split", "x_y"], 10)] == [headings[3]]
    assert store.heading_search(["it's"], 10) == []  # a quote in a fragment is no syntax error
    assert store.heading_search(["-O"], 10, "collection = 'notes'") == []
    assert store.heading_search([], 10) == [] and len(store.heading_search(["-O"], 1)) == 1


def test_text_containing_finds_texts_holding_a_fragment_in_the_documents_asked(
    open_store: OpenStore, fake_embedder: HashingEmbedder
) -> None:
    store = open_store(fake_embedder)
    _put(store, fake_embedder, "/docs/set.md", ["-u Treat unset variables as an error.", "-x"])
    _put(store, fake_embedder, "/docs/sort.md", ["-u, --unique\n   output only the first"])
    found = store.text_containing(["-u"], 10, "path = '/docs/set.md'")
    assert [c.text for c in found] == ["-u Treat unset variables as an error."]
    assert sorted(c.path for c in store.text_containing(["-u"], 10)) == [
        "/docs/set.md",
        "/docs/sort.md",
    ]
    assert store.text_containing(["it's"], 10) == [] and store.text_containing([], 10) == []


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


def test_readers_see_every_document_whole_while_another_process_replaces_it(
    tmp_path: Path,
) -> None:
    """Two reader processes search while a writer process replaces a document 40 times (and on,
    until each reader has seen the new version): every search finds exactly the old version or
    the new one, never a mix and never nothing."""
    store = open_store_for_race(tmp_path)
    put(store, "A")
    store.refresh_indexes()  # the full-text index, so the readers' text searches find rows
    readers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.fixtures.store_race", "read", str(tmp_path)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(2)
    ]
    try:
        for reader in readers:
            assert reader.stdout is not None and reader.stdout.readline().strip() == "ready"
        subprocess.run(
            [sys.executable, "-m", "tests.fixtures.store_race", "write", str(tmp_path), "40", "2"],
            cwd=ROOT,
            check=True,
            timeout=240,
        )
        outputs = [reader.communicate(timeout=60)[0] for reader in readers]
    finally:
        for reader in readers:
            reader.kill()
    whole = {tuple(sorted(texts)): name for name, texts in VERSIONS.items()}
    seen: Counter[str] = Counter()
    for line in "".join(outputs).splitlines():
        for kind, texts in json.loads(line).items():
            seen[whole.get(tuple(texts), f"{kind} search found {texts}")] += 1
    assert set(seen) == {"A", "B"}, seen  # both versions, and nothing else


def test_a_reader_that_keeps_losing_to_a_writer_reads_pinned_versions_without_waiting(
    open_store: OpenStore, fake_embedder: HashingEmbedder
) -> None:
    """After OPTIMISTIC_READS lost races the reader reads tables pinned at one moment: a writer
    that replaces the document during that read (it can: the reader takes no lock) changes
    nothing the reader sees, and the reader sees the document whole."""
    reader = open_store(fake_embedder)
    writer = open_store(fake_embedder, lock_timeout_s=0.2)
    _put(writer, fake_embedder, "/docs/a.md", ["alpha one", "alpha two"])
    views: list[dict[str, str]] = []

    def read(chunks: Table, view: tuple[dict[str, str], int]) -> list[StoredChunk]:
        views.append(view[0])
        if len(views) <= OPTIMISTIC_READS:  # a writer commits during every optimistic read
            _put(writer, fake_embedder, f"/docs/{len(views)}.md", ["more"])
            return []
        _put(writer, fake_embedder, "/docs/a.md", ["beta"], content_hash="h2")
        rows = chunks.search().where("path = '/docs/a.md'").limit(None).to_arrow().to_pylist()
        current = view[0]["/docs/a.md"]
        return [schema.stored_chunk(r, 0.0) for r in rows if r["doc_version"] == current]

    found = reader._consistent(read)
    assert len(views) == OPTIMISTIC_READS + 1
    assert len(views[-1]) == OPTIMISTIC_READS + 1  # the pinned view holds every earlier write
    assert sorted(c.text for c in found) == ["alpha one", "alpha two"]
    query = fake_embedder.embed_query("beta")
    assert "beta" in [c.text for c in reader.vector_search(query, 20)]  # back on the live table


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
