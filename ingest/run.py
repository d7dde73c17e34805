"""One ingest run over the walked files: each passed over, moved, or read, chunked and queued.

Queued documents are committed in small batches (`IngestOptions.commit_chunks`), each
embedded and written in one commit, so an interrupted run keeps every finished batch and the
next run picks up the rest; the vectors of a document it was still embedding are journaled
(`vector_journal.py`), so the next run does not embed them again. A run set to stop (its
`cancel`, checked between files, while a file is read and between embedding slices) stops
as Ctrl+C stops it and keeps the same; what was kept (`interruption.py`) is raised at an
interrupt, and on the report after a stop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ingest.batch_vectors import BatchVectors
from ingest.chunking import chunk_document
from ingest.embedded import embedded_by_container, plan_embedded
from ingest.embedder import Embedder, ready_for_documents
from ingest.errors import LoadError, NotADocumentError
from ingest.extraction import Extractor, ReadCancelled
from ingest.file_digest import file_sha256
from ingest.gone import gone_documents
from ingest.interruption import IngestInterrupted, Interruption, Unfinished
from ingest.loaders import skip_reason
from ingest.options import IngestOptions
from ingest.placement import Decision, Placement, Places, Request
from ingest.run_progress import EmbeddingShare, ProgressCallback, RunProgress
from ingest.store import ChunkStore, DocumentWrite
from ingest.types import (
    Chunk,
    DocumentInfo,
    DocumentMeta,
    EmbeddedDocument,
    FileProblem,
    IngestReport,
    KeptDocument,
    LoadedDocument,
    Outcome,
    SourceFile,
)
from ingest.vector_journal import VectorJournal

_Queued = tuple[DocumentMeta, list[Chunk], Outcome]


class _StopAsked(Exception):
    """The run's `cancel` is set. Raised where the run may stop and caught by the run, which
    then keeps and reports just what an interrupt (Ctrl+C) at that point keeps."""


@dataclass(slots=True)
class _Pending:
    """Loaded documents waiting to be embedded and committed together."""

    documents: list[_Queued] = field(default_factory=list)
    chunks: int = 0
    share: EmbeddingShare = field(default_factory=EmbeddingShare)  # of progress


class IngestRun:
    """One pass over the walked files; collects the report.

    `placing` is what the run asks for (a Request, decided per file against the index), or
    the placement of every file (a re-index restores each document where it was).
    """

    def __init__(
        self,
        store: ChunkStore,
        embedder: Embedder,
        options: IngestOptions,
        journal: VectorJournal | None,
        *,
        placing: Request | dict[str, Placement],
        progress: ProgressCallback | None,
        cancel: threading.Event | None,
        redo_before: str | None = None,
    ):
        self.store = store
        self.build = options.build()
        # Re-index: documents stored before this moment are re-processed even if unchanged.
        self.redo_before = redo_before
        self.embedder = embedder
        self.options = options
        self.placing = placing
        self.places = Places([])
        self.stored: dict[str, DocumentInfo] = {}
        self.inside: dict[str, list[str]] = {}  # stored attachments by the file holding them
        self.added_hashes: set[str] = set()
        self.counts = RunProgress(progress)
        self.cancel = cancel
        self.report = IngestReport([], [], [], [], [], [])
        self.pending = _Pending()
        self.journal = journal  # None: an interrupt loses the unfinished documents' vectors
        self.reading: str | None = None  # the file being read and chunked
        self.in_flight: BatchVectors | None = None  # the batch being embedded and written

    def execute(self, items: list[SourceFile | FileProblem], roots: list[Path]) -> IngestReport:
        started = time.monotonic()
        files = [item for item in items if isinstance(item, SourceFile)]
        self.counts.begin(len(files), sum(item.work for item in files))
        try:
            with (
                self.store.writing(),
                Extractor(
                    timeout_s=self.options.file_timeout_s,
                    memory_mb=self.options.file_memory_mb,
                    ocr_page_timeout_s=self.options.ocr_page_timeout_s,
                    cancel=self.cancel,
                ) as extractor,
            ):
                self._files(items, roots, extractor)
        except KeyboardInterrupt as exc:
            self.report.seconds = time.monotonic() - started
            raise IngestInterrupted(self._interruption(), self.report) from exc
        self.report.seconds = time.monotonic() - started
        return self.report

    def _files(
        self, items: list[SourceFile | FileProblem], roots: list[Path], extractor: Extractor
    ) -> None:
        self.store.remove_orphans()
        self.stored = {d.path: d for d in self.store.documents()}
        self.inside = embedded_by_container(self.stored)
        self.places = Places(self.stored.values())
        kept: set[str] = set()
        try:
            for item in items:
                self._stop_if_asked()
                if isinstance(item, FileProblem):
                    (self.report.failed if item.failed else self.report.skipped).append(item)
                    if item.failed:
                        kept.add(item.path)
                    continue
                kept.add(str(item.path))
                self._file(item, self.stored.get(str(item.path)), extractor)
            self._commit()
            self.counts.finishing()
            self._remove_missing(self.stored, kept, roots)
        except _StopAsked:
            self.report.interruption = self._interruption()
        self.store.refresh_indexes()

    def _stop_if_asked(self) -> None:
        """Stop here when `cancel` is set. Called between files, before a batch is embedded and
        after each of its slices (journaled by then): a stop keeps what Ctrl+C there keeps.
        (The extractor, given the same `cancel`, stops a read in progress: ReadCancelled.)"""
        if self.cancel is not None and self.cancel.is_set():
            raise _StopAsked

    def _interruption(self) -> Interruption:
        """What the run kept and what it leaves for the next, at an interrupt or a stop."""
        report = self.report
        unfinished = self.in_flight.unfinished() if self.in_flight is not None else []
        unfinished += [Unfinished(m.path, len(c), 0) for m, c, _ in self.pending.documents]
        return Interruption(
            committed=len(report.added) + len(report.updated) + len(report.reprocessed),
            unfinished=tuple(unfinished),
            reading=self.reading,
        )

    def _file(self, source: SourceFile, stored: DocumentInfo | None, extractor: Extractor) -> None:
        path = str(source.path)
        self.counts.file_started(path)
        counted, read = 0.0, False  # read: the run spent work on the file
        if (skipped := skip_reason(source.path)) is not None:
            self._not_a_document(path, stored, skipped)
        elif (placement := self._place(path, str(source.root), stored)) is None:
            self.report.skipped.append(FileProblem(path, "not where it was indexed; ingest it"))
        elif stored is None or not self._unchanged(source, stored):
            kind: Outcome = "updated" if stored else "added"
            counted, read = self._load(source, stored, placement, extractor, kind), True
        elif not (self._current(stored) and self._inside_current(path)):
            counted, read = self._load(source, stored, placement, extractor, "reprocessed"), True
        elif placement != Placement(stored.collection, stored.local_only, stored.root):
            moved = [path, *self.inside.get(path, [])]  # its attachments go with it
            self.store.move_documents([(p, *placement.fields()) for p in moved])
            self.report.moved.extend(moved)
        else:
            self.report.unchanged.append(path)
        self.counts.file_done(source.work - counted, read=read)

    def _place(self, path: str, root: str, stored: DocumentInfo | None) -> Placement | None:
        if isinstance(self.placing, dict):
            return self.placing.get(path)
        decision: Decision = self.places.decide(path, root, stored, self.placing)
        if decision.kept_because is not None:
            placement = decision.placement
            self.report.kept.append(
                KeptDocument(
                    path, placement.collection, placement.local_only, decision.kept_because
                )
            )
        return decision.placement

    def _current(self, stored: DocumentInfo) -> bool:
        """Built with today's settings (and, in a re-index, already redone by it)."""
        if stored.build != self.build:
            return False
        return self.redo_before is None or stored.ingested_at > self.redo_before

    def _inside_current(self, path: str) -> bool:
        """The stored documents inside the file (attachments) are all current too."""
        return all(self._current(self.stored[inner]) for inner in self.inside.get(path, []))

    def _unchanged(self, source: SourceFile, stored: DocumentInfo) -> bool:
        """Same content as indexed: same size and mtime, or the same hash."""
        if (stored.size, stored.mtime_ns) == (source.size, source.mtime_ns):
            return True
        if stored.size != source.size or file_sha256(source.path) != stored.content_hash:
            return False
        self.store.update_file_stats(stored.path, size=source.size, mtime_ns=source.mtime_ns)
        return True

    def _not_a_document(self, path: str, stored: DocumentInfo | None, reason: str) -> None:
        """Skip the file for `reason`; what an earlier run indexed of it leaves the index (a
        Devhelp index read before it was skipped by name, a file now binary)."""
        self.report.skipped.append(FileProblem(path, reason))
        gone = [path] if stored is not None else []
        gone += self.inside.get(path, [])
        self.store.delete_documents(gone)
        self.report.removed.extend(gone)

    def _load(
        self,
        source: SourceFile,
        stored: DocumentInfo | None,
        placement: Placement,
        extractor: Extractor,
        kind: Outcome,
    ) -> float:
        """Read, chunk and queue the file; returns its bytes when they are counted (read
        now, the rest as its chunks are embedded), else 0."""
        path = str(source.path)
        started = time.monotonic()

        def on_page(page: int, pages: int) -> None:
            self.counts.page_read(source.work, page, pages)

        self.reading = path  # until the file is queued, a stop or an interrupt names it
        try:
            content_hash = file_sha256(source.path)
            document = extractor.load(source.path, on_page=on_page)
        except ReadCancelled:
            raise _StopAsked from None
        except NotADocumentError as exc:
            self.reading = None
            self._not_a_document(path, stored, str(exc))
            return 0.0
        except (LoadError, OSError) as exc:
            self.reading = None
            self.report.failed.append(FileProblem(path, str(exc), failed=True))
            return 0.0
        meta = DocumentMeta(
            path=path,
            collection=placement.collection,
            local_only=placement.local_only,
            size=source.size,
            mtime_ns=source.mtime_ns,
            content_hash=content_hash,
            root=placement.root,
            build=self.build,
        )
        self.added_hashes.add(content_hash)
        # A file and the documents inside it are committed together; a file that would take
        # the batch past `commit_chunks` waits for the documents before it to be committed.
        queued = [self._chunked(meta, document, kind)]
        queued += self._embedded(source, document.embedded, placement)
        chunks, read_seconds = sum(len(c) for _, c, _ in queued), time.monotonic() - started
        if self.pending.chunks + chunks > self.options.commit_chunks:
            self._commit()
        self.reading = None
        self.counts.file_read(
            source.work, self.pending.share, chunks=chunks, read_seconds=read_seconds
        )
        for entry in queued:
            self.pending.documents.append(entry)
            self.pending.chunks += len(entry[1])
        if self.pending.chunks >= self.options.commit_chunks:
            self._commit()
        return source.work

    def _embedded(
        self, source: SourceFile, documents: Sequence[EmbeddedDocument], placement: Placement
    ) -> list[_Queued]:
        """The documents inside the file (its attachments): each kept, removed, or chunked to
        be written (returned)."""
        plan = plan_embedded(
            source,
            documents,
            self.stored,
            self.inside.get(str(source.path), []),
            collection=placement.collection,
            local_only=placement.local_only,
            root=placement.root,
            build=self.build,
            current=self._current,
        )
        for problem in plan.problems:
            (self.report.failed if problem.failed else self.report.skipped).append(problem)
        self.report.unchanged.extend(plan.unchanged)
        queued = [self._chunked(meta, document, kind) for meta, document, kind in plan.write]
        self.store.delete_documents(plan.gone)
        self.report.removed.extend(plan.gone)
        return queued

    def _chunked(self, meta: DocumentMeta, document: LoadedDocument, kind: Outcome) -> _Queued:
        self.report.warnings.extend(FileProblem(meta.path, w) for w in document.warnings)
        chunks = chunk_document(
            document,
            Path(meta.path).name,  # an attachment's own name: "report.pdf"
            self.embedder,
            chunk_tokens=self.options.chunk_tokens,
            overlap_tokens=self.options.overlap_tokens,
        )
        return meta, chunks, kind

    def _commit(self) -> None:
        """Embed the pending documents and write them in one commit."""
        if not self.pending.documents:
            return
        self._stop_if_asked()
        pending, self.pending = self.pending, _Pending()
        batch = BatchVectors(
            [(meta.path, chunks) for meta, chunks, _ in pending.documents],
            self.embedder,
            self.journal,
        )
        self.in_flight = batch
        loading = not ready_for_documents(self.embedder)
        self.counts.embedding(pending.share, pending.chunks, loading=loading)
        self.store.replace_documents(self._vectors(pending, batch))
        self.in_flight = None
        batch.committed()
        for meta, chunks, kind in pending.documents:
            getattr(self.report, kind).append(meta.path)
            self.report.chunks += len(chunks)
        self.counts.stored(pending.chunks)

    def _vectors(self, pending: _Pending, batch: BatchVectors) -> list[DocumentWrite]:
        """The pending documents with their vectors. An edited or re-processed document's chunk
        that comes out with its stored heading and text keeps its stored vector (an extraction
        fix that moves only line numbers embeds nothing); a re-index embeds every chunk anew,
        but for those a stopped run journaled."""
        stored = [
            meta.path
            for meta, _, kind in pending.documents
            if kind in ("updated", "reprocessed") and self.redo_before is None
        ]

        def embedded(done: int, total: int) -> None:
            self.counts.embedded(pending.share, done, total)
            self._stop_if_asked()  # the slices embedded so far are journaled

        vectors = batch.fill(self.store.chunk_vectors(stored), embedded)
        writes, offset = [], 0
        for meta, chunks, _ in pending.documents:
            writes.append(DocumentWrite(meta, chunks, vectors[offset : offset + len(chunks)]))
            offset += len(chunks)
        return writes

    def _remove_missing(
        self, stored: dict[str, DocumentInfo], kept: set[str], roots: list[Path]
    ) -> None:
        gone = gone_documents(stored, kept, roots, self.added_hashes)
        self.store.delete_documents(gone)
        self.report.removed.extend(gone)
