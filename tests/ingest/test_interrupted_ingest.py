"""An ingest interrupted inside a large document keeps the vectors it made: the next run
embeds only the rest, the result equals an uninterrupted run, search never sees half a
document, and the interrupt says what was kept; a run stopped by its `cancel` keeps the same.
Real LanceDB, fake embedder."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from assistant.cli import cli
from ingest.chunking import embedding_text
from ingest.fakes import HashingEmbedder
from ingest.interruption import IngestInterrupted, Interruption, Unfinished
from ingest.pipeline import IngestOptions, Ingestor, IngestProgress
from ingest.store import ChunkStore
from ingest.types import Chunk
from ingest.vector_journal import VectorJournal
from tests.fixtures.ingest import new_store, sample_text, write_files

OpenStore = Callable[..., ChunkStore]
REPO = Path(__file__).resolve().parents[2]
NEEDLE = "The purple walrus of Grimsby keeps its ledger in a teapot."


class StoppingEmbedder(HashingEmbedder):
    """Raises KeyboardInterrupt (as Ctrl+C would) once `limit` texts are embedded."""

    def __init__(self, limit: int):
        super().__init__(dim=64, max_tokens=256)
        self.limit = limit

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if sum(self.calls) + len(texts) > self.limit:
            raise KeyboardInterrupt
        return super().embed_documents(texts)


class CancellingEmbedder(HashingEmbedder):
    """Sets `cancel` (as the TUI's stop does) once `limit` texts are embedded."""

    def __init__(self, limit: int, cancel: threading.Event):
        super().__init__(dim=64, max_tokens=256)
        self.limit = limit
        self.cancel = cancel

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        vectors = super().embed_documents(texts)
        if sum(self.calls) >= self.limit:
            self.cancel.set()
        return vectors


def _stopped_part_way(
    how: str, folder: Path, open_store: OpenStore, journal: VectorJournal
) -> tuple[ChunkStore, HashingEmbedder, Interruption]:
    """Ingest `folder` and stop it inside big.txt, by Ctrl+C or by the run's `cancel`."""
    if how == "ctrl+c":
        stopping: HashingEmbedder = StoppingEmbedder(limit=150)
        store = open_store(stopping)
        with pytest.raises(IngestInterrupted) as interrupted:
            Ingestor(store, stopping, IngestOptions(), journal).run([folder])
        assert sum(stopping.calls) <= 150
        return store, stopping, interrupted.value.interruption
    cancel = threading.Event()
    stopping = CancellingEmbedder(limit=150, cancel=cancel)
    store = open_store(stopping)
    report = Ingestor(store, stopping, IngestOptions(), journal).run([folder], cancel=cancel)
    assert sum(stopping.calls[:-1]) < 150 <= sum(stopping.calls)  # at the next slice's end
    assert report.interruption is not None and report.cancelled
    assert [Path(p).name for p in report.added] == ["a1.md", "a2.md"]
    return store, stopping, report.interruption


def _folder(root: Path) -> Path:
    """Two small notes, one document of more chunks than a commit holds (about 360), on a
    single line, one more note."""
    return write_files(
        root / "docs",
        {
            "a1.md": "# Kilns\n\nThe kiln fires stoneware at 1240 degrees.",
            "a2.md": "# Otters\n\nSea otters hold hands while they sleep.",
            "big.txt": sample_text("the long report", 4000) + " " + NEEDLE,
            "z.md": "# Bees\n\nBees dance to say where the flowers are.",
        },
    )


def _contents(store: ChunkStore) -> list[tuple[str, int, str | None, str]]:
    """Every current chunk as (path, ordinal, heading, text), in order."""
    paths = [d.path for d in store.documents()]
    return sorted((c.path, c.ordinal, c.heading, c.text) for c in store.document_chunks(paths))


def _assert_equals_a_clean_run(
    store: ChunkStore, folder: Path, tmp_path: Path, embedder: HashingEmbedder
) -> None:
    clean = new_store(tmp_path / "clean", embedder)
    Ingestor(clean, embedder, IngestOptions()).run([folder])
    assert [(d.path, d.chunks, d.content_hash) for d in store.documents()] == [
        (d.path, d.chunks, d.content_hash) for d in clean.documents()
    ]
    assert _contents(store) == _contents(clean)
    vectors = store.chunk_vectors([d.path for d in store.documents()])
    assert len(vectors) == store.chunk_count() == store._chunks.count_rows()  # no orphan rows
    for (_, heading, text), vector in vectors.items():  # each is the one its text embeds to
        expected = embedder.embed_documents([embedding_text(Chunk(text, 0, heading=heading))])
        assert np.array_equal(vector, expected[0])


@pytest.mark.parametrize("how", ["ctrl+c", "cancel"])
def test_a_big_document_stopped_part_way_resumes_without_embedding_its_chunks_again(
    tmp_path: Path, open_store: OpenStore, how: str
) -> None:
    folder = _folder(tmp_path)
    big = str(folder / "big.txt")
    journal = VectorJournal(tmp_path / "cache" / "vector-journal.sqlite")
    store, stopping, interruption = _stopped_part_way(how, folder, open_store, journal)
    [unfinished] = interruption.unfinished
    embedded = sum(stopping.calls) - 2  # the two notes before it went in a commit of their own
    assert interruption.committed == 2 and interruption.reading is None
    assert unfinished.path == big and 0 < unfinished.done == embedded < unfinished.chunks
    assert len(journal) == embedded
    message = interruption.describe()
    assert message == (
        f"interrupted: 2 documents finished by this run are kept; big.txt was {embedded:,} of "
        f"{unfinished.chunks:,} chunks in, and the next ingest picks up from there."
    )

    # Between the runs the index holds the notes, and nothing of the half-embedded document.
    assert [Path(d.path).name for d in store.documents()] == ["a1.md", "a2.md"]
    found = store.vector_search(stopping.embed_query(NEEDLE), 50)
    assert found and all(c.path != big for c in found)
    assert all(c.path != big for c in store.text_search("walrus Grimsby teapot", 50))

    counting = HashingEmbedder(dim=64, max_tokens=256)
    resumed = Ingestor(open_store(counting), counting, IngestOptions(), journal).run([folder])
    assert sorted(Path(p).name for p in resumed.added) == ["big.txt", "z.md"]
    assert sum(counting.calls) == unfinished.chunks - embedded + 1  # the rest, and z.md
    assert len(journal) == 0  # committed: the journal keeps nothing of it
    _assert_equals_a_clean_run(store, folder, tmp_path, counting)
    [hit] = store.text_search("walrus Grimsby teapot", 1)
    assert hit.path == big and NEEDLE in hit.text


def test_without_a_journal_the_interrupt_says_the_document_starts_over(
    tmp_path: Path, open_store: OpenStore
) -> None:
    folder = _folder(tmp_path)
    stopping = StoppingEmbedder(limit=150)
    with pytest.raises(IngestInterrupted) as stopped:
        Ingestor(open_store(stopping), stopping, IngestOptions()).run([folder])
    assert stopped.value.interruption.describe() == (
        "interrupted: 2 documents finished by this run are kept; big.txt starts over next time."
    )


def test_the_message_names_what_was_kept_and_what_is_left() -> None:
    reading = Interruption(committed=1, reading="/d/book.pdf")
    assert reading.describe() == (
        "interrupted: 1 document finished by this run is kept; "
        "book.pdf was being read; the next ingest reads it again."
    )
    several = Interruption(
        committed=0,
        unfinished=(
            Unfinished("/d/a.txt", 4400, 2549),
            Unfinished("/d/b.txt", 10, 0),
            Unfinished("/d/c.txt", 10, 10),
        ),
        reading="/d/d.txt",
    )
    assert several.describe() == (
        "interrupted: no document was finished by this run; a.txt was 2,549 of 4,400 chunks "
        "in, c.txt was 10 of 10 chunks in, and the next ingest picks up from there; "
        "2 files start over next time."
    )


@pytest.mark.parametrize("as_json", [False, True])
def test_ctrl_c_in_margin_ingest_says_what_it_kept_and_the_next_ingest_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_json: bool
) -> None:
    folder = _folder(tmp_path)
    stopping = StoppingEmbedder(limit=150)
    monkeypatch.setattr("assistant.core.load_embedder", lambda config, locations: stopping)
    result = CliRunner().invoke(cli, ["ingest", str(folder), *(["--json"] if as_json else [])])
    assert result.exit_code == 130
    embedded = sum(stopping.calls) - 2
    assert f"2 documents finished by this run are kept; big.txt was {embedded} of " in (
        result.stderr
    )
    assert "the next ingest picks up from there." in result.stderr
    if as_json:  # the report so far, with what the interrupt kept
        report = json.loads(result.stdout)
        assert [Path(p).name for p in report["added"]] == ["a1.md", "a2.md"]
        interruption = report["interruption"]
        [big] = interruption.pop("unfinished")
        assert (big["path"], big["done"]) == (str(folder / "big.txt"), embedded)
        assert f"big.txt was {embedded} of {big['chunks']:,} chunks in" in result.stderr
        assert interruption == {
            "message": result.stderr.strip().splitlines()[-1].removeprefix("margin: "),
            "committed": 2,
            "reading": None,
        }
    else:
        assert result.stdout == ""
    listed = CliRunner().invoke(cli, ["sources", "--json"])
    assert '"chunks": 1' in listed.stdout and "big.txt" not in listed.stdout

    counting = HashingEmbedder(dim=64, max_tokens=256)
    monkeypatch.setattr("assistant.core.load_embedder", lambda config, locations: counting)
    again = CliRunner().invoke(cli, ["ingest", str(folder), "--json"])
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout)["interruption"] is None
    stored = {d.path: d.chunks for d in new_store_at_home(counting).documents()}
    assert sum(counting.calls) == stored[str(folder / "big.txt")] - embedded + 1


def new_store_at_home(embedder: HashingEmbedder) -> ChunkStore:
    from assistant.core import open_store
    from assistant.locations import resolve_locations

    return open_store(resolve_locations(), embedder)


_KILLABLE_RUN = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from ingest.fakes import HashingEmbedder
    from ingest.pipeline import IngestOptions, Ingestor
    from ingest.vector_journal import VectorJournal
    from tests.fixtures.ingest import new_store

    class SlowEmbedder(HashingEmbedder):
        def embed_documents(self, texts):
            time.sleep(0.02 * len(texts))
            return super().embed_documents(texts)

    home, folder = Path(sys.argv[1]), sys.argv[2]
    model = SlowEmbedder(dim=64, max_tokens=256)
    store = new_store(home, model)
    def tell(event):
        print(event.chunks_done, flush=True)
    journal = VectorJournal(home / "cache" / "vector-journal.sqlite")
    Ingestor(store, model, IngestOptions(), journal).run([folder], progress=tell)
    print("done", flush=True)
    """
)


def test_kill_9_inside_a_big_document_keeps_its_embedded_chunks(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    home = tmp_path / "killed"
    process = subprocess.Popen(
        [sys.executable, "-c", _KILLABLE_RUN, str(home), str(folder)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert process.stdout is not None
    embedded = 0
    for line in process.stdout:
        assert not line.startswith("done"), "the ingest finished before it could be killed"
        embedded = int(line)
        if embedded >= 40:
            break
    process.kill()
    process.wait()

    counting = HashingEmbedder(dim=64, max_tokens=256)
    store = new_store(home, counting)
    journal = VectorJournal(home / "cache" / "vector-journal.sqlite")
    assert len(journal) >= embedded - 2  # all but the notes' (committed) were journaled
    Ingestor(store, counting, IngestOptions(), journal).run([folder])
    total = store.chunk_count()
    assert sum(counting.calls) <= total - embedded + 2  # big.txt's rest, z.md, the notes
    _assert_equals_a_clean_run(store, folder, tmp_path, counting)


def test_a_progress_event_reports_the_chunks_reused(tmp_path: Path, open_store: OpenStore) -> None:
    """A resumed document's journaled chunks count as embedded, so progress ends complete."""
    folder = _folder(tmp_path)
    journal = VectorJournal(tmp_path / "journal.sqlite")
    stopping = StoppingEmbedder(limit=150)
    with pytest.raises(IngestInterrupted):
        Ingestor(open_store(stopping), stopping, IngestOptions(), journal).run([folder])
    events: list[IngestProgress] = []
    counting = HashingEmbedder(dim=64, max_tokens=256)
    Ingestor(open_store(counting), counting, IngestOptions(), journal).run(
        [folder], progress=events.append
    )
    assert events[-1].bytes_done == events[-1].bytes_total
    assert events[-1].files_done == events[-1].files_total == 4


def test_a_stop_between_files_embeds_no_more_and_says_what_starts_over(
    tmp_path: Path, open_store: OpenStore, fake_embedder: HashingEmbedder
) -> None:
    """The notes read before the stop wait in a batch not embedded yet: they are left for the
    next run, as at Ctrl+C, rather than embedded after the stop."""
    folder = _folder(tmp_path)
    cancel = threading.Event()

    def stop_after_two(event: IngestProgress) -> None:
        if event.files_done == 2:
            cancel.set()

    store = open_store(fake_embedder)
    report = Ingestor(store, fake_embedder, IngestOptions()).run(
        [folder], progress=stop_after_two, cancel=cancel
    )
    assert report.interruption is not None and fake_embedder.calls == []
    assert report.interruption.describe() == (
        "interrupted: no document was finished by this run; 2 files start over next time."
    )
    assert store.documents() == []
