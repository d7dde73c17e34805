"""The two LanceDB tables of the store, and conversions between their rows and ingest types.

`chunks` holds one row per chunk, tagged with the `doc_version` of the write that added it.
`documents` holds one row per committed document version; a document's chunks are visible
only while its current row names their `doc_version`. That row is what makes a document
appear or change in one step.

Store formats: 1 had no `build` column in `documents`; 2 records the extraction and chunking
settings each document was built with (`build`), and indexes headings for full-text search
too; 3 keeps each chunk's line map (`lines`: the file line of each of its text lines, when
they do not follow one another), so a quote's citation names the quote's own line. An older
store is upgraded in place by the first writer (`missing_document_columns`,
`missing_chunk_columns`): its documents get an empty build, its chunks no line map (null),
and the next ingest re-processes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ingest.types import Chunk, DocumentInfo, DocumentMeta, StoredChunk

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

CHUNKS = "chunks"
DOCUMENTS = "documents"
MODEL_KEY = b"margin.embedding_model"
STORE_FORMAT = 3
# Columns added to `documents` after format 1, with the SQL value existing rows get.
_ADDED_DOCUMENT_COLUMNS = {"build": "''"}
FULL_TEXT_COLUMNS = ("text", "heading")  # each with its own index, "<column>_idx"
# Columns with a B-tree index ("<column>_idx"), read by value: a chunk's neighbours by id, the
# chunks of a few documents by path (each read scanned the whole table: 10 ms at 6,670
# chunks for an ask's look at three documents' lines, 4 ms with the index).
LOOKUP_COLUMNS = ("id", "path")
# Every column of a chunk row but its vector: what reading chunks back needs.
CHUNK_TEXT_COLUMNS = (
    "id",
    "doc_version",
    "path",
    "collection",
    "local_only",
    "heading",
    "page",
    "line",
    "ordinal",
    "text",
    "lines",
)


def chunks_schema(dim: int, model_id: str) -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [
            pa.field("id", pa.string()),
            pa.field("doc_version", pa.string()),
            pa.field("path", pa.string()),
            pa.field("collection", pa.string()),
            pa.field("local_only", pa.bool_()),
            pa.field("heading", pa.string()),
            pa.field("page", pa.int32()),
            pa.field("line", pa.int32()),
            pa.field("ordinal", pa.int32()),
            pa.field("text", pa.string()),
            _lines_field(),
            pa.field("vector", pa.list_(pa.float32(), dim)),
        ],
        metadata={MODEL_KEY: model_id.encode()},
    )


def documents_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [
            pa.field("path", pa.string()),
            pa.field("doc_version", pa.string()),
            pa.field("seq", pa.int64()),
            pa.field("collection", pa.string()),
            pa.field("local_only", pa.bool_()),
            pa.field("chunks", pa.int32()),
            pa.field("size", pa.int64()),
            pa.field("mtime_ns", pa.int64()),
            pa.field("content_hash", pa.string()),
            pa.field("ingested_at", pa.string()),
            pa.field("root", pa.string()),
            pa.field("embedding_model", pa.string()),
            pa.field("build", pa.string()),
        ]
    )


def missing_document_columns(table_schema: pa.Schema) -> dict[str, str]:
    """What a `documents` table written by an older format lacks, as add_columns wants it."""
    return {
        name: value
        for name, value in _ADDED_DOCUMENT_COLUMNS.items()
        if name not in table_schema.names
    }


def missing_chunk_columns(table_schema: pa.Schema) -> list[pa.Field]:
    """The columns a `chunks` table written by an older format lacks (all null when added)."""
    return [] if "lines" in table_schema.names else [_lines_field()]


def _lines_field() -> pa.Field:
    import pyarrow as pa

    return pa.field("lines", pa.list_(pa.int32()))


def chunk_rows(
    meta: DocumentMeta,
    doc_version: str,
    chunks: Sequence[Chunk],
    vectors: np.ndarray,
    schema: pa.Schema,
) -> pa.Table:
    import pyarrow as pa

    dim = schema.field("vector").type.list_size
    flat = pa.array(vectors.astype("float32", copy=False).reshape(-1))
    n = len(chunks)
    columns: dict[str, Any] = {
        "id": [chunk_id(doc_version, c.ordinal) for c in chunks],
        "doc_version": [doc_version] * n,
        "path": [meta.path] * n,
        "collection": [meta.collection] * n,
        "local_only": [meta.local_only] * n,
        "heading": [c.heading for c in chunks],
        "page": [c.page for c in chunks],
        "line": [c.line for c in chunks],
        "ordinal": [c.ordinal for c in chunks],
        "text": [c.text for c in chunks],
        "lines": [list(c.lines) for c in chunks],
        "vector": pa.FixedSizeListArray.from_arrays(flat, dim),
    }
    return pa.table(columns, schema=schema)


def chunk_id(doc_version: str, ordinal: int) -> str:
    """A chunk's id: its document version and its position in the document."""
    return f"{doc_version}:{ordinal}"


def chunk_place(chunk: str) -> tuple[str, int] | None:
    """A chunk id's document version and position; None when `chunk` is no chunk id."""
    version, _, position = chunk.rpartition(":")
    if not version or not position.isdecimal():
        return None
    return version, int(position)


def moved_chunk_rows(rows: pa.Table, moved: dict[str, Any], schema: pa.Schema) -> pa.Table:
    """A document's chunk rows with the column values in `moved` (a new `doc_version`,
    collection, local-only flag) and ids made from the new version."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = rows.num_rows
    version = pa.array([moved["doc_version"]] * n)
    columns = {
        "id": pc.binary_join_element_wise(version, pc.cast(rows["ordinal"], pa.string()), ":")
    }
    columns.update({name: pa.array([value] * n) for name, value in moved.items()})
    for name, values in columns.items():
        rows = rows.set_column(rows.schema.get_field_index(name), name, values)
    return rows.select(schema.names).cast(schema)


def document_row(
    meta: DocumentMeta, doc_version: str, seq: int, chunks: int, ingested_at: str, model_id: str
) -> dict[str, Any]:
    return {
        "path": meta.path,
        "doc_version": doc_version,
        "seq": seq,
        "collection": meta.collection,
        "local_only": meta.local_only,
        "chunks": chunks,
        "size": meta.size,
        "mtime_ns": meta.mtime_ns,
        "content_hash": meta.content_hash,
        "ingested_at": ingested_at,
        "root": meta.root,
        "embedding_model": model_id,
        "build": meta.build,
    }


def document_info(row: dict[str, Any]) -> DocumentInfo:
    return DocumentInfo(
        path=row["path"],
        collection=row["collection"],
        local_only=bool(row["local_only"]),
        chunks=int(row["chunks"]),
        size=int(row["size"]),
        mtime_ns=int(row["mtime_ns"]),
        content_hash=row["content_hash"],
        ingested_at=row["ingested_at"],
        root=row["root"],
        build=row.get("build") or "",
    )


def stored_chunk(row: dict[str, Any], score: float) -> StoredChunk:
    return StoredChunk(
        id=row["id"],
        path=row["path"],
        collection=row["collection"],
        local_only=bool(row["local_only"]),
        heading=row["heading"] or "",
        page=row["page"],
        line=row["line"],
        ordinal=int(row["ordinal"]),
        text=row["text"],
        score=score,
        lines=None if row.get("lines") is None else tuple(row["lines"]),
    )


def sql_string(value: str) -> str:
    """A SQL string literal for a LanceDB filter."""
    return "'" + value.replace("'", "''") + "'"


def sql_in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(sql_string(v) for v in values)})"


def sql_contains(column: str, fragments: Sequence[str]) -> str:
    """A filter for rows whose `column` holds any of `fragments` (a superset: `_` and `%` in
    a fragment match any character, as LIKE reads them)."""
    return "(" + " OR ".join(f"{column} LIKE {sql_string(f'%{f}%')}" for f in fragments) + ")"


def where_clause(
    *,
    collection: str | None = None,
    local_only: bool | None = None,
    excluded: Sequence[str] = (),
) -> str | None:
    """The filter a search applies for a collection, the local-only flag (None = any) and
    the collections it leaves out."""
    parts = []
    if collection is not None:
        parts.append(f"collection = {sql_string(collection)}")
    if excluded:
        parts.append(f"NOT ({sql_in('collection', excluded)})")
    if local_only is not None:
        parts.append(f"local_only = {'true' if local_only else 'false'}")
    return " AND ".join(parts) or None
