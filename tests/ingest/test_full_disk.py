"""A full disk while ingesting: a clear error, and the index as it was before the write.

Issue 10, item 15: LanceDB's "No space left on device" came out as a raw RuntimeError.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.errors import StoreWriteError
from ingest.fakes import HashingEmbedder
from ingest.pipeline import IngestOptions, Ingestor
from ingest.store import ChunkStore
from tests.fixtures.disk import fill
from tests.fixtures.ingest import sample_text, write_files


def store_on(folder: Path, embedder: HashingEmbedder) -> ChunkStore:
    return ChunkStore(
        folder / "lancedb",
        model_id=embedder.model_id,
        dim=embedder.dim,
        lock_path=folder / "run" / "ingest.lock",
    )


def notes(root: Path, count: int) -> Path:
    files = {f"n{i}.md": f"# Note {i}\n\n" + sample_text(f"topic {i}", 40) for i in range(count)}
    return write_files(root, files)


def test_a_full_disk_stops_the_ingest_with_a_clear_error_and_keeps_the_index(
    tmp_path: Path, small_disk: Callable[[int], Path], fake_embedder: HashingEmbedder
) -> None:
    disk = small_disk(4096)
    ingestor = Ingestor(store_on(disk, fake_embedder), fake_embedder, IngestOptions())
    first = ingestor.run([notes(tmp_path / "first", 2)])
    assert len(first.added) == 2
    filler = fill(disk)
    with pytest.raises(StoreWriteError) as caught:
        ingestor.run([notes(tmp_path / "more", 40)])
    assert "the disk is full" in str(caught.value) and "intact" in str(caught.value)
    filler.unlink()
    reopened = store_on(disk, fake_embedder)
    assert sorted(d.path for d in reopened.documents())[:2] == sorted(first.added)
    assert reopened.vector_search(fake_embedder.embed_query("topic 1"), 3)
    resumed = Ingestor(reopened, fake_embedder, IngestOptions()).run([tmp_path / "more"])
    assert not resumed.failed and len(reopened.documents()) == 42


def test_enospc_from_lancedb_becomes_a_store_write_error(
    tmp_path: Path, open_store: Callable[..., ChunkStore], fake_embedder: HashingEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Runs everywhere (no mount needed): the error LanceDB raises, injected at its table."""
    store = open_store(fake_embedder)
    ingestor = Ingestor(store, fake_embedder, IngestOptions())
    ingestor.run([notes(tmp_path / "first", 1)])

    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError(
            "lance error: LanceError(IO): No space left on device (os error 28), "
            "lance-file/src/writer/structural.rs:191:9"
        )

    monkeypatch.setattr(type(store._chunks), "add", refuse)
    with pytest.raises(StoreWriteError, match="the disk is full"):
        ingestor.run([notes(tmp_path / "more", 1)])
    monkeypatch.undo()
    assert len(store.documents()) == 1
