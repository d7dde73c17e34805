"""A question with a pasted stack trace, on a real page: the zlib reference of the Python
documentation, ingested with the real MiniLM into LanceDB and searched the way `margin ask`
searches (`Index.retriever`, with its names rule).

The asker's file name in the trace (`unpack_logs.py`) is nowhere in the documents, and never
will be: it says where the asker's program failed. The question is about the exception, which
the page documents, so it is answered, not refused for a missing name."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core import Index, open_index
from assistant.locations import resolve_locations
from ingest.embedder import SentenceTransformerEmbedder

PAGES = Path(__file__).parents[2] / "data" / "python_html"
TRACE = (
    "Traceback (most recent call last):\n"
    '  File "unpack_logs.py", line 3, in <module>\n'
    "    data = zlib.decompress(blob)\n"
    "zlib.error: Error -3 while decompressing data: incorrect header check\n"
    "What does this mean?"
)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder) -> Index:
    home = tmp_path_factory.mktemp("trace-home")
    locations = resolve_locations({"MARGIN_HOME": str(home)}).ensure()
    opened = open_index(locations, embedder=embedder)
    opened.ingestor().run([PAGES])
    return opened


def test_a_pasted_traceback_is_answered_from_the_page_of_its_exception(index: Index) -> None:
    found = index.retriever().retrieve(TRACE, k=3)
    assert Path(found.sources[0].path).name == "zlib.html"
    assert found.missing_names == []
    assert found.relevant


def test_a_name_the_question_asks_about_is_still_missing_after_a_trace(index: Index) -> None:
    found = index.retriever().retrieve(TRACE.replace("What does", "Does zstandard"), k=3)
    assert [name.text for name in found.missing_names] == ["zstandard"]
    assert not found.relevant
