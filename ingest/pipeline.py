"""The ingest pipeline: walk -> hash -> load -> chunk -> embed -> store, incremental and resumable.

Unchanged files cost a stat (and a hash when the mtime moved); changed files are replaced
whole; files gone from an ingested folder are removed, and so are indexed files gone from
anywhere else when their own folder is still there or their content turned up in this run
(a file moved from a public folder into a local-only one does not stay under its old path).
A document's collection and local-only flag change only by an explicit act: see
`placement.py`. `Ingestor` is the way in: it walks the paths and hands the files to one
`IngestRun` (`run.py`), which reads them and commits them in small batches, so an
interrupted run keeps every finished batch and the next run picks up the rest.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from ingest.embedded import container_of
from ingest.embedder import Embedder
from ingest.gone import under_any
from ingest.options import IngestOptions as IngestOptions  # re-exported
from ingest.placement import Placement, Request, moved_placements
from ingest.run import IngestRun
from ingest.run_progress import IngestProgress as IngestProgress  # re-exported
from ingest.run_progress import ProgressCallback
from ingest.store import ChunkStore
from ingest.types import FileProblem, IngestReport, SourceFile
from ingest.vector_journal import VectorJournal
from ingest.walk import walk


class Ingestor:
    def __init__(
        self,
        store: ChunkStore,
        embedder: Embedder,
        options: IngestOptions,
        journal: VectorJournal | None = None,
    ):
        self.store = store
        self.embedder = embedder
        self.options = options
        self.journal = journal  # None: an interrupt loses the unfinished documents' vectors

    def run(
        self,
        paths: Sequence[str | Path],
        *,
        collection: str | None = None,
        local_only: bool = False,
        progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> IngestReport:
        """Bring the index in line with `paths` (files or folders).

        `collection` (None: not named) and `local_only` are what the run asks for; indexed
        documents keep theirs unless `local_only` is given (see `placement.py`). `cancel`, once
        set, stops the run between files or embedding slices, keeping what Ctrl+C keeps; the
        report's `interruption` says what that is.
        """
        roots = [Path(p).expanduser().resolve() for p in paths]
        items = list(
            walk(
                roots, include_hidden=self.options.include_hidden, max_bytes=self.options.max_bytes
            )
        )
        run = self._run(Request(collection, local_only), progress, cancel)
        return run.execute(items, roots)

    def move(
        self, paths: Iterable[str | Path], *, collection: str | None, local_only: bool | None
    ) -> list[str]:
        """Give every document at or under `paths` the collection and/or local-only flag
        named (None: keep); returns the paths of the documents that changed.

        The explicit way to change a document's privacy. Each path becomes the root of the
        documents under it, so a later ingest of a parent folder puts new files there the
        same way.
        """
        targets = [Path(p).expanduser().resolve() for p in paths]
        with self.store.writing():
            moves = moved_placements(self.store.documents(), targets, collection, local_only)
            self.store.move_documents([(path, *place.fields()) for path, place in moves])
        return [path for path, _ in moves]

    def forget(self, paths: Iterable[str | Path]) -> list[str]:
        """Remove every document at or under `paths`; returns the removed paths."""
        targets = [Path(p).expanduser().resolve() for p in paths]
        with self.store.writing():
            doomed = [
                d.path for d in self.store.documents() if under_any(container_of(d.path), targets)
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
            placements = {  # attachments come back with their file
                d.path: Placement(d.collection, d.local_only, d.root)
                for d in documents
                if container_of(d.path) == d.path
            }
            items = list(walk(list(placements), max_bytes=self.options.max_bytes))
            items = [_with_root(item, placements) for item in items]
            run = self._run(placements, progress, cancel, redo_before=started_at)
            report = run.execute(items, [])
            if not report.cancelled:
                self.store.clear_reindex_plan()
        return report

    def _run(
        self,
        placing: Request | dict[str, Placement],
        progress: ProgressCallback | None,
        cancel: threading.Event | None,
        *,
        redo_before: str | None = None,
    ) -> IngestRun:
        return IngestRun(
            self.store,
            self.embedder,
            self.options,
            self.journal,
            placing=placing,
            progress=progress,
            cancel=cancel,
            redo_before=redo_before,
        )


def _with_root(
    item: SourceFile | FileProblem, plan: dict[str, Placement]
) -> SourceFile | FileProblem:
    if isinstance(item, SourceFile) and str(item.path) in plan:
        root = Path(plan[str(item.path)].root)
        return replace(item, root=root)
    return item
