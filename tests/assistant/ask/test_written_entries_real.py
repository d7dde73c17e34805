"""Options whose entries are lines of text, through the real parts: the pages of bash's
manual that document `set` and `shopt` (bashref.pdf as Debian ships it), tar(1), and
Python's command-line and timeit pages, embedded by MiniLM into LanceDB, asked in quote mode.

`-u` opens four entries there: `set`'s and `shopt`'s, flush-left lines of the PDF under no
heading of their own, and Python's and timeit's, each under its heading. Full-text search
reads `-u` as the letter "u" and leaves it out; the chunk that lists `set`'s options from -p
to -u is far in meaning from "What does set -u do in bash?", and in neither ranking: shopt's
`-u` answered it. The entry under the heading that holds the question's other word, "set",
answers it now, and the quote starts at the option's line, not at the option above.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.ask.types import AskOptions
from assistant.core import Assistant, build_assistant, open_index
from assistant.locations import resolve_locations
from ingest.embedder import SentenceTransformerEmbedder

BASHREF = Path("/usr/share/doc/bash/bashref.pdf")
PYTHON_HTML = Path("/usr/share/doc/python3.11/html")
TAR = Path(__file__).parents[2] / "data" / "man_roff" / "tar.1"
SET_AND_SHOPT = (72, 78)  # pages 73 to 78: "4.3.1 The Set Builtin" to shopt's options


@pytest.fixture(scope="module")
def assistant(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Iterator[Assistant]:
    pages = [PYTHON_HTML / "using" / "cmdline.html", PYTHON_HTML / "library" / "timeit.html"]
    if not BASHREF.exists() or not all(page.exists() for page in pages):
        pytest.skip("bash-doc and python3.11-doc are not installed")
    from pypdf import PdfWriter

    home = tmp_path_factory.mktemp("options-home")
    docs = home / "docs"
    docs.mkdir()
    manual = PdfWriter()
    manual.append(str(BASHREF), pages=SET_AND_SHOPT, import_outline=True)
    manual.write(docs / "bashref-set-shopt.pdf")
    for page in [*pages, TAR]:
        (docs / page.name).write_bytes(page.read_bytes())
    locations = resolve_locations({"MARGIN_HOME": str(home)}).ensure()
    report = open_index(locations, embedder=embedder).ingestor().run([docs])
    assert len(report.added) == 4 and not report.failed
    opened = build_assistant(locations=locations, embedder=embedder)
    yield opened
    opened.close()


def _quote(assistant: Assistant, question: str) -> tuple[str, str]:
    """The answer's text and the heading of the source it cites first."""
    answer = assistant.ask(question, AskOptions(mode="quote")).complete()
    assert not answer.refused and answer.cited
    return answer.answer, answer.sources[answer.cited[0] - 1].heading


@pytest.mark.parametrize(
    ("question", "opening", "section"),
    [
        ("What does set -u do in bash?", "-u Treat unset variables and parameters", "Set"),
        ("what does shopt -u do", "-u Disable (unset) each optname.", "Shopt"),
        ("what does set -e do", "-e Exit immediately if a pipeline", "Set"),
        ("What does the -x option of set do?", "-x Print a trace of simple commands", "Set"),
    ],
)
def test_a_builtins_option_is_quoted_from_its_own_line(
    assistant: Assistant, question: str, opening: str, section: str
) -> None:
    text, heading = _quote(assistant, question)
    assert text.startswith(opening)
    assert heading.endswith(f"The {section} Builtin")


def test_a_manual_pages_option_is_quoted_from_its_entry(assistant: Assistant) -> None:
    text, heading = _quote(assistant, "what does tar -x do")
    assert text.startswith("-x, --extract, --get\nExtract files from an archive.")
    assert heading.endswith("Operation mode")


def test_an_option_under_its_heading_is_quoted_from_the_page_asked_about(
    assistant: Assistant,
) -> None:
    # timeit's `-u, --unit=U` opens an entry of `-u` too, under its page's heading
    text, _ = _quote(assistant, "what does python -u do")
    assert "Force the stdout and stderr streams to be unbuffered." in text
    assert "time unit" not in text
