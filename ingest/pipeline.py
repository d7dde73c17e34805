"""The ingest run: walk -> hash -> load -> chunk -> embed -> store, incremental and resumable.

Unchanged files cost a stat (and a hash when the mtime moved); changed files are replaced
whole; files gone from an ingested folder are removed. Work is committed in small batches,
so an interrupted run keeps every finished batch and the next run picks up the rest.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ingest.chunking import chunk_document, embedding_text
from ingest.embedded import container_of, embedded_by_container, plan_embedded
from ingest.embedder import Embedder
from ingest.errors import LoadError, NotADocumentError
from ingest.extraction import EXTRACTION_VERSION, Extractor
from ingest.loaders import is_supported
from ingest.store import ChunkStore, DocumentWrite
from ingest.types import (
    Chunk,
    DocumentInfo,
    DocumentMeta,
    EmbeddedDocument,
    FileProblem,
    IngestReport,
    LoadedDocument,
    Outcome,
    SourceFile,
)
from ingest.walk import walk


class IngestSettings(Protocol):
    """The `[ingest]` table of config.toml, as ingest reads it."""

    @property
    def max_file_mb(self) -> float: ...
    @property
    def include_hidden(self) -> bool: ...
    @property
    def chunk_tokens(self) -> int: ...
    @property
    def overlap_tokens(self) -> int: ...
    @property
    def batch_size(self) -> int: ...
    @property
    def file_timeout_s(self) -> float: ...
    @property
    def file_memory_mb(self) -> int: ...


@dataclass(frozen=True, slots=True)
class IngestOptions:
    max_bytes: int = 50 * 1024 * 1024
    include_hidden: bool = False
    chunk_tokens: int = 200
    overlap_tokens: int = 32
    file_timeout_s: float = 60.0
    file_memory_mb: int = 1024
    ocr_page_timeout_s: float = 60.0  # each scanned page gets this long on top of the file's
    commit_chunks: int = 256  # commit once this many chunks wait (bounds work lost to a kill)

    def build(self) -> str:
        """The settings a stored document's chunks depend on; a change re-processes it."""
        return (
            f"extraction={EXTRACTION_VERSION};chunk_tokens={self.chunk_tokens};"
            f"overlap_tokens={self.overlap_tokens}"
        )

    @classmethod
    def from_config(cls, config: IngestSettings) -> IngestOptions:
        return cls(
            max_bytes=int(config.max_file_mb * 1024 * 1024),
            include_hidden=config.include_hidden,
            chunk_tokens=config.chunk_tokens,
            overlap_tokens=config.overlap_tokens,
            file_timeout_s=config.file_timeout_s,
            file_memory_mb=config.file_memory_mb,
        )


@dataclass(frozen=True, slots=True)
class IngestProgress:
    files_done: int
    files_total: int
    chunks_done: int
    current: str | None


ProgressCallback = Callable[[IngestProgress], None]


@dataclass(slots=True)
class _Pending:
    """Loaded documents waiting to be embedded and committed together."""

    documents: list[tuple[DocumentMeta, list[Chunk], Outcome]] = field(default_factory=list)
    chunks: int = 0


class Ingestor:
    def __init__(self, store: ChunkStore, embedder: Embedder, options: IngestOptions):
        self.store = store
        self.embedder = embedder
        self.options = options

    def run(
        self,
        paths: Sequence[str | Path],
        *,
        collection: str = "default",
        local_only: bool = False,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> IngestReport:
        """Bring the index in line with `paths` (files or folders)."""
        roots = [Path(p).expanduser().resolve() for p in paths]
        items = list(
            walk(
                roots, include_hidden=self.options.include_hidden, max_bytes=self.options.max_bytes
            )
        )
        run = _Run(self, collection, local_only, progress, cancel)
        return run.execute(items, roots)

    def forget(self, paths: Iterable[str | Path]) -> list[str]:
        """Remove every document at or under `paths`; returns the removed paths."""
        targets = [Path(p).expanduser().resolve() for p in paths]
        with self.store.writing():
            doomed = [
                d.path
                for d in self.store.documents()
                if _under_any(d.path, targets) or _under_any(container_of(d.path), targets)
            ]
            self.store.delete_documents(doomed)
            self.store.refresh_indexes()
        return doomed

    def reindex(
        self, *, progress: ProgressCallback | None = None, cancel: threading.Event | None = None
    ) -> IngestReport:
        """Re-extract, re-chunk and re-embed every stored document, changed or not.

        The list of documents (and when the re-index began) is saved first, so a re-index
        that is interrupted resumes the next time it runs, skipping what it already redid.
        """
        with self.store.writing():
            plan = self.store.reindex_plan()
            if plan is None:
                plan = self.store.save_reindex_plan(self.store.documents())
                # Stamps have whole seconds: from the next one on, a stamp says "redone".
                time.sleep(1 - (time.time() % 1))
            started_at, documents = plan
            if documents and self.store.stored_model_id() != self.store.model_id:
                self.store.reset()
            report = IngestReport([], [], [], [], [], [])
            groups: dict[tuple[str, bool], list[DocumentInfo]] = {}
            for doc in documents:
                if container_of(doc.path) == doc.path:  # attachments come back with their file
                    groups.setdefault((doc.collection, doc.local_only), []).append(doc)
            for (collection, local_only), docs in groups.items():
                items = list(walk([d.path for d in docs], max_bytes=self.options.max_bytes))
                by_path = {d.path: d.root for d in docs}
                items = [_with_root(item, by_path) for item in items]
                run = _Run(self, collection, local_only, progress, cancel, redo_before=started_at)
                part = run.execute(items, [])
                _merge(report, part)
            if not report.cancelled:
                self.store.clear_reindex_plan()
        return report


class _Run:
    """One pass over the walked files; collects the report."""

    def __init__(
        self,
        ingestor: Ingestor,
        collection: str,
        local_only: bool,
        progress: ProgressCallback | None,
        cancel: threading.Event | None,
        *,
        redo_before: str | None = None,
    ):
        self.store = ingestor.store
        self.build = ingestor.options.build()
        # Re-index: documents stored before this moment are re-processed even if unchanged.
        self.redo_before = redo_before
        self.embedder = ingestor.embedder
        self.options = ingestor.options
        self.collection = collection
        self.local_only = local_only
        self.progress = progress
        self.cancel = cancel
        self.report = IngestReport([], [], [], [], [], [])
        self.pending = _Pending()
        self.stored: dict[str, DocumentInfo] = {}
        self.inside: dict[str, list[str]] = {}  # stored attachments by the file holding them
        self.files_done = 0
        self.files_total = 0

    def execute(self, items: list[SourceFile | FileProblem], roots: list[Path]) -> IngestReport:
        started = time.monotonic()
        files = [item for item in items if isinstance(item, SourceFile)]
        self.files_total = len(files)
        with (
            self.store.writing(),
            Extractor(
                timeout_s=self.options.file_timeout_s,
                memory_mb=self.options.file_memory_mb,
                ocr_page_timeout_s=self.options.ocr_page_timeout_s,
            ) as extractor,
        ):
            self.store.remove_orphans()
            self.stored = {d.path: d for d in self.store.documents()}
            self.inside = embedded_by_container(self.stored)
            kept: set[str] = set()
            for item in items:
                if self.cancel is not None and self.cancel.is_set():
                    self.report.cancelled = True
                    break
                if isinstance(item, FileProblem):
                    (self.report.failed if item.failed else self.report.skipped).append(item)
                    if item.failed:
                        kept.add(item.path)
                    continue
                kept.add(str(item.path))
                self._file(item, self.stored.get(str(item.path)), extractor)
            self._commit()
            if not self.report.cancelled:
                self._remove_missing(self.stored, kept, roots)
            self.store.refresh_indexes()
        self.report.seconds = time.monotonic() - started
        return self.report

    def _file(self, source: SourceFile, stored: DocumentInfo | None, extractor: Extractor) -> None:
        path = str(source.path)
        self._tell(path)
        if not is_supported(source.path):
            self.report.skipped.append(FileProblem(path, "not a text format margin reads"))
        elif not self._unchanged(source, stored):
            self._load(source, stored, extractor, "updated" if stored else "added")
        elif self._current(stored) and self._inside_current(path):
            self.report.unchanged.append(path)
        else:
            self._load(source, stored, extractor, "reprocessed")
        self.files_done += 1
        self._tell(path)

    def _current(self, stored: DocumentInfo | None) -> bool:
        """Built with today's settings (and, in a re-index, already redone by it)."""
        if stored is None or stored.build != self.build:
            return False
        return self.redo_before is None or stored.ingested_at > self.redo_before

    def _inside_current(self, path: str) -> bool:
        """The stored documents inside the file (attachments) are all current too."""
        return all(self._current(self.stored[inner]) for inner in self.inside.get(path, []))

    def _unchanged(self, source: SourceFile, stored: DocumentInfo | None) -> bool:
        if stored is None or (stored.collection, stored.local_only) != (
            self.collection,
            self.local_only,
        ):
            return False
        if (stored.size, stored.mtime_ns) == (source.size, source.mtime_ns):
            return True
        if stored.size != source.size or _content_hash(source.path) != stored.content_hash:
            return False
        self.store.update_file_stats(stored.path, size=source.size, mtime_ns=source.mtime_ns)
        return True

    def _load(
        self,
        source: SourceFile,
        stored: DocumentInfo | None,
        extractor: Extractor,
        kind: Outcome,
    ) -> None:
        path = str(source.path)
        try:
            content_hash = _content_hash(source.path)
            document = extractor.load(source.path)
        except NotADocumentError as exc:
            self.report.skipped.append(FileProblem(path, str(exc)))
            gone = [path] if stored is not None else []
            gone += self.inside.get(path, [])
            self.store.delete_documents(gone)
            self.report.removed.extend(gone)
            return
        except (LoadError, OSError) as exc:
            self.report.failed.append(FileProblem(path, str(exc), failed=True))
            return
        meta = DocumentMeta(
            path=path,
            collection=self.collection,
            local_only=self.local_only,
            size=source.size,
            mtime_ns=source.mtime_ns,
            content_hash=content_hash,
            root=str(source.root),
            build=self.build,
        )
        self._queue(meta, document, kind)
        self._embedded(source, document.embedded)
        # A file and the documents inside it are committed together.
        if self.pending.chunks >= self.options.commit_chunks:
            self._commit()

    def _embedded(self, source: SourceFile, documents: Sequence[EmbeddedDocument]) -> None:
        """The documents inside the file (its attachments): each kept, written or removed."""
        plan = plan_embedded(
            source,
            documents,
            self.stored,
            self.inside.get(str(source.path), []),
            collection=self.collection,
            local_only=self.local_only,
            build=self.build,
            current=self._current,
        )
        for problem in plan.problems:
            (self.report.failed if problem.failed else self.report.skipped).append(problem)
        self.report.unchanged.extend(plan.unchanged)
        for meta, document, kind in plan.write:
            self._queue(meta, document, kind)
        self.store.delete_documents(plan.gone)
        self.report.removed.extend(plan.gone)

    def _queue(self, meta: DocumentMeta, document: LoadedDocument, kind: Outcome) -> None:
        self.report.warnings.extend(FileProblem(meta.path, w) for w in document.warnings)
        chunks = chunk_document(
            document,
            Path(meta.path).name,  # an attachment's own name: "report.pdf"
            self.embedder,
            chunk_tokens=self.options.chunk_tokens,
            overlap_tokens=self.options.overlap_tokens,
        )
        self.pending.documents.append((meta, chunks, kind))
        self.pending.chunks += len(chunks)

    def _commit(self) -> None:
        pending, self.pending = self.pending, _Pending()
        if not pending.documents:
            return
        texts = [embedding_text(c) for _, chunks, _ in pending.documents for c in chunks]
        vectors = self.embedder.embed_documents(texts)
        writes, offset = [], 0
        for meta, chunks, _ in pending.documents:
            writes.append(DocumentWrite(meta, chunks, vectors[offset : offset + len(chunks)]))
            offset += len(chunks)
        self.store.replace_documents(writes)
        for meta, chunks, kind in pending.documents:
            getattr(self.report, kind).append(meta.path)
            self.report.chunks += len(chunks)
        self._tell(None)

    def _remove_missing(
        self, stored: dict[str, DocumentInfo], kept: set[str], roots: list[Path]
    ) -> None:
        gone = [
            path
            for path in stored
            if container_of(path) not in kept and _under_any(container_of(path), roots)
        ]
        self.store.delete_documents(gone)
        self.report.removed.extend(gone)

    def _tell(self, current: str | None) -> None:
        if self.progress is not None:
            self.progress(
                IngestProgress(self.files_done, self.files_total, self.report.chunks, current)
            )


def _content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _under_any(path: str, roots: Sequence[Path]) -> bool:
    candidate = Path(path)
    return any(candidate == root or candidate.is_relative_to(root) for root in roots)


def _with_root(item: SourceFile | FileProblem, roots: dict[str, str]) -> SourceFile | FileProblem:
    if isinstance(item, SourceFile) and str(item.path) in roots:
        return SourceFile(item.path, Path(roots[str(item.path)]), item.size, item.mtime_ns)
    return item


def _merge(total: IngestReport, part: IngestReport) -> None:
    for name in (
        "added",
        "updated",
        "reprocessed",
        "unchanged",
        "removed",
        "failed",
        "skipped",
        "warnings",
    ):
        getattr(total, name).extend(getattr(part, name))
    total.chunks += part.chunks
    total.seconds += part.seconds
    total.cancelled = total.cancelled or part.cancelled
