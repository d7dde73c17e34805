"""ChunkStore: chunks, vectors and a full-text index in LanceDB, with one writer at a time.

Writes follow one order so that a reader, or a run killed at any moment, never sees half a
document: (1) add the new chunk rows under a fresh `doc_version`, (2) commit the documents
rows that point at those versions (the one step that makes them visible), (3) delete the
superseded chunk rows and document rows. Readers only return chunks whose `doc_version` is
the current one of their document, so rows left by an interrupted write stay invisible until
the next writer removes them.

Reads, and how each sees a document whole while a writer replaces it: `ingest.store_reader`.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest import store_schema as schema
from ingest.errors import ModelMismatchError, StoreError, StoreWriteError
from ingest.lancedb_import import import_lancedb
from ingest.lease import FolderLock, ObjectLease, WriterLock
from ingest.store_files import FolderFiles, ObjectFiles, SideFiles
from ingest.store_location import StoreLocation, probe, short_reason
from ingest.store_reader import StoreReader, document_rows
from ingest.store_recovery import open_with_rollback
from ingest.types import Chunk, DocumentInfo, DocumentMeta
from ingest.vector_index import ensure_vector_index

if TYPE_CHECKING:
    import numpy as np
    from lancedb.table import Table

DEFAULT_LOCK_TIMEOUT_S = 3.0
# How stale a reader of an index in object storage may be: each table operation would otherwise
# list the table's versions first (6 of the 9 requests of a warm vector search); a writer
# checks out the latest versions when it takes the lease.
REMOTE_READ_CONSISTENCY = timedelta(seconds=2)
REINDEX_PLAN = "reindex-plan.json"
ReindexPlan = tuple[str, list[DocumentInfo]]  # (started at, ISO 8601 UTC; the documents)


@dataclass(frozen=True, slots=True)
class DocumentWrite:
    """One document's new content for `ChunkStore.replace_documents`."""

    meta: DocumentMeta
    chunks: Sequence[Chunk]
    vectors: np.ndarray


class ChunkStore(StoreReader):
    """The index in one folder or object-storage prefix. Searching is always allowed; writing
    takes the file lock (a folder) or the writer lease (object storage, `ingest.lease`)."""

    def __init__(
        self,
        where: Path | StoreLocation,
        *,
        model_id: str,
        dim: int,
        lock_path: Path,
        lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S,
        check_model: bool = True,
    ):
        lancedb = import_lancedb()

        location = where if isinstance(where, StoreLocation) else StoreLocation.folder(where)
        self.location = location
        self.model_id = model_id
        self.dim = dim
        self.lock_timeout_s = lock_timeout_s
        self.rolled_back_versions = 0
        self._lock: WriterLock
        self._files: SideFiles
        if location.is_remote:
            objects = probe(location)
            self._lock = ObjectLease(objects, where=location.uri, timeout_s=lock_timeout_s)
            self._files = ObjectFiles(objects)
        else:
            location.path.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._lock = FolderLock(lock_path, lock_timeout_s)
            self._files = FolderFiles(location.path)
        try:
            self._db = lancedb.connect(
                location.uri,
                read_consistency_interval=REMOTE_READ_CONSISTENCY
                if location.is_remote
                else timedelta(0),
                storage_options=location.lancedb_options() or None,
            )
            self._chunks = self._open_or_create(schema.CHUNKS, schema.chunks_schema(dim, model_id))
            self._documents = self._open_or_create(schema.DOCUMENTS, schema.documents_schema())
        except (OSError, RuntimeError, ValueError) as exc:
            if not location.is_remote:
                raise
            raise StoreError(
                f"The index at {location.uri} cannot be opened: {short_reason(exc)}"
            ) from None
        if check_model:
            self._check_model()
        self._last_seq = 0
        self._upgraded = False
        self._view = None
        if self.rolled_back_versions:
            with self.writing():
                self._drop_inconsistent_documents()

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the single-writer lock; another writer waits briefly, then gets StoreBusyError.
        A write the disk refuses raises StoreWriteError; LanceDB commits a version only once
        everything is written, so the index stays as it was."""
        self._lock.acquire()
        try:
            if self.location.is_remote:  # start from what the last writer committed
                self._chunks.checkout_latest()
                self._documents.checkout_latest()
            self._upgrade()
            yield
        except (OSError, RuntimeError) as exc:
            refused = StoreWriteError.behind(exc, self.location.uri)
            if refused is None and self.location.is_remote:
                refused = StoreWriteError(
                    f"The index at {self.location.uri} cannot be written: {short_reason(exc)}. "
                    "What was committed before is intact; run the ingest again."
                )
            if refused is None:
                raise
            raise refused from exc
        finally:
            self._lock.release()

    def replace_document(
        self, meta: DocumentMeta, chunks: Sequence[Chunk], vectors: np.ndarray
    ) -> None:
        self.replace_documents([DocumentWrite(meta, chunks, vectors)])

    def replace_documents(self, writes: Sequence[DocumentWrite]) -> None:
        """Add or replace whole documents; all of them become visible in one commit."""
        if not writes:
            return
        import pyarrow as pa

        with self.writing():
            old_versions = self._current_versions([w.meta.path for w in writes])
            now = datetime.now(UTC).isoformat(timespec="seconds")
            tables, rows = [], []
            for write in writes:
                version = uuid.uuid4().hex[:16]
                if write.chunks:
                    tables.append(
                        schema.chunk_rows(
                            write.meta, version, write.chunks, write.vectors, self._chunks.schema
                        )
                    )
                rows.append(
                    schema.document_row(
                        write.meta, version, self._next_seq(), len(write.chunks), now, self.model_id
                    )
                )
            if tables:
                self._chunks.add(pa.concat_tables(tables))
            self._documents.add(pa.Table.from_pylist(rows, schema=self._documents.schema))
            if old_versions:
                superseded = schema.sql_in("doc_version", list(old_versions.values()))
                self._chunks.delete(superseded)
                self._documents.delete(superseded)

    def move_documents(self, moves: Sequence[tuple[str, str, bool, str]]) -> None:
        """Give documents another `(path, collection, local_only, root)` in one commit: their
        chunk rows (text and vectors as they are) are rewritten under a fresh `doc_version`,
        in the write order of `replace_documents`, so a kill leaves the old version whole."""
        if not moves:
            return
        import pyarrow as pa

        with self.writing():
            current = self._committed_rows()
            tables, rows, superseded = [], [], []
            for path, collection, local_only, root in moves:
                old, version = current[path], uuid.uuid4().hex[:16]
                where = f"doc_version = {schema.sql_string(old['doc_version'])}"
                chunks = self._chunks.search().where(where).limit(None).to_arrow()
                moved = {"collection": collection, "local_only": local_only, "doc_version": version}
                tables.append(schema.moved_chunk_rows(chunks, moved, self._chunks.schema))
                rows.append({**old, **moved, "root": root, "seq": self._next_seq()})
                superseded.append(old["doc_version"])
            self._chunks.add(pa.concat_tables(tables))
            self._documents.add(pa.Table.from_pylist(rows, schema=self._documents.schema))
            self._chunks.delete(schema.sql_in("doc_version", superseded))
            self._documents.delete(schema.sql_in("doc_version", superseded))

    def update_file_stats(self, path: str, *, size: int, mtime_ns: int) -> None:
        """Record a new size and mtime for a document whose content did not change."""
        with self.writing():
            self._documents.update(
                where=f"path = {schema.sql_string(path)}",
                values={"size": size, "mtime_ns": mtime_ns},
            )

    def delete_documents(self, paths: Sequence[str]) -> int:
        """Remove documents by exact path; returns how many were stored."""
        if not paths:
            return 0
        with self.writing():
            found = self._current_versions(paths)
            if found:
                self._documents.delete(schema.sql_in("path", list(found)))
                self._chunks.delete(schema.sql_in("path", list(found)))
            return len(found)

    def remove_orphans(self) -> int:
        """Delete chunk rows no committed document points at (left by an interrupted write)."""
        with self.writing():
            committed = {d["doc_version"] for d in document_rows(self._documents)}
            orphans = sorted(set(self._chunk_versions()) - committed)
            if orphans:
                self._chunks.delete(schema.sql_in("doc_version", orphans))
            return len(orphans)

    def refresh_indexes(self) -> None:
        """Bring the full-text and lookup indexes up to date and compact small writes."""
        from lancedb.index import FTS, BTree

        with self.writing():
            names = {index.name for index in self._chunks.list_indices()}
            configs: list[tuple[str, FTS | BTree]] = [(c, FTS()) for c in schema.FULL_TEXT_COLUMNS]
            configs += [(c, BTree()) for c in schema.LOOKUP_COLUMNS]
            for column, config in configs:
                name = f"{column}_idx"
                if name not in names and self._chunks.count_rows() > 0:
                    self._chunks.create_index(column, config=config, replace=True, name=name)
            ensure_vector_index(self._chunks)
            self._chunks.optimize()
            self._documents.optimize()

    def save_reindex_plan(self, documents: Sequence[DocumentInfo]) -> ReindexPlan:
        """Record what a re-index must redo (and when it began), before it changes anything."""
        started_at = datetime.now(UTC).isoformat(timespec="seconds")
        plan = {"started_at": started_at, "documents": [asdict(d) for d in documents]}
        self._files.write(REINDEX_PLAN, json.dumps(plan).encode())
        return started_at, list(documents)

    def reindex_plan(self) -> ReindexPlan | None:
        """When an unfinished re-index began and its documents, or None when none is pending."""
        text = self._files.read(REINDEX_PLAN)
        if text is None:
            return None
        saved = json.loads(text)
        if isinstance(saved, list):  # written before plans recorded their start: redo all
            saved = {"started_at": "9999", "documents": saved}
        return saved["started_at"], [DocumentInfo(**row) for row in saved["documents"]]

    def clear_reindex_plan(self) -> None:
        self._files.delete(REINDEX_PLAN)

    def reset(self) -> None:
        """Drop everything, for a re-index with this store's model."""
        with self.writing():
            for name in (schema.CHUNKS, schema.DOCUMENTS):
                self._db.drop_table(name)
            self._chunks = self._open_or_create(
                schema.CHUNKS, schema.chunks_schema(self.dim, self.model_id)
            )
            self._documents = self._open_or_create(schema.DOCUMENTS, schema.documents_schema())

    # -- internals -------------------------------------------------------------------------

    def _upgrade(self) -> None:
        """Bring a store written by an older margin to this format (holding the write lock)."""
        if self._upgraded:
            return
        missing = schema.missing_document_columns(self._documents.schema)
        if missing:
            self._documents.add_columns(missing)
        missing_chunks = schema.missing_chunk_columns(self._chunks.schema)
        if missing_chunks:
            self._chunks.add_columns(missing_chunks)
        self._upgraded = True

    def _open_or_create(self, name: str, table_schema: Any) -> Table:
        if self.location.is_remote:  # an object put is whole or absent: nothing to roll back
            if name in self._db.list_tables().tables:
                return self._open_checked(name)
            return self._db.create_table(name, schema=table_schema, exist_ok=True)
        table_dir = self.location.path / f"{name}.lance"
        if not table_dir.exists():
            return self._db.create_table(name, schema=table_schema, exist_ok=True)
        table, rolled_back = open_with_rollback(table_dir, lambda: self._open_checked(name))
        self.rolled_back_versions += rolled_back
        return table

    def _open_checked(self, name: str) -> Table:
        table = self._db.open_table(name)
        table.count_rows()
        return table

    def _check_model(self) -> None:
        stored = self.stored_model_id()
        if stored and stored != self.model_id:
            raise ModelMismatchError(
                f"The index was built with the embedding model {stored!r}, but margin now uses "
                f"{self.model_id!r}. Run `margin reindex` to re-embed every document."
            )

    def _chunk_versions(self) -> list[str]:
        """The doc_version of every chunk row, committed or not."""
        rows = self._chunks.search().select(["doc_version"]).limit(None).to_arrow()
        return [str(v) for v in rows.column("doc_version").to_pylist()]

    def _current_versions(self, paths: Sequence[str]) -> dict[str, str]:
        wanted = set(paths)
        rows = self._committed_rows()
        return {p: r["doc_version"] for p, r in rows.items() if p in wanted}

    def _next_seq(self) -> int:
        self._last_seq = max(time.time_ns(), self._last_seq + 1)
        return self._last_seq

    def _drop_inconsistent_documents(self) -> None:
        """After a rollback, forget documents whose chunks did not survive, so they re-ingest."""
        present = Counter(self._chunk_versions())
        broken = [
            path
            for path, row in self._committed_rows().items()
            if present.get(row["doc_version"], 0) != int(row["chunks"])
        ]
        if broken:
            self._documents.delete(schema.sql_in("path", broken))
