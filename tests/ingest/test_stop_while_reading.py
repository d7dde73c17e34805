"""A stop while a file is still being read ends the read where it is, not after the whole
file: the run's `cancel` reaches the extraction worker, the interruption names the file as
being read, nothing of it is committed, and the next ingest reads it whole. Ctrl+C in a real
`margin ingest --json` does the same, and still prints the one JSON object. Real PDFs through
the real extraction worker (PDFium, Tesseract), real LanceDB; the hashing embedder."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.extraction import Extractor, ReadCancelled
from ingest.fakes import HashingEmbedder
from ingest.pipeline import IngestOptions, Ingestor, IngestProgress
from ingest.store import ChunkStore
from tests.fixtures.ingest import write_files, write_pdf, write_scanned_pdf

OpenStore = Callable[..., ChunkStore]
REPO = Path(__file__).resolve().parents[2]
BIRDS = ["Gannets", "Puffins", "Herons", "Curlews", "Ospreys", "Swifts"]
PAGES = [f"# {bird}\n{bird} were counted on the cliffs this spring." for bird in BIRDS]


def _stop_at_the_first_page(cancel: threading.Event, heard: list[int]) -> Callable[..., None]:
    """A progress callback that sets `cancel` (as the TUI's stop does) once a page is read,
    keeping the pages it hears of."""

    def progress(event: IngestProgress) -> None:
        if event.page:
            heard.append(event.page)
            cancel.set()

    return progress


def test_a_stop_while_a_pdf_is_read_names_it_and_the_next_ingest_reads_it_whole(
    tmp_path: Path, open_store: OpenStore
) -> None:
    folder = write_files(tmp_path / "docs", {"a.md": "# Kilns\n\nThe kiln fires stoneware."})
    paper = write_pdf(folder / "paper.pdf", PAGES)
    embedder = HashingEmbedder(dim=64, max_tokens=256)
    store = open_store(embedder)
    options = IngestOptions(commit_chunks=1)  # a.md is committed before paper.pdf is read
    cancel, heard = threading.Event(), []
    report = Ingestor(store, embedder, options).run(
        [folder], progress=_stop_at_the_first_page(cancel, heard), cancel=cancel
    )

    assert heard == [1]  # the read went no further (the worker always tells the last page)
    interruption = report.interruption
    assert interruption is not None
    assert (interruption.committed, interruption.unfinished) == (1, ())
    assert interruption.reading == str(paper)
    assert interruption.describe() == (
        "interrupted: 1 document finished by this run is kept; "
        "paper.pdf was being read; the next ingest reads it again."
    )
    assert report.to_json()["interruption"] == {
        "message": interruption.describe(),
        "committed": 1,
        "unfinished": [],
        "reading": str(paper),
    }
    assert [Path(d.path).name for d in store.documents()] == ["a.md"]
    assert sum(embedder.calls) == 1

    again = Ingestor(store, embedder, options).run([folder])
    assert again.interruption is None
    assert (again.added, again.unchanged) == ([str(paper)], [str(folder / "a.md")])
    chunks = store.document_chunks([str(paper)])
    assert sorted({c.page for c in chunks}) == [1, 2, 3, 4, 5, 6]


needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="tesseract-ocr is not installed"
)


@needs_tesseract
def test_a_stop_during_ocr_ends_the_scan_after_the_page_being_read(tmp_path: Path) -> None:
    """Each scanned page takes Tesseract seconds; a stop heard after page 1 is read never
    hears of page 2 or 3, and the extractor reads the next file with a fresh worker."""
    scan = write_scanned_pdf(tmp_path / "scan.pdf", [p.replace("# ", "") for p in PAGES[:3]])
    note = write_files(tmp_path, {"note.md": "# Note\n\nplain text"}) / "note.md"
    cancel, heard = threading.Event(), []

    def on_page(page: int, pages: int) -> None:
        heard.append(page)
        cancel.set()

    with Extractor(ocr_page_timeout_s=120.0, cancel=cancel) as extractor:
        with pytest.raises(ReadCancelled):
            extractor.load(scan, on_page=on_page)
        assert heard == [1]
        cancel.clear()
        assert extractor.load(note).sections[0].heading == "Note"


def _tesseract_under(pid: int) -> bool:
    """Tesseract runs as a child of a child of `pid` (the extraction worker's OCR)."""

    def children(parent: int) -> list[int]:
        try:
            listed = Path(f"/proc/{parent}/task/{parent}/children").read_text()
        except OSError:
            return []
        return [int(child) for child in listed.split()]

    def named(child: int) -> str:
        try:
            return Path(f"/proc/{child}/comm").read_text().strip()
        except OSError:
            return ""

    return any(
        named(grandchild) == "tesseract" for c in children(pid) for grandchild in children(c)
    )


@needs_tesseract
def test_ctrl_c_under_json_while_a_scan_is_read_prints_the_report_and_exits_130(
    tmp_path: Path,
) -> None:
    scan = write_scanned_pdf(tmp_path / "scan.pdf", [p.replace("# ", "") for p in PAGES[:3]])
    margin = [sys.executable, "-c", "from assistant.cli import main; main()"]
    process = subprocess.Popen(
        [*margin, "ingest", str(scan), "--json"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # As a terminal starts it: a test run started in the background ignores SIGINT.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while not _tesseract_under(process.pid):  # OCR of page 1 has begun
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)

    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    message = (
        "interrupted: no document was finished by this run; "
        "scan.pdf was being read; the next ingest reads it again."
    )
    assert stderr.strip().splitlines()[-1] == f"margin: {message}"
    report = json.loads(stdout)  # one object, and nothing else on stdout
    assert report["interruption"] == {
        "message": message,
        "committed": 0,
        "unfinished": [],
        "reading": str(scan.resolve()),
    }
    assert report["cancelled"] and report["added"] == [] and report["chunks"] == 0
