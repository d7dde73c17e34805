"""Questions about one release of a long changelog, on a real one: GNU diffutils' NEWS,
ingested with the real MiniLM into LanceDB and ranked the way `margin ask` ranks
(`Index.retriever`).

Every section of a NEWS file reads alike ("Bug fixes", "diff now ..."), and full-text search
splits "3.8" into "3" and "8", so without more the release asked about is one passage among
many; the passage that holds the number as written comes first."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core import Index, open_index
from assistant.locations import resolve_locations
from ingest.embedder import SentenceTransformerEmbedder

NEWS = Path(__file__).parents[2] / "data" / "news"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder) -> Index:
    home = tmp_path_factory.mktemp("news-home")
    locations = resolve_locations({"MARGIN_HOME": str(home)}).ensure()
    opened = open_index(locations, embedder=embedder)
    opened.ingestor().run([NEWS])
    return opened


@pytest.mark.parametrize(
    ("question", "heading"),
    [
        ("What changed in diffutils 3.8?", "changes in release 3.8 "),
        ("What is new in diffutils 3.6?", "changes in release 3.6 "),
        ("Which bugs were fixed in diffutils release 3.3?", "changes in release 3.3 "),
    ],
)
def test_the_release_asked_about_comes_first(index: Index, question: str, heading: str) -> None:
    found = index.retriever().retrieve(question, k=3)
    assert heading in found.sources[0].text
