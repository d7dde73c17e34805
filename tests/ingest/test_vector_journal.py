"""The vector journal: found by model and text, bounded, and harmless when broken."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ingest.vector_journal import VectorJournal


def _vectors(count: int, dim: int = 4) -> np.ndarray:
    return np.arange(count * dim, dtype=np.float32).reshape(count, dim)


def test_vectors_come_back_by_model_and_text(tmp_path: Path) -> None:
    journal = VectorJournal(tmp_path / "cache" / "journal.sqlite")
    assert journal.vectors("m", 4, ["a"]) == {} and len(journal) == 0
    assert journal.put("m", ["a", "b"], _vectors(2))
    found = journal.vectors("m", 4, ["b", "x", "a", "b"])
    assert sorted(found) == [0, 2, 3]
    assert np.array_equal(found[2], _vectors(2)[0]) and np.array_equal(found[0], _vectors(2)[1])
    assert journal.vectors("other", 4, ["a"]) == {} and journal.vectors("m", 8, ["a"]) == {}
    assert (tmp_path / "cache" / "journal.sqlite").stat().st_mode & 0o777 == 0o600
    journal.forget("m", ["a"])
    assert sorted(journal.vectors("m", 4, ["a", "b"])) == [1]
    assert journal.put("new-model", ["c"], _vectors(1))  # another model's vectors are dropped
    assert len(journal) == 1


def test_the_file_shrinks_when_its_vectors_are_forgotten(tmp_path: Path) -> None:
    journal = VectorJournal(tmp_path / "journal.sqlite")
    texts = [f"chunk {n}" for n in range(2_000)]
    journal.put("m", texts, _vectors(2_000, dim=384))
    full = journal.path.stat().st_size
    journal.forget("m", texts)
    assert len(journal) == 0 and journal.path.stat().st_size < full / 20


def test_the_oldest_vectors_go_first_past_the_limit(tmp_path: Path) -> None:
    journal = VectorJournal(tmp_path / "journal.sqlite", max_vectors=3)
    journal.put("m", ["a", "b"], _vectors(2))
    journal.put("m", ["c", "d"], _vectors(2))
    assert len(journal) == 3 and sorted(journal.vectors("m", 4, ["a", "b", "c", "d"])) == [1, 2, 3]


def test_a_damaged_journal_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    path.write_bytes(b"not a database, " * 100)
    journal = VectorJournal(path)
    assert journal.vectors("m", 4, ["a"]) == {}
    assert journal.put("m", ["a"], _vectors(1)) is False
    assert len(journal) == 0
