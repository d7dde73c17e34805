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

from ingest.chunking import chunk_sections
from ingest.embedded import container_of, embedded_in, plan_embedded
from ingest.embedder import Embedder
from ingest.errors import LoadError, NotADocumentError
from ingest.extraction import Extractor
from ingest.loaders import is_supported
from ingest.store import ChunkStore, DocumentWrite
from ingest.types import (
    Chunk,
    DocumentInfo,
    DocumentMeta,
    EmbeddedDocument,
    FileProblem,
    IngestReport,
    Section,
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
    commit_chunks: int = 256  # commit once this many chunks wait (bounds work lost to a kill)

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

    documents: list[tuple[DocumentMeta, list[Chunk], bool]] = field(default_factory=list)
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
        """Re-embed every stored document with this ingestor's embedder.

        The list of documents is saved before the store is emptied, so a re-index that is
        interrupted resumes from that list the next time it runs.
        """
        with self.store.writing():
            documents = self.store.reindex_plan()
            if documents is None:
                documents = self.store.documents()
                self.store.save_reindex_plan(documents)
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
                part = _Run(self, collection, local_only, progress, cancel).execute(items, [])
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
    ):
        self.store = ingestor.store
        self.embedder = ingestor.embedder
        self.options = ingestor.options
        self.collection = collection
        self.local_only = local_only
        self.progress = progress
        self.cancel = cancel
        self.report = IngestReport([], [], [], [], [], [])
        self.pending = _Pending()
        self.stored: dict[str, DocumentInfo] = {}
        self.files_done = 0
        self.files_total = 0

    def execute(self, items: list[SourceFile | FileProblem], roots: list[Path]) -> IngestReport:
        started = time.monotonic()
        files = [item for item in items if isinstance(item, SourceFile)]
        self.files_total = len(files)
        with (
            self.store.writing(),
            Extractor(
                timeout_s=self.options.file_timeout_s, memory_mb=self.options.file_memory_mb
            ) as extractor,
        ):
            self.store.remove_orphans()
            self.stored = {d.path: d for d in self.store.documents()}
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
        elif self._unchanged(source, stored):
            self.report.unchanged.append(path)
        else:
            self._load(source, stored, extractor)
        self.files_done += 1
        self._tell(path)

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

    def _load(self, source: SourceFile, stored: DocumentInfo | None, extractor: Extractor) -> None:
        path = str(source.path)
        try:
            content_hash = _content_hash(source.path)
            loaded = extractor.load(source.path)
        except NotADocumentError as exc:
            self.report.skipped.append(FileProblem(path, str(exc)))
            gone = [path] if stored is not None else []
            gone += embedded_in(path, self.stored, keep=set())
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
        )
        self._queue(meta, loaded.sections, replaced=stored is not None)
        self._embedded(source, loaded.embedded)

    def _embedded(self, source: SourceFile, documents: list[EmbeddedDocument]) -> None:
        """The documents inside the file (its attachments): each kept, written or removed."""
        plan = plan_embedded(
            source, documents, self.stored, collection=self.collection, local_only=self.local_only
        )
        for problem in plan.problems:
            (self.report.failed if problem.failed else self.report.skipped).append(problem)
        self.report.unchanged.extend(plan.unchanged)
        for meta, sections, replaced in plan.write:
            self._queue(meta, sections, replaced=replaced)
        self.store.delete_documents(plan.gone)
        self.report.removed.extend(plan.gone)

    def _queue(self, meta: DocumentMeta, sections: list[Section], *, replaced: bool) -> None:
        chunks = chunk_sections(
            sections,
            self.embedder,
            chunk_tokens=self.options.chunk_tokens,
            overlap_tokens=self.options.overlap_tokens,
        )
        self.pending.documents.append((meta, chunks, replaced))
        self.pending.chunks += len(chunks)
        if self.pending.chunks >= self.options.commit_chunks:
            self._commit()

    def _commit(self) -> None:
        pending, self.pending = self.pending, _Pending()
        if not pending.documents:
            return
        texts = [_embedding_text(c) for _, chunks, _ in pending.documents for c in chunks]
        vectors = self.embedder.embed_documents(texts)
        writes, offset = [], 0
        for meta, chunks, _ in pending.documents:
            writes.append(DocumentWrite(meta, chunks, vectors[offset : offset + len(chunks)]))
            offset += len(chunks)
        self.store.replace_documents(writes)
        for meta, chunks, replaced in pending.documents:
            (self.report.updated if replaced else self.report.added).append(meta.path)
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


def _embedding_text(chunk: Chunk) -> str:
    """What the model embeds: the heading path gives a short chunk its context."""
    return f"{chunk.heading}\n{chunk.text}" if chunk.heading else chunk.text


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
    for name in ("added", "updated", "unchanged", "removed", "failed", "skipped"):
        getattr(total, name).extend(getattr(part, name))
    total.chunks += part.chunks
    total.seconds += part.seconds
    total.cancelled = total.cancelled or part.cancelled
