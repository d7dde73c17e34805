"""`margin watch` keeps the index in sync: catch-up at start, then each batch of changes."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from pathlib import Path

from ingest.fakes import HashingEmbedder
from ingest.pipeline import IngestOptions, Ingestor
from ingest.store import ChunkStore
from ingest.types import IngestReport
from ingest.watch import watch_and_ingest
from tests.fixtures.ingest import write_files

WAIT_S = 30  # generous: a loaded machine may be slow to deliver file events


def test_watch_catches_up_then_follows_changes(
    tmp_path: Path, open_store: Callable[..., ChunkStore], fake_embedder: HashingEmbedder
) -> None:
    folder = write_files(tmp_path / "notes", {"a.md": "# A\n\nfirst"})
    ingestor = Ingestor(open_store(fake_embedder), fake_embedder, IngestOptions())
    reports: queue.Queue[IngestReport] = queue.Queue()
    stop = threading.Event()
    thread = threading.Thread(
        target=watch_and_ingest,
        args=(ingestor, [folder]),
        kwargs={"on_report": reports.put, "stop": stop, "debounce_ms": 200},
    )
    thread.start()
    try:
        catch_up = reports.get(timeout=WAIT_S)
        assert [Path(p).name for p in catch_up.added] == ["a.md"]

        (folder / "b.md").write_text("# B\n\nsecond")
        assert _next_change(reports).added == [str((folder / "b.md").resolve())]

        (folder / "a.md").rename(folder / "moved.md")
        moved = _next_change(reports)
        assert [Path(p).name for p in moved.removed] == ["a.md"]
        assert [Path(p).name for p in moved.added] == ["moved.md"]

        (folder / ".git").mkdir()
        (folder / ".git" / "index").write_text("ignored")
        (folder / "b.md").unlink()
        assert [Path(p).name for p in _next_change(reports).removed] == ["b.md"]
    finally:
        stop.set()
        thread.join(timeout=WAIT_S)
    assert not thread.is_alive()
    assert [Path(d.path).name for d in ingestor.store.documents()] == ["moved.md"]


def _next_change(reports: queue.Queue[IngestReport]) -> IngestReport:
    """The next report that changed something (a batch may end up changing nothing)."""
    while True:
        report = reports.get(timeout=WAIT_S)
        if report.added or report.updated or report.removed:
            return report
