"""A personal notes folder through the real parts (MiniLM, LanceDB, term counts): a journal
dated by its file name alone, a decision table, meeting notes with front matter."""

from __future__ import annotations

import pytest

from assistant.ask.quote import quote_answer
from assistant.ask.retrieval import Retriever
from ingest.embedder import SentenceTransformerEmbedder
from ingest.store import ChunkStore
from ingest.types import StoredChunk
from tests.assistant.ask.test_evidence import indexed
from tests.fixtures.ingest import write_files

pytestmark = pytest.mark.slow

NOTES = {
    "journal/2026-11-03.md": "# Tuesday\n\n"
    "- Morning: ran the DuckDB benchmark again with zstd; full scan now 1.4 s.\n"
    "- Lunch with Priya at the Vietnamese place on Kastanienallee.\n"
    "- Evening: repaired the bike's rear brake (new pads, 14 EUR).\n",
    "journal/2026-11-09.md": "# Monday\n\n"
    "Kickoff of the kitchen renovation. The carpenter, Tomasz, quoted 4,300 EUR for the "
    "cabinets.\nHe starts on 23 November.\n",
    "journal/2026-11-10.md": "# Tuesday\n\nRead 80 pages of Piranesi. Decided the Atlas "
    "partitioning key: **year/month**, because the monthly report reads one month at a time.\n",
    "notes/storage-decision.md": "---\ntitle: Storage format decision\ndate: 2026-10-14\n"
    "tags: [project-atlas, decision]\nstatus: decided\n---\n\n# Storage format decision\n\n"
    "We compared three options for the Atlas archive. #project-atlas #decision\n\n"
    "| Option | Read speed | Size on disk | Verdict |\n|---|---|---|---|\n"
    "| SQLite | fast | 1.2 GB | rejected |\n| Parquet | very fast | 380 MB | **chosen** |\n"
    "| plain JSON | slow | 4.7 GB | rejected |\n\n## Why Parquet\n\n"
    "- Columnar, so the monthly reports only read three columns\n"
    "- Works with DuckDB without an import step\n",
    "notes/Meeting notes/Kickoff.md": "---\ntitle: Atlas kickoff\ndate: 2026-09-01\n"
    "attendees: [Mara, Jonas, Priya]\n---\n\n# Atlas kickoff\n\n## Agreed\n\n"
    "* Jonas owns the backup server.\n* Priya reviews tax categories in January.\n"
    "* We meet every second Monday at 19:00 on Jitsi.\n",
}


@pytest.fixture(scope="module")
def notes(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> tuple[ChunkStore, Retriever]:
    tmp_path = tmp_path_factory.mktemp("notes")
    write_files(tmp_path / "notes", NOTES)
    store, _terms, retriever = indexed(tmp_path, embedder)
    return store, retriever


def _chunks(store: ChunkStore, name: str) -> list[StoredChunk]:
    [path] = [d.path for d in store.documents() if d.path.endswith(name)]
    return sorted(store.document_chunks([path]), key=lambda c: c.ordinal)


def test_a_journal_is_found_by_the_date_its_file_name_holds(
    notes: tuple[ChunkStore, Retriever],
) -> None:
    store, retriever = notes
    for words in ("2026-11-03", "3 November 2026", "November 3"):
        found = store.text_search(words, 1)[0]
        assert found.path.endswith("journal/2026-11-03.md"), words
    assert found.heading == "Tuesday (2026-11-03, 3 November 2026)"
    question = "What did I write in my journal on 2026-11-03?"
    assert retriever.retrieve(question, k=3).sources[0].path.endswith("journal/2026-11-03.md")


def test_the_chosen_format_is_quoted_with_the_tables_rows(
    notes: tuple[ChunkStore, Retriever],
) -> None:
    _store, retriever = notes
    found = retriever.retrieve("Which storage format did we choose for Atlas?", k=3)
    quote = quote_answer(found.evidence)
    assert quote is not None
    assert "| Parquet | very fast | 380 MB | **chosen** |" in quote.text


def test_front_matter_opens_the_meeting_notes_with_their_title_line(
    notes: tuple[ChunkStore, Retriever],
) -> None:
    store, _retriever = notes
    [kickoff] = _chunks(store, "Kickoff.md")
    assert kickoff.heading == "Atlas kickoff"
    assert kickoff.text.startswith("---\ntitle: Atlas kickoff")
    assert "\n# Atlas kickoff\n\n## Agreed\n" in kickoff.text
    assert kickoff.line == 1 and not kickoff.lines  # lines 1 to 13, none left out
