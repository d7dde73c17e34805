"""Keep the index in sync with folders: a catch-up run, then one run per batch of changes.

Each run is an ordinary incremental ingest of the watched paths, so moves, deletions and
edits made while the watcher was off are handled the same way as live ones: unchanged files
cost a stat, changed ones are replaced, vanished ones removed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from ingest.errors import StoreBusyError
from ingest.pipeline import Ingestor
from ingest.types import IngestReport
from ingest.walk import is_ignored_name

DEBOUNCE_MS = 800  # changes closer together than this are one batch


def watch_and_ingest(
    ingestor: Ingestor,
    paths: Sequence[str | Path],
    *,
    collection: str | None = None,
    local_only: bool = False,
    on_report: Callable[[IngestReport], None],
    on_busy: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
    debounce_ms: int = DEBOUNCE_MS,
) -> None:
    """Ingest `paths` now and after every batch of changes, until `stop` is set. Ctrl+C raises
    KeyboardInterrupt, while waiting as in the middle of a run: the caller says what it means."""
    import watchfiles

    roots = [Path(p).expanduser().resolve() for p in paths]
    include_hidden = ingestor.options.include_hidden

    def relevant(change: watchfiles.Change, path: str) -> bool:
        changed = Path(path)
        root = next((r for r in roots if changed.is_relative_to(r)), None)
        parts = changed.relative_to(root).parts if root else changed.parts[-1:]
        return not any(is_ignored_name(part, include_hidden=include_hidden) for part in parts)

    def sync() -> None:
        try:
            report = ingestor.run(roots, collection=collection, local_only=local_only, cancel=stop)
        except StoreBusyError as exc:
            if on_busy is not None:
                on_busy(f"{exc} Will retry on the next change.")
            return
        on_report(report)

    sync()
    for _changes in watchfiles.watch(
        *roots,
        watch_filter=relevant,
        debounce=debounce_ms,
        stop_event=stop,
        raise_interrupt=True,  # not False: watchfiles would log a warning on the way out
    ):
        sync()
