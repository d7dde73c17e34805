"""A quote whose passage runs past its chunk's end, through the real parts: jq's README as
Debian ships it, chunked and embedded by MiniLM into LanceDB, asked in quote mode.

The chunk that answers which library jq needs for regular expressions ends on "To build,
run:"; the commands it announces open the next chunk. The quote reads on into that chunk,
and the source it cites is shown as far as the quote reaches, so every quoted line is in it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.ask.types import AskOptions
from assistant.core import Assistant, build_assistant, open_index
from assistant.locations import resolve_locations
from ingest.embedder import SentenceTransformerEmbedder

README = Path(__file__).parents[2] / "data" / "readmes" / "jq-README"


@pytest.fixture(scope="module")
def assistant(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Iterator[Assistant]:
    home = tmp_path_factory.mktemp("readme-home")
    locations = resolve_locations({"MARGIN_HOME": str(home)}).ensure()
    open_index(locations, embedder=embedder).ingestor().run([README])
    opened = build_assistant(locations=locations, embedder=embedder)
    yield opened
    opened.close()


def test_a_quote_ending_its_chunk_on_a_colon_reads_on_to_the_commands(
    assistant: Assistant,
) -> None:
    question = "Which library does jq need for regular expression support?"
    answer = assistant.ask(question, AskOptions(mode="quote")).complete()
    assert not answer.refused and answer.cited == [1]
    assert "To build, run:\n\n    git submodule update --init" in answer.answer
    assert answer.answer.endswith("    make check\n[1]")
    cited = answer.sources[0]
    # The source is shown as far as the quote reaches: past its stored chunk's end.
    stored = assistant.passage(cited.id, around=0)[0].text
    assert cited.text.startswith(stored) and cited.text.endswith("make check")
    shown = " ".join(cited.text.split())
    for line in answer.sentences[0].evidence.splitlines():
        assert " ".join(line.split()) in shown
