"""Term statistics through a real store: counted once, and counted again when their format
changes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from assistant.ask.term_stats import SCHEMA_VERSION, TermStatistics
from ingest.embedder import SentenceTransformerEmbedder
from ingest.pipeline import IngestOptions, Ingestor
from tests.fixtures.ingest import new_store, write_files


def test_counts_made_in_an_older_format_are_made_again_from_the_store(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    write_files(tmp_path / "docs", {"bash.md": "# Variables\n\nRANDOM expands to an integer."})
    store = new_store(tmp_path, embedder)
    Ingestor(store, embedder, IngestOptions()).run([tmp_path / "docs"])
    path = tmp_path / "terms.sqlite"
    assert TermStatistics(path, store).chunk_counts(["random"]) == {"random": 1}
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE meta SET value = ? WHERE name = 'schema'", (SCHEMA_VERSION - 1,))
    assert TermStatistics(path, store).chunk_counts(["random"]) == {"random": 1}


def test_counts_in_some_documents_count_only_their_chunks(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    docs = write_files(
        tmp_path / "docs",
        {
            "with.md": "# WITH queries\n\nEach CTE is computed once.",
            "select.md": "# SELECT\n\nA CTE and a subquery.",
            "copy.md": "# COPY\n\nCopies rows to a file.",
        },
    )
    store = new_store(tmp_path, embedder)
    Ingestor(store, embedder, IngestOptions()).run([docs])
    terms = TermStatistics(tmp_path / "terms.sqlite", store)
    paths = {p.name: str(p) for p in docs.iterdir()}
    assert terms.chunk_counts(["cte"]) == {"cte": 2}
    assert terms.chunk_counts(["cte", "rows"], [paths["with.md"]]) == {"cte": 1, "rows": 0}
    assert terms.chunk_counts(["cte"], [paths["copy.md"]]) == {"cte": 0}
    assert terms.chunk_counts(["cte"], [paths["with.md"], paths["select.md"]]) == {"cte": 2}
