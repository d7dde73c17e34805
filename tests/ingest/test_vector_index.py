"""The vector index policy on real LanceDB tables: when it builds, retrains, and what it finds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from ingest import vector_index as vi

DIM = 32


def _vectors(n: int, seed: int) -> np.ndarray:
    """Unit vectors around 40 fixed cluster centres (embeddings are clustered, not uniform)."""
    rng = np.random.default_rng(seed)
    centres = np.random.default_rng(0).standard_normal((40, DIM))
    points = centres[rng.integers(0, len(centres), n)] + 0.4 * rng.standard_normal((n, DIM))
    return (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)


def _rows(vectors: np.ndarray, start: int = 0) -> pa.Table:
    ids = pa.array([f"c{i}" for i in range(start, start + len(vectors))])
    column = pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1)), DIM)
    return pa.table({"id": ids, vi.VECTOR_COLUMN: column})


@pytest.fixture
def table(tmp_path: Path):
    import lancedb

    return lancedb.connect(str(tmp_path / "db")).create_table("chunks", _rows(_vectors(3000, 1)))


def test_small_tables_stay_exact(table) -> None:
    assert vi.ensure_vector_index(table) == "none"
    assert vi.vector_index(table) is None
    query = vi.tune_query(table.search(_vectors(1, 9)[0]).distance_type("cosine"))
    assert len(query.limit(10).to_arrow()) == 10


def test_index_is_built_past_the_threshold_and_keeps_recall(table) -> None:
    assert vi.ensure_vector_index(table, index_from_rows=1000) == "created"
    state = vi.vector_index(table)
    assert state is not None and state.trained_rows == 3000
    assert vi.measure_recall(table, vi.sample_vectors(table, 40, seed=3)) >= 0.95
    assert vi.measure_recall(table, _vectors(40, seed=4)) >= 0.95


def test_growth_keeps_then_retrains_the_index(table) -> None:
    vi.ensure_vector_index(table, index_from_rows=1000)
    table.add(_rows(_vectors(1000, 2), start=3000))
    assert vi.ensure_vector_index(table, index_from_rows=1000) == "kept"
    table.add(_rows(_vectors(2000, 5), start=4000))
    assert vi.ensure_vector_index(table, index_from_rows=1000) == "rebuilt"
    names = [index.name for index in table.list_indices()]
    assert names == [f"{vi.INDEX_PREFIX}6000"]
    assert vi.measure_recall(table, _vectors(40, seed=6)) >= 0.95


def test_filtered_search_on_an_index_finds_every_requested_row(table) -> None:
    """A narrow filter (the retriever's id lookups) must not lose rows in unprobed partitions."""
    vi.ensure_vector_index(table, index_from_rows=1000)
    vectors = _vectors(3000, 1)
    wanted = ["c5", "c700", "c1400", "c2100", "c2999"]
    query = vi.tune_query(table.search(vectors[5]).distance_type("cosine"))
    where = "id IN (" + ", ".join(f"'{w}'" for w in wanted) + ")"
    rows = query.where(where, prefilter=True).limit(len(wanted)).to_arrow().to_pylist()
    assert sorted(r["id"] for r in rows) == sorted(wanted)
    for row in rows:
        exact = float(vectors[int(row["id"][1:])] @ vectors[5])
        assert 1.0 - row["_distance"] == pytest.approx(exact, abs=1e-4)


def test_partitions_grow_with_the_table() -> None:
    assert vi.partitions_for(10) == 2
    assert vi.partitions_for(100_000) == -(-100_000 // vi.ROWS_PER_PARTITION)


def test_the_store_indexes_a_large_table_and_still_finds_the_exact_neighbours(
    open_store, fake_embedder
) -> None:
    """Through ChunkStore: refresh_indexes builds the index; vector_search keeps exact scores."""
    from ingest.store import DocumentWrite
    from ingest.types import Chunk, DocumentMeta

    store = open_store(fake_embedder)
    rows = vi.INDEX_FROM_ROWS + 500
    vectors = np.random.default_rng(8).standard_normal((rows, fake_embedder.dim))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    writes = [
        DocumentWrite(
            DocumentMeta(f"/docs/{start}.md", "default", False, 1, 1, "h", "/docs"),
            [Chunk(f"chunk {start + i}", i) for i in range(100)],
            vectors[start : start + 100],
        )
        for start in range(0, rows, 100)
    ]
    store.replace_documents(writes)
    store.refresh_indexes()
    import lancedb

    table = lancedb.connect(str(store.location.path)).open_table("chunks")
    assert vi.vector_index(table) is not None
    for row in (3, rows // 2, rows - 1):
        found = store.vector_search(vectors[row], 10)
        exact = np.argsort(-(vectors @ vectors[row]))[:10]
        assert [c.text for c in found][:5] == [f"chunk {i}" for i in exact[:5]]
        assert found[0].score == pytest.approx(1.0, abs=1e-5)
