"""The ingest screen's stop takes effect inside a large document, between its embedding
slices, and keeps what Ctrl+C in `margin ingest` keeps: the documents committed, and the
vectors of the unfinished one in the journal, so the next ingest embeds only the rest.
Real bundled embedder, real store under a temp MARGIN_HOME. A stop while a scanned PDF is
being read (real worker, real Tesseract) ends the read and says the file is read again."""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from textual.widgets import Input, ProgressBar

from assistant.config import parse_config
from assistant.locations import resolve_locations
from ingest.embedder import Embedder
from ingest.fakes import RecordingEmbedder
from tests.fixtures.ingest import sample_text, write_files, write_scanned_pdf
from tests.tui.conftest import AssistantMaker
from tests.tui.helpers import settle, start_ingest, wait_for
from tui.app import MarginApp

if TYPE_CHECKING:
    import numpy as np

pytestmark = [pytest.mark.anyio, pytest.mark.slow, pytest.mark.timeout(600)]

KEPT = re.compile(
    r"big\.txt was ([\d,]+) of ([\d,]+) chunks in, and the next ingest picks up from there\."
)


class HeldEmbedder(RecordingEmbedder):
    """The real embedder, keeping the texts it is given to embed as documents. The first
    call after `hold_after` of them sets `held` and waits for `release`: a test presses stop
    while the run is inside a document."""

    def __init__(self, inner: Embedder, *, hold_after: int) -> None:
        super().__init__(inner)
        self.hold_after = hold_after
        self.held = threading.Event()
        self.release = threading.Event()

    @property
    def embedded(self) -> int:
        return len(self.texts)

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if self.embedded >= self.hold_after and not self.held.is_set():
            self.held.set()
            assert self.release.wait(60), "the test never released the embedder"
        return super().embed_documents(texts)


async def test_stop_inside_a_large_document_keeps_its_embedded_chunks_for_the_next_ingest(
    make_assistant: AssistantMaker, home: Path, embedder: Embedder
) -> None:
    # A one-chunk note, then a one-line text of more chunks than a batch holds (256), so the
    # note is committed on its own before the text is embedded. Chunks of 40 tokens: 300 of
    # them cost a fifth of what 300 chunks of the default 200 tokens cost to embed.
    folder = write_files(
        home / "reports",
        {
            "a.md": "# Kilns\n\nThe kiln fires stoneware at 1240 degrees.",
            "big.txt": sample_text("the long report", 600),
        },
    )
    small_chunks = parse_config(
        "[ingest]\nchunk_tokens = 40\noverlap_tokens = 8\n", resolve_locations().config_file
    )
    # Held at the second slice of big.txt: the note's chunk and the first slice are in.
    held = HeldEmbedder(embedder, hold_after=2)
    assistant = make_assistant(ingest=False, embedder=held, config=small_chunks)
    app = MarginApp(assistant)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await start_ingest(app, pilot, folder)
        await wait_for(held.held)
        await pilot.press("escape")  # stop, while big.txt is being embedded
        await pilot.pause()
        assert screen.stopping
        assert str(screen.query_one("#ingest-current").render()) == "Stopping…"
        held.release.set()
        await settle(pilot)
        summary = str(screen.query_one("#ingest-summary").render())

        kept = KEPT.search(summary)
        assert kept is not None, summary
        done, chunks = (int(figure.replace(",", "")) for figure in kept.groups())
        assert summary.startswith("Interrupted: 1 document finished by this run is kept; ")
        assert done == held.embedded - 1  # every chunk of it embedded before the stop
        assert 0 < done < chunks
        assert [Path(d.path).name for d in assistant.sources()] == ["a.md"]
        bar = screen.query_one("#ingest-progress", ProgressBar)
        assert bar.total is not None and bar.progress < bar.total

        first_run = held.embedded
        screen.query_one("#paths", Input).focus()
        await pilot.press("enter")  # the same paths again
        await settle(pilot)
        summary = str(screen.query_one("#ingest-summary").render())
        assert summary.startswith("Done: 1 added · 0 updated · 1 unchanged"), summary
        assert held.embedded - first_run == chunks - done
    assert {Path(d.path).name: d.chunks for d in assistant.sources()}["big.txt"] == chunks


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed")
async def test_stop_while_a_scan_is_read_ends_the_read_and_says_it_is_read_again(
    make_assistant: AssistantMaker, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tesseract takes seconds a page; the stop, pressed once page 1 is read, is heard
    before page 2 is (the worker tells each page read at most every 0.5 s)."""
    folder = home / "scans"
    folder.mkdir()
    write_scanned_pdf(
        folder / "scan.pdf", [f"Page {n}: the gannets dive for herring." for n in (1, 2, 3)]
    )
    assistant = make_assistant(ingest=False)
    pages: list[int] = []
    reading = threading.Event()
    ingest = assistant.ingest

    def hearing_pages(paths: Any, *, progress: Any, **options: Any) -> Any:
        def heard(event: Any) -> None:
            if event.page:
                pages.append(event.page)
                reading.set()
            progress(event)

        return ingest(paths, progress=heard, **options)

    monkeypatch.setattr(assistant, "ingest", hearing_pages)
    app = MarginApp(assistant)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await start_ingest(app, pilot, folder)
        await wait_for(reading)
        await pilot.press("escape")  # stop, while Tesseract reads page 2
        await settle(pilot)
        summary = str(screen.query_one("#ingest-summary").render())
    assert pages == [1]
    assert summary.startswith(
        "Interrupted: no document was finished by this run; scan.pdf was being read; "
        "the next ingest reads it again. 0 added · "
    ), summary
    assert assistant.sources() == []
