"""The read side of `ChunkStore` (`ingest.store`): searches and reads of current chunks, and
the documents of a store read as they are (`read_documents`).

A reader sees each document whole, old or new, even while a writer replaces it: a search runs
against a view of the committed versions and must read the chunk table at the version that
view was taken with (`_consistent`). If a writer moved the chunk table in between (step 3 of
its write order, `ingest.store`, may have deleted rows the view still points at), the reader
takes a fresh view and searches again; one that keeps losing the race reads both tables
opened at versions that were current together (`_pinned`), never waiting for the writer (an
ingest holds its lock for minutes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ingest import store_schema as schema
from ingest.lancedb_import import import_lancedb
from ingest.types import DocumentInfo, StoredChunk
from ingest.vector_index import tune_query

if TYPE_CHECKING:
    import numpy as np
    from lancedb.table import Table

OPTIMISTIC_READS = 8  # searches against the moving table before a reader pins versions
View = tuple[dict[str, str], int]  # (committed doc_version per path, chunk rows not visible)
Row = TypeVar("Row")  # what a read of the chunk table returns a list of


class StoreReader:
    """Every read of the index, each seeing documents whole. `ChunkStore` opens (and, on a
    reset, replaces) the tables and adds writing."""

    _db: Any
    _chunks: Table
    _documents: Table
    _view: tuple[tuple[int, int], View] | None

    def stored_model_id(self) -> str:
        metadata = self._chunks.schema.metadata or {}
        return metadata.get(schema.MODEL_KEY, b"").decode()

    def documents(self) -> list[DocumentInfo]:
        return _documents_of(self._documents)

    def is_empty(self) -> bool:
        """No document is stored (counts rows, reads none)."""
        return self._documents.count_rows() == 0

    def chunk_count(self) -> int:
        return sum(int(r["chunks"]) for r in self._committed_rows().values())

    def vector_search(
        self, vector: np.ndarray, k: int, where: str | None = None
    ) -> list[StoredChunk]:
        """The k chunks nearest to `vector`; score = cosine similarity."""

        def search(chunks: Table, view: View) -> list[StoredChunk]:
            committed, stale = view
            query: Any = chunks.search(vector, vector_column_name="vector")
            query = tune_query(query.distance_type("cosine"))
            if where:
                query = query.where(where, prefilter=True)
            rows = query.limit(k + stale).to_arrow().to_pylist()
            return [
                schema.stored_chunk(r, 1.0 - float(r["_distance"]))
                for r in rows
                if _ok(r, committed)
            ][:k]

        return self._consistent(search)

    def text_search(self, query: str, k: int, where: str | None = None) -> list[StoredChunk]:
        """The k best full-text (BM25) matches for `query` in text and heading; score = BM25."""
        from lancedb.query import FullTextOperator, MultiMatchQuery

        indexed = {i.name for i in self._chunks.list_indices()}
        columns = [c for c in schema.FULL_TEXT_COLUMNS if f"{c}_idx" in indexed]
        if not query.strip() or "text" not in columns:
            return []

        def search(chunks: Table, view: View) -> list[StoredChunk]:
            committed, stale = view
            matches = chunks.search(
                MultiMatchQuery(query, columns, boosts=None, operator=FullTextOperator.OR),
                query_type="fts",
            )
            if where:
                matches = matches.where(where, prefilter=True)
            rows = matches.limit(k + stale).to_arrow().to_pylist()
            return [schema.stored_chunk(r, float(r["_score"])) for r in rows if _ok(r, committed)][
                :k
            ]

        return self._consistent(search)

    def heading_search(
        self, fragments: Sequence[str], k: int, where: str | None = None
    ) -> list[StoredChunk]:
        """Up to k chunks whose heading holds any of `fragments` (and perhaps a few that
        match them with `_` read as any character, as SQL LIKE does); score 0."""
        return self._containing("heading", fragments, k, where)

    def text_containing(
        self, fragments: Sequence[str], k: int, where: str | None = None
    ) -> list[StoredChunk]:
        """Up to k chunks whose text holds any of `fragments`, as `heading_search` reads them;
        score 0. It reads every row `where` leaves: narrow it to a few documents."""
        return self._containing("text", fragments, k, where)

    def _containing(
        self, column: str, fragments: Sequence[str], k: int, where: str | None
    ) -> list[StoredChunk]:
        if not fragments:
            return []
        condition = schema.sql_contains(column, fragments)
        if where:
            condition = f"{condition} AND ({where})"
        columns = self._text_columns()

        def fetch(chunks: Table, view: View) -> list[StoredChunk]:
            committed, stale = view
            query = chunks.search().where(condition).select(columns).limit(k + stale)
            rows = query.to_arrow().to_pylist()
            return [schema.stored_chunk(r, 0.0) for r in rows if _ok(r, committed)][:k]

        return self._consistent(fetch)

    def version(self) -> tuple[int, int]:
        """Changes with every committed write: equal versions mean the same documents."""
        return (self._documents.version, self._chunks.version)

    def document_chunks(self, paths: Sequence[str]) -> list[StoredChunk]:
        """Every current chunk of these documents, in no particular order."""
        rows = self._current_rows(paths, self._text_columns())
        return [schema.stored_chunk(r, 0.0) for r in rows]

    def _text_columns(self) -> list[str]:
        """Every column of a chunk row but its vector, as this store has them: one not yet
        upgraded has no line maps."""
        present = self._chunks.schema.names
        return [c for c in schema.CHUNK_TEXT_COLUMNS if c in present]

    def chunk_vectors(self, paths: Sequence[str]) -> dict[tuple[str, str, str], np.ndarray]:
        """The stored vector of every current chunk of these documents, by (path, heading,
        text): what a document re-read into the same chunks can keep."""
        import numpy as np

        rows = self._current_rows(paths, ["path", "doc_version", "heading", "text", "vector"])
        return {
            (r["path"], r["heading"] or "", r["text"]): np.asarray(r["vector"], np.float32)
            for r in rows
        }

    def _current_rows(self, paths: Sequence[str], columns: list[str]) -> list[dict[str, Any]]:
        """These columns of every current chunk row of these documents."""
        if not paths:
            return []

        def fetch(chunks: Table, view: View) -> list[dict[str, Any]]:
            committed, _stale = view
            query = chunks.search().where(schema.sql_in("path", list(paths)))
            rows = query.select(columns).limit(None).to_arrow().to_pylist()
            return [r for r in rows if _ok(r, committed)]

        return self._consistent(fetch)

    def get_chunks(self, ids: Sequence[str]) -> list[StoredChunk]:
        if not ids:
            return []

        def fetch(chunks: Table, view: View) -> list[StoredChunk]:
            committed, _stale = view
            rows = chunks.search().where(schema.sql_in("id", list(ids))).limit(len(ids) * 2)
            by_id = {
                r["id"]: schema.stored_chunk(r, 0.0)
                for r in rows.to_arrow().to_pylist()
                if _ok(r, committed)
            }
            return [by_id[i] for i in ids if i in by_id]

        return self._consistent(fetch)

    def passage(self, chunk_id: str, *, around: int) -> list[StoredChunk]:
        """The chunk `chunk_id` and up to `around` chunks before and after it in the same
        document version, in reading order; empty if `chunk_id` is not a current chunk."""
        found = sorted(self.get_chunks(_around([chunk_id], around)), key=lambda c: c.ordinal)
        return found if any(c.id == chunk_id for c in found) else []

    def neighbours(self, chunk_ids: Sequence[str], *, around: int) -> list[StoredChunk]:
        """The current chunks up to `around` places before and after `chunk_ids` in their
        document versions, not those chunks themselves: one read for all of them."""
        wanted = set(chunk_ids)
        return [c for c in self.get_chunks(_around(chunk_ids, around)) if c.id not in wanted]

    def _committed_rows(self) -> dict[str, dict[str, Any]]:
        return _committed_rows(self._documents)

    def _consistent(self, read: Callable[[Table, View], list[Row]]) -> list[Row]:
        """`read(chunks, view)`, done while the chunk table stayed at the version the view was
        taken with, so every committed version in the view still has all its rows.

        Versions only grow: the chunk table's version unchanged from before the view to after
        the read means the read saw exactly that version. Otherwise a writer committed or
        deleted in between, and the read is done again on a fresh view; after
        OPTIMISTIC_READS such losses, on tables pinned at versions that go together.
        """
        for _ in range(OPTIMISTIC_READS):
            chunks_version, view = self._read_view()
            found = read(self._chunks, view)
            if self._chunks.version == chunks_version:
                return found
        return read(*self._pinned())

    def _read_view(self) -> tuple[int, View]:
        """The chunk table's version, then the current version per path and how many chunk
        rows are not visible (to over-fetch).

        Kept until either table gets a new version, so a search does not read every document
        row again (39 ms at 5,000 documents); versions only grow, so a view computed from data
        newer than its key is at worst computed once more.
        """
        key = (self._documents.version, self._chunks.version)
        cached = self._view
        if cached is not None and cached[0] == key:
            return key[1], cached[1]
        view = _view_of(self._documents, self._chunks)
        self._view = (key, view)
        return key[1], view

    def _pinned(self) -> tuple[Table, View]:
        """The chunk table and a view, from both tables opened at versions that were current at
        the same moment, which later writes cannot change (old versions stay readable for a
        week: `optimize` keeps them).

        Every chunk table version made while the document table is at one version holds all
        the rows of the versions it commits: a writer adds rows before it commits them and
        deletes them only after committing what replaces them. The document table moves once
        per batch, so it is seen still quickly.
        """
        while True:
            documents_version = self._documents.version
            chunks_version = self._chunks.version
            if self._documents.version == documents_version:
                break
        documents = self._db.open_table(schema.DOCUMENTS, version=documents_version)
        chunks = self._db.open_table(schema.CHUNKS, version=chunks_version)
        return chunks, _view_of(documents, chunks)


def read_documents(folder: Path) -> list[DocumentInfo]:
    """The documents of the store in `folder`, sorted by path, read as they are: no writer lock,
    no embedding model, no upgrade or repair (for a quick listing; `ChunkStore` does those,
    and a store that needs them fails here). Empty when nothing was ever stored."""
    if not (folder / f"{schema.DOCUMENTS}.lance").is_dir():
        return []
    lancedb = import_lancedb()
    return _documents_of(lancedb.connect(str(folder)).open_table(schema.DOCUMENTS))


def _documents_of(documents: Table) -> list[DocumentInfo]:
    rows = _committed_rows(documents).values()
    return sorted((schema.document_info(r) for r in rows), key=lambda d: d.path)


def document_rows(documents: Table) -> list[dict[str, Any]]:
    """Every row of the documents table, current or superseded."""
    return documents.search().limit(None).to_arrow().to_pylist()


def _committed_rows(documents: Table) -> dict[str, dict[str, Any]]:
    """The current row of each document: the newest when a write left two."""
    current: dict[str, dict[str, Any]] = {}
    for row in document_rows(documents):
        held = current.get(row["path"])
        if held is None or row["seq"] > held["seq"]:
            current[row["path"]] = row
    return current


def _view_of(documents: Table, chunks: Table) -> View:
    rows = _committed_rows(documents)
    visible = sum(int(r["chunks"]) for r in rows.values())
    stale = max(0, chunks.count_rows() - visible)
    return {p: r["doc_version"] for p, r in rows.items()}, stale


def _ok(row: dict[str, Any], committed: dict[str, str]) -> bool:
    return committed.get(row["path"]) == row["doc_version"]


def _around(chunk_ids: Sequence[str], around: int) -> list[str]:
    """The ids of `chunk_ids` and of up to `around` chunks before and after each, in order."""
    ids: dict[str, None] = {}
    for chunk_id in chunk_ids:
        place = schema.chunk_place(chunk_id)
        if place is None:
            continue
        version, ordinal = place
        for o in range(max(0, ordinal - around), ordinal + around + 1):
            ids[schema.chunk_id(version, o)] = None
    return list(ids)
