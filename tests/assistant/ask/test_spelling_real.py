"""A misspelt word is put right only into a word the asker may see, through the real parts:
MiniLM and LanceDB over the zlib page of the Python documentation and GNU diffutils' NEWS
file, the NEWS file ingested as local-only, in a collection of its own.

The index-wide term counts a correction is chosen by include local-only documents and
collections kept from the asker; the correction, shown as "searching for: ...", would tell a
remote model or an MCP client that they hold the word. So it is made only when a passage the
search may show holds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core import Index, open_index
from assistant.locations import resolve_locations
from ingest.embedder import SentenceTransformerEmbedder

DATA = Path(__file__).parents[2] / "data"
QUESTION = "What changed in diffuttils 3.8?"  # "diffutils" with a letter doubled


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder) -> Index:
    home = tmp_path_factory.mktemp("spelling-home")
    locations = resolve_locations({"MARGIN_HOME": str(home)}).ensure()
    opened = open_index(locations, embedder=embedder)
    ingestor = opened.ingestor()
    ingestor.run([DATA / "python_html"])
    ingestor.run([DATA / "news"], collection="news", local_only=True)
    return opened


def test_a_word_only_local_only_documents_hold_is_no_correction_for_others(index: Index) -> None:
    hidden = index.retriever().retrieve(QUESTION, k=3, where_local_only=False)
    assert hidden.respellings == [] and hidden.searched is None
    assert [name.text for name in hidden.missing_names] == ["diffuttils"]
    assert not hidden.relevant


def test_a_word_only_an_excluded_collection_holds_is_no_correction(index: Index) -> None:
    # What the MCP server does for a collection whose policy keeps it from the client
    hidden = index.retriever().retrieve(QUESTION, k=3, excluded_collections=("news",))
    assert hidden.respellings == [] and hidden.searched is None
    assert not hidden.relevant


def test_the_same_word_is_put_right_where_local_only_documents_may_be_read(index: Index) -> None:
    shown = index.retriever().retrieve(QUESTION, k=3)
    assert shown.searched == "What changed in diffutils 3.8?"
    assert shown.relevant and Path(shown.sources[0].path).name == "diffutils-NEWS.txt"
