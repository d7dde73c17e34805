"""Quotes whose passage runs past their window, through the real parts: jq's README and the
passwd(5) manual page as Debian ships them, chunked and embedded by MiniLM into LanceDB,
asked in quote mode.

The chunk that answers which library jq needs for regular expressions ends on "To build,
run:"; the commands it announces open the next chunk. The quote reads on into that chunk,
and the source it cites is shown as far as the quote reaches, so every quoted line is in it.
The window that answers which fields make up a line of /etc/passwd ends on the first item
of the list it announces; the quote carries the list. A chunk of sftp(1) opens inside a
sentence ("partial copy of the remote file matches the local copy."): the quote reads back
into the chunk before, to the sentence's start.
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
PASSWD = Path(__file__).parents[2] / "data" / "man_roff" / "passwd.5"
SFTP = Path(__file__).parents[2] / "data" / "man_roff" / "sftp.1"


@pytest.fixture(scope="module")
def assistant(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Iterator[Assistant]:
    home = tmp_path_factory.mktemp("readme-home")
    locations = resolve_locations({"MARGIN_HOME": str(home)}).ensure()
    open_index(locations, embedder=embedder).ingestor().run([README, PASSWD, SFTP])
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


def test_a_quote_stopping_inside_the_list_it_announces_carries_the_list(
    assistant: Assistant,
) -> None:
    answer = assistant.ask("Which fields make up a line of /etc/passwd?", AskOptions(mode="quote"))
    text = answer.complete().answer
    assert "These fields are:" in text
    items = [line.split(maxsplit=1)[1] for line in text.splitlines() if line.startswith("•")]
    assert items[0] == "login name" and items[-1] == "optional user command interpreter"
    assert len(items) == 7


def test_a_quote_opening_inside_a_sentence_reads_back_to_its_start(assistant: Assistant) -> None:
    # The chunk that answers opens with "rather than overwriting existing partial or complete
    # copies of files.": the rest of -a's sentence, which the chunk before starts.
    question = (
        "Which sftp option continues interrupted transfers rather than overwriting partial copies?"
    )
    answer = assistant.ask(question, AskOptions(mode="quote")).complete()
    assert (
        "-a Attempt to continue interrupted transfers rather than overwriting existing partial or "
        "complete copies of files."
    ) in " ".join(answer.answer.split())
    assert not answer.answer.startswith(("rather than", "If the partial contents"))
    # The source is shown from where the quote starts, before its stored chunk's start, and
    # sends the person to the line the quote starts on: the option's.
    cited = next(s for s in answer.sources if s.number == answer.cited[0])
    stored = assistant.passage(cited.id, around=0)[0].text
    assert cited.text.endswith(stored) and "Attempt to continue" in cited.text[: -len(stored)]
    assert cited.shown_line is not None
    assert SFTP.read_text().splitlines()[cited.shown_line - 1] == ".It Fl a"
