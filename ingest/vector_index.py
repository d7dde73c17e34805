"""When the chunks table gets a vector index, which one, and how queries use it.

Small tables are searched exactly. Past `INDEX_FROM_ROWS` chunks, LanceDB's brute-force scan
gets slow (hundreds of milliseconds at 100k rows on two busy cores), so the table gets an
IVF_FLAT index: k-means partitions holding the full float32 vectors, so distances (and the
cosine scores margin shows) stay exact and only the partitions nearest the query are scanned.
Measured at 100k rows on two busy cores: IVF_FLAT built in 9 s; IVF_PQ and IVF_HNSW_SQ took
about nine minutes and, like IVF_SQ, return approximate distances unless refined.

The index is named after the row count it was trained on. `Table.optimize()` adds later rows
to the existing partitions; once the table has grown `REBUILD_GROWTH` times past the trained
size the partitions are retrained. `measure_recall` compares indexed with exact search.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    import numpy as np
    from lancedb.table import Table

VECTOR_COLUMN = "vector"
INDEX_PREFIX = "vector_ivf_"
INDEX_FROM_ROWS = 10_000  # exact search below this: the crossover in bench/search_latency.py
ROWS_PER_PARTITION = 2_048
REBUILD_GROWTH = 2.0
NPROBES = 12  # partitions scanned first; more only when a filter leaves too few rows
DISTANCE: Final = "cosine"

IndexAction = Literal["none", "created", "rebuilt", "kept"]


@dataclass(frozen=True, slots=True)
class VectorIndexState:
    """The vector index on a table, if any: its name and the row count it was trained on."""

    name: str
    trained_rows: int


def partitions_for(rows: int) -> int:
    return max(2, math.ceil(rows / ROWS_PER_PARTITION))


def vector_index(table: Table) -> VectorIndexState | None:
    for index in table.list_indices():
        if index.name.startswith(INDEX_PREFIX) and VECTOR_COLUMN in index.columns:
            suffix = index.name.removeprefix(INDEX_PREFIX)
            return VectorIndexState(index.name, int(suffix) if suffix.isdigit() else 0)
    return None


def ensure_vector_index(
    table: Table, rows: int | None = None, *, index_from_rows: int = INDEX_FROM_ROWS
) -> IndexAction:
    """Create the index past `index_from_rows` rows, or retrain it once the table has grown.

    Call after writes (the caller holds the write lock), before `Table.optimize()`, which
    folds rows added since into an index that is kept.
    """
    count = table.count_rows() if rows is None else rows
    current = vector_index(table)
    if current is None:
        if count < index_from_rows:
            return "none"
        build_vector_index(table, count)
        return "created"
    if count < current.trained_rows * REBUILD_GROWTH:
        return "kept"
    build_vector_index(table, count)
    table.drop_index(current.name)
    return "rebuilt"


def build_vector_index(table: Table, rows: int) -> str:
    """Train an IVF_FLAT index over the table now; returns its name."""
    from lancedb.index import IvfFlat

    name = f"{INDEX_PREFIX}{rows}"
    table.create_index(
        VECTOR_COLUMN,
        config=IvfFlat(distance_type=DISTANCE, num_partitions=partitions_for(rows)),
        replace=True,
        name=name,
    )
    return name


def tune_query(query: Any) -> Any:
    """Apply the query-time settings to a LanceDB vector query (a no-op without an index).

    At least `NPROBES` partitions are scanned, and more (no cap) when a filter leaves fewer
    than the requested rows in them, so filtered and id-restricted searches stay complete.
    """
    return query.minimum_nprobes(NPROBES).maximum_nprobes(0)


def sample_vectors(table: Table, n: int, *, seed: int = 0) -> np.ndarray:
    """`n` stored vectors chosen at random (repeatably), as a float32 matrix."""
    import numpy as np

    total = table.count_rows()
    if total == 0 or n <= 0:
        return np.zeros((0, 0), dtype=np.float32)
    offsets = np.random.default_rng(seed).choice(total, size=min(n, total), replace=False)
    column = table.take_offsets([int(o) for o in offsets]).to_arrow().column(VECTOR_COLUMN)
    return np.asarray(column.to_pylist(), dtype=np.float32)


def measure_recall(table: Table, queries: np.ndarray, *, k: int = 10) -> float:
    """Mean share of the exact top k that the indexed search (as tuned) also returns."""
    if len(queries) == 0:
        return 1.0
    found = 0
    for vector in queries:
        exact = _row_ids(_nearest(table, vector).bypass_vector_index(), k)
        indexed = _row_ids(tune_query(_nearest(table, vector)), k)
        found += len(exact & indexed)
    return found / (k * len(queries))


def _nearest(table: Table, vector: np.ndarray) -> Any:
    query: Any = table.search(vector, vector_column_name=VECTOR_COLUMN)
    return query.distance_type(DISTANCE)


def _row_ids(query: Any, k: int) -> set[int]:
    rows = query.with_row_id(True).select([]).limit(k).to_arrow()
    return set(rows.column("_rowid").to_pylist())
