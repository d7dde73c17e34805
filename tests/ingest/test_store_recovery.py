"""Rollback of a damaged newest version on real LanceDB tables, and nothing else rolls back.

The damage is made for real: the newest manifest of a real table emptied, cut short,
overwritten or zeroed, as a power cut can leave it. Failures that are not damage (too many
open files, a permission problem, an I/O error, an intact manifest) must leave every file as
it was.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.errors import StoreError
from ingest.fakes import HashingEmbedder
from ingest.store import ChunkStore
from ingest.store_recovery import manifest_damage, open_with_rollback
from ingest.types import Chunk, DocumentMeta

OpenStore = Callable[..., ChunkStore]
ROOT = Path(__file__).resolve().parents[2]


def _put(store: ChunkStore, model: HashingEmbedder, path: str, texts: list[str]) -> None:
    meta = DocumentMeta(path, "default", False, 10, 1, "h", "/docs")
    chunks = [Chunk(text, ordinal) for ordinal, text in enumerate(texts)]
    store.replace_document(meta, chunks, model.embed_documents(texts))


def _two_documents(store: ChunkStore, model: HashingEmbedder) -> None:
    _put(store, model, "/docs/a.md", ["kept text"])
    _put(store, model, "/docs/b.md", ["last write", "lost to the power cut"])


def _manifests(store_dir: Path) -> dict[str, bytes]:
    """Every version file of both tables, by path, with its bytes."""
    return {
        str(path.relative_to(store_dir)): path.read_bytes()
        for path in sorted(store_dir.glob("*.lance/_versions/*"))
    }


def _newest(table_dir: Path) -> Path:
    return min((table_dir / "_versions").glob("*.manifest"), key=lambda p: int(p.stem))


def _cut(data: bytes) -> bytes:
    return data[: len(data) // 2]


DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda data: b"",
    "cut in half": _cut,
    "last bytes lost": lambda data: data[:-10],
    "random bytes": lambda data: os.urandom(len(data)),
    "a few stray bytes": lambda data: b"hello",
    "all zeros": lambda data: bytes(len(data)),
    "zeroed at the end": lambda data: data[:400] + bytes(len(data) - 400),
    "zeroed at the start": lambda data: bytes(400) + data[400:],
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_newest_version_rolls_back_to_the_last_whole_one(
    damage: str, open_store: OpenStore, fake_embedder: HashingEmbedder, tmp_path: Path
) -> None:
    _two_documents(open_store(fake_embedder), fake_embedder)
    newest = _newest(tmp_path / "store" / "chunks.lance")
    newest.write_bytes(DAMAGE[damage](newest.read_bytes()))
    reopened = open_store(fake_embedder)
    assert reopened.rolled_back_versions >= 1
    assert newest.with_suffix(".unreadable").exists()  # kept for inspection
    documents = {d.path: d.chunks for d in reopened.documents()}
    assert documents["/docs/a.md"] == 1
    # b.md's chunks were in the lost version: it is forgotten, so the next ingest redoes it
    hits = reopened.vector_search(fake_embedder.embed_query("text"), 5)
    assert {h.path for h in hits} == set(documents)
    assert reopened.chunk_count() == sum(documents.values())


def test_whole_manifests_are_never_taken_for_damage(
    open_store: OpenStore, fake_embedder: HashingEmbedder, tmp_path: Path
) -> None:
    store = open_store(fake_embedder)
    _two_documents(store, fake_embedder)
    store.refresh_indexes()
    manifests = list((tmp_path / "store").glob("*.lance/_versions/*.manifest"))
    assert len(manifests) > 6
    assert [manifest_damage(m) for m in manifests] == [None] * len(manifests)


def test_too_many_open_files_is_an_error_that_rolls_nothing_back(
    open_store: OpenStore, fake_embedder: HashingEmbedder, tmp_path: Path
) -> None:
    _two_documents(open_store(fake_embedder), fake_embedder)
    before = _manifests(tmp_path / "store")
    # A fresh process opens the store with no file descriptor left (RLIMIT_NOFILE reached).
    script = textwrap.dedent(
        """
        import os, resource, sys
        from pathlib import Path
        import filelock  # imported before the descriptors run out, like everything it needs
        from ingest.errors import StoreError
        from ingest.lancedb_import import import_lancedb
        from ingest.store import ChunkStore

        folder = Path(sys.argv[1])
        import_lancedb().connect(str(folder)).table_names()  # Lance's runtime starts first
        open_now = len(os.listdir("/proc/self/fd"))
        resource.setrlimit(resource.RLIMIT_NOFILE, (open_now + 16, open_now + 16))
        held = []
        try:
            while True:
                held.append(os.open("/dev/null", os.O_RDONLY))
        except OSError:
            pass
        try:
            ChunkStore(folder, model_id="fake/hashing-64", dim=64, lock_path=folder / "lock")
        except StoreError as exc:
            print("StoreError:", exc)
        else:
            print("opened")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "store")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert done.stdout.startswith("StoreError: The index table"), done.stdout + done.stderr
    assert "Too many open files" in done.stdout and "Nothing was changed" in done.stdout
    assert ".rs:" not in done.stdout  # no Rust source locations in a message for people
    assert _manifests(tmp_path / "store") == before
    reopened = open_store(fake_embedder)
    assert reopened.rolled_back_versions == 0
    assert [d.path for d in reopened.documents()] == ["/docs/a.md", "/docs/b.md"]


@pytest.mark.parametrize(
    "failure",
    [
        PermissionError(13, "Permission denied"),
        OSError(5, "Input/output error"),
        RuntimeError(
            "lance error: LanceError(IO): Generic LocalFileSystem error: Unable to walk "
            "dir: Input/output error (os error 5), /root/.cargo/x/object_store.rs:1:2"
        ),
        # Lance's words for an undecodable manifest, while the file on disk reads back whole
        RuntimeError("lance error: LanceError(IO): file size is too small, /root/x/utils.rs:1:2"),
    ],
    ids=["permission", "io-error", "lance-io-error", "whole-file"],
)
def test_failures_that_are_not_damage_leave_every_file_alone(
    failure: Exception, open_store: OpenStore, fake_embedder: HashingEmbedder, tmp_path: Path
) -> None:
    _two_documents(open_store(fake_embedder), fake_embedder)
    store_dir = tmp_path / "store"
    before = _manifests(store_dir)

    def failing_open() -> object:
        raise failure

    with pytest.raises(StoreError, match=r"cannot be opened.*Nothing was changed") as caught:
        open_with_rollback(store_dir / "chunks.lance", failing_open)  # type: ignore[arg-type]
    assert ".rs:" not in str(caught.value)
    assert _manifests(store_dir) == before


def test_damage_with_no_older_version_says_how_to_start_again(
    open_store: OpenStore, fake_embedder: HashingEmbedder, tmp_path: Path
) -> None:
    open_store(fake_embedder)  # both tables at version 1: nothing older to go back to
    newest = _newest(tmp_path / "store" / "documents.lance")
    newest.write_bytes(b"")
    with pytest.raises(StoreError, match=r"documents\.lance is damaged .* is empty.*Move"):
        open_store(fake_embedder)
    assert newest.exists()
