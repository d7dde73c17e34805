"""A document's collection and local-only flag change only by an explicit act, on real LanceDB.

Issue 10, item 1: re-ingesting a local-only folder without `--local-only`, or ingesting its
parent, moved its documents to `default` and made them public; a file moved from a public
folder into a local-only one stayed indexed (and was sent) under its old path.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.fakes import HashingEmbedder
from ingest.pipeline import IngestOptions, Ingestor
from ingest.store import ChunkStore
from ingest.types import DocumentInfo
from tests.fixtures.ingest import write_files

OpenStore = Callable[..., ChunkStore]


def tree(root: Path) -> Path:
    return write_files(
        root,
        {
            "home/public/otters.md": "# Otters\n\nSea otters hold hands while they sleep.",
            "home/private/vault.md": "# Vault\n\nThe gannet vault code is bluefin-4471.",
            "home/private/deeper/diary.md": "# Diary\n\nMet the notary about the will.",
        },
    )


def placements(store: ChunkStore) -> dict[str, tuple[str, bool]]:
    return {Path(d.path).name: (d.collection, d.local_only) for d in store.documents()}


def searched_flags(store: ChunkStore, embedder: HashingEmbedder) -> dict[str, bool]:
    """The local-only flag each chunk carries, as the ask pipeline reads it."""
    found = store.vector_search(embedder.embed_query("anything"), 50)
    return {Path(chunk.path).name: chunk.local_only for chunk in found}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tree(tmp_path) / "home"


@pytest.fixture
def ingestor(open_store: OpenStore, fake_embedder: HashingEmbedder) -> Ingestor:
    return Ingestor(open_store(fake_embedder), fake_embedder, IngestOptions())


def ingest_private(ingestor: Ingestor, home: Path) -> None:
    """The private folder, ingested the explicit way: collection "secret", local-only."""
    ingestor.run([home / "private"], collection="secret", local_only=True)


def test_ingesting_again_without_local_only_keeps_documents_private_and_says_so(
    home: Path, ingestor: Ingestor, fake_embedder: HashingEmbedder
) -> None:
    ingest_private(ingestor, home)
    again = ingestor.run([home / "private"])
    assert sorted(Path(k.path).name for k in again.kept) == ["diary.md", "vault.md"]
    assert all(k.local_only and k.collection == "secret" for k in again.kept)
    assert "local-only" in again.kept[0].reason
    assert again.moved == again.removed == again.added == []
    assert placements(ingestor.store)["vault.md"] == ("secret", True)
    assert searched_flags(ingestor.store, fake_embedder)["vault.md"] is True


def test_a_parent_folder_keeps_private_documents_and_new_files_there_stay_private(
    home: Path, ingestor: Ingestor, fake_embedder: HashingEmbedder
) -> None:
    ingest_private(ingestor, home)
    (home / "private" / "new.md").write_text("# New\n\nThe safe is behind the painting.")
    report = ingestor.run([home])
    assert [Path(p).name for p in report.added] == ["new.md", "otters.md"]
    kept = {Path(k.path).name: k for k in report.kept}
    assert set(kept) == {"diary.md", "new.md", "vault.md"}
    assert "inside" in kept["new.md"].reason and str(home / "private") in kept["new.md"].reason
    assert placements(ingestor.store) == {
        "diary.md": ("secret", True),
        "new.md": ("secret", True),
        "otters.md": ("default", False),
        "vault.md": ("secret", True),
    }
    flags = searched_flags(ingestor.store, fake_embedder)
    assert flags == {"diary.md": True, "new.md": True, "otters.md": False, "vault.md": True}


def test_a_changed_private_file_stays_private_when_reached_through_its_parent(
    home: Path, ingestor: Ingestor, fake_embedder: HashingEmbedder
) -> None:
    ingest_private(ingestor, home)
    (home / "private" / "vault.md").write_text("# Vault\n\nThe code changed to osprey-9902.")
    report = ingestor.run([home], collection="default")
    assert [Path(p).name for p in report.updated] == ["vault.md"]
    assert placements(ingestor.store)["vault.md"] == ("secret", True)
    later = ingestor.run([home])  # the folder is still a local-only place afterwards
    assert {Path(k.path).name for k in later.kept} == {"diary.md", "vault.md"}


def test_local_only_given_again_is_the_explicit_way_to_make_documents_private(
    home: Path, ingestor: Ingestor, fake_embedder: HashingEmbedder
) -> None:
    ingestor.run([home])
    fake_embedder.calls.clear()
    report = ingestor.run([home / "private"], collection="secret", local_only=True)
    assert sorted(Path(p).name for p in report.moved) == ["diary.md", "vault.md"]
    assert report.kept == [] and fake_embedder.calls == []  # no re-embedding
    assert placements(ingestor.store)["vault.md"] == ("secret", True)
    assert searched_flags(ingestor.store, fake_embedder)["vault.md"] is True
    same = ingestor.run([home / "private"], collection="secret", local_only=True)
    assert same.moved == same.kept == [] and len(same.unchanged) == 2
    (home / "private" / "later.md").write_text("# Later\n\nAnother private note.")
    parent = ingestor.run([home])
    assert placements(ingestor.store)["later.md"] == ("secret", True)
    assert placements(ingestor.store)["otters.md"] == ("default", False)
    assert [Path(k.path).name for k in parent.kept if "inside" in k.reason] == ["later.md"]


def test_an_ingest_does_not_move_public_documents_between_collections(
    home: Path, ingestor: Ingestor, fake_embedder: HashingEmbedder
) -> None:
    ingestor.run([home / "public"], collection="work")
    report = ingestor.run([home / "public"], collection="play")
    assert [(Path(k.path).name, k.collection) for k in report.kept] == [("otters.md", "work")]
    assert placements(ingestor.store)["otters.md"] == ("work", False)
    (home / "public" / "seals.md").write_text("# Seals\n\nSeals sleep in the water.")
    unnamed = ingestor.run([home / "public"])
    assert unnamed.kept == [] and placements(ingestor.store)["seals.md"] == ("work", False)


def test_move_is_the_explicit_act_and_new_files_follow_it(
    home: Path, ingestor: Ingestor, fake_embedder: HashingEmbedder
) -> None:
    ingest_private(ingestor, home)
    ingestor.run([home / "public"])
    chunks_before = ingestor.store.chunk_count()
    moved = ingestor.move([home / "private"], collection="shared", local_only=False)
    assert sorted(Path(p).name for p in moved) == ["diary.md", "vault.md"]
    assert placements(ingestor.store)["diary.md"] == ("shared", False)
    assert searched_flags(ingestor.store, fake_embedder)["diary.md"] is False
    assert ingestor.store.chunk_count() == chunks_before
    (home / "private" / "new.md").write_text("# New\n\nNow a shared folder.")
    report = ingestor.run([home])
    assert report.kept == [] and placements(ingestor.store)["new.md"] == ("shared", False)
    back = ingestor.move([home / "private" / "deeper"], collection=None, local_only=True)
    assert [Path(p).name for p in back] == ["diary.md"]
    assert placements(ingestor.store)["diary.md"] == ("shared", True)
    assert ingestor.move([home / "private" / "deeper"], collection=None, local_only=True) == []


def test_a_file_moved_into_a_local_only_folder_leaves_its_old_path(
    home: Path, ingestor: Ingestor, fake_embedder: HashingEmbedder
) -> None:
    ingestor.run([home / "public"])
    ingest_private(ingestor, home)
    shutil.move(home / "public" / "otters.md", home / "private" / "otters.md")
    report = ingestor.run([home / "private"], collection="secret", local_only=True)
    assert report.removed == [str((home / "public" / "otters.md").resolve())]
    assert placements(ingestor.store)["otters.md"] == ("secret", True)
    assert [d.path for d in ingestor.store.documents() if "public" in d.path] == []


def test_a_whole_moved_folder_is_found_by_its_content(
    home: Path, ingestor: Ingestor, fake_embedder: HashingEmbedder
) -> None:
    ingestor.run([home / "public"])
    ingest_private(ingestor, home)
    shutil.move(home / "public", home / "private" / "was-public")
    report = ingestor.run([home / "private"])
    assert report.removed == [str((home / "public" / "otters.md").resolve())]
    assert placements(ingestor.store)["otters.md"] == ("secret", True)


def test_a_document_whose_root_is_gone_stays_until_its_folder_comes_back(
    tmp_path: Path, home: Path, ingestor: Ingestor
) -> None:
    """An unplugged drive must not empty the index; a deleted file in a present folder goes."""
    drive = write_files(tmp_path / "usb", {"notes/kiln.md": "# Kiln\n\nStoneware at 1240."})
    ingestor.run([drive / "notes"])
    ingestor.run([home / "public"])
    shutil.move(drive, tmp_path / "unplugged")
    (home / "public" / "otters.md").unlink()
    report = ingestor.run([home / "private"])
    assert [Path(p).name for p in report.removed] == ["otters.md"]
    assert "kiln.md" in placements(ingestor.store)


def test_reindex_restores_every_document_where_it_was(
    home: Path, ingestor: Ingestor, fake_embedder: HashingEmbedder, open_store: OpenStore
) -> None:
    ingest_private(ingestor, home)
    ingestor.run([home])
    before: list[DocumentInfo] = ingestor.store.documents()
    other = HashingEmbedder(dim=fake_embedder.dim, model_id="other/model", max_tokens=256)
    store = open_store(other, check_model=False)
    report = Ingestor(store, other, IngestOptions()).reindex()
    assert not report.failed and report.kept == []
    after = store.documents()
    assert [(d.path, d.collection, d.local_only, d.root) for d in after] == [
        (d.path, d.collection, d.local_only, d.root) for d in before
    ]


def test_a_hidden_file_ingested_by_name_stays_when_its_folder_is_ingested(
    home: Path, ingestor: Ingestor
) -> None:
    hidden = write_files(home / "public", {".drafts/idea.md": "# Idea\n\nA kiln for the shed."})
    note = hidden / ".drafts" / "idea.md"
    ingestor.run([note])
    report = ingestor.run([home / "public"])  # the walk skips hidden folders
    assert report.removed == []
    assert "idea.md" in placements(ingestor.store)
    note.unlink()
    assert ingestor.run([home / "public"]).removed == [str(note.resolve())]
