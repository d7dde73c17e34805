"""Questions on real pages nobody here wrote, ingested with the real MiniLM into LanceDB and
searched the way `margin ask` searches (`Index.retriever`, its ranking and names rule), or
answered in quote mode: the zlib, copy, functools and time references and the tutorial's page
on errors of the Python documentation, and GNU diffutils' NEWS file.

- A pasted stack trace: the asker's file name (`unpack_logs.py`) is nowhere in the documents
  and never will be, it says where the asker's program failed; the question is about the
  exception, which the zlib page documents, so it is answered, not refused for a name.
- One release of a long changelog: every section of a NEWS file reads alike ("Bug fixes",
  "diff now ..."), and full-text search splits "3.8" into "3" and "8", so without more the
  release asked about is one passage among many; the passage that holds it comes first.
- A misspelt word ("compresion") no page holds is searched for as the word the page uses.
- What the asker tried, told before the question ("I copied a nested list with copy.copy"),
  does not outrank the passage on what is asked: `copy.copy`'s own entry holds the code
  token, the paragraph on deep copies does not.
- The tutorial's page on errors says what a try statement's else clause is for; a question
  names the clause by its keywords ("else", "try"), words that are stop words in prose.
  The quote is the sentence that says it, not the try statement's other clauses.
- What functools.lru_cache does with `maxsize=None` is said in a sentence of its entry, and
  shown in an example a chunk before it: the sentence is quoted, not the code.
- "What is the capital of Australia?" shares one word with the time page's TZ examples
  ("Australia/Melbourne"), which outweighs the rest of the question in coverage; nothing
  else says the page answers it, and it is refused.
- A date given as an example of what to parse ("like 2024-01-31") is not asked about: the
  page on time.strptime answers though it never holds that date; a date asked about is. Nor
  is a quantity ("suspend execution for 500ms"): time.sleep's entry answers without writing it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.ask.types import AskOptions
from assistant.core import Assistant, Index, build_assistant, open_index
from assistant.locations import Locations, resolve_locations
from ingest.embedder import SentenceTransformerEmbedder

DATA = Path(__file__).parents[2] / "data"
TRACE = (
    "Traceback (most recent call last):\n"
    '  File "unpack_logs.py", line 3, in <module>\n'
    "    data = zlib.decompress(blob)\n"
    "zlib.error: Error -3 while decompressing data: incorrect header check\n"
    "What does this mean?"
)


@pytest.fixture(scope="module")
def locations(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Locations:
    home = tmp_path_factory.mktemp("pages-home")
    ingested = resolve_locations({"MARGIN_HOME": str(home)}).ensure()
    open_index(ingested, embedder=embedder).ingestor().run([DATA / "python_html", DATA / "news"])
    return ingested


@pytest.fixture(scope="module")
def index(locations: Locations, embedder: SentenceTransformerEmbedder) -> Index:
    return open_index(locations, embedder=embedder)


@pytest.fixture(scope="module")
def assistant(locations: Locations, embedder: SentenceTransformerEmbedder) -> Iterator[Assistant]:
    opened = build_assistant(locations=locations, embedder=embedder)
    yield opened
    opened.close()


def test_a_pasted_traceback_is_answered_from_the_page_of_its_exception(index: Index) -> None:
    found = index.retriever().retrieve(TRACE, k=3)
    assert Path(found.sources[0].path).name == "zlib.html"
    assert found.missing_names == []
    assert found.relevant


def test_a_name_the_question_asks_about_is_still_missing_after_a_trace(index: Index) -> None:
    found = index.retriever().retrieve(TRACE.replace("What does", "Does zstandard"), k=3)
    assert [name.text for name in found.missing_names] == ["zstandard"]
    assert not found.relevant


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


def test_a_misspelt_word_is_searched_for_as_the_word_the_page_uses(index: Index) -> None:
    found = index.retriever().retrieve("What is the default compresion level of zlib?", k=3)
    assert [(r.word, r.correction) for r in found.respellings] == [("compresion", "compression")]
    assert found.searched == "What is the default compression level of zlib?"
    assert found.relevant and Path(found.sources[0].path).name == "zlib.html"
    # a name no page holds is still missing, not turned into a word that is there
    unknown = index.retriever().retrieve("Does zstandard compress better than zlib?", k=3)
    assert unknown.respellings == [] and unknown.searched is None


def test_the_code_the_asker_tried_does_not_outrank_the_passage_asked_about(index: Index) -> None:
    question = (
        "I copied a nested list with copy.copy and changing an inner list changed the original"
        " too. How is a deep copy different?"
    )
    found = index.retriever().retrieve(question, k=3)
    assert "A deep copy constructs a new compound object" in found.sources[0].text
    # asked about in the sentence that asks, the entry is what holds the answer
    entry = index.retriever().retrieve("What does copy.copy return for a nested list?", k=3)
    assert entry.sources[0].text.startswith("copy.copy(x)")


@pytest.mark.parametrize(
    "question",
    [
        "What is the else clause of a try statement good for?",
        "When should I use an else block with try instead of more code in the try block?",
    ],
)
def test_the_keywords_a_question_names_choose_the_quote(
    assistant: Assistant, question: str
) -> None:
    answer = assistant.ask(question, AskOptions(mode="quote")).complete()
    assert "it avoids accidentally catching an exception" in " ".join(answer.answer.split())


def test_what_a_page_says_of_an_argument_is_quoted_not_the_example_using_it(
    assistant: Assistant,
) -> None:
    question = "What happens if I pass maxsize=None to functools.lru_cache?"
    answer = assistant.ask(question, AskOptions(mode="quote")).complete()
    assert "If maxsize is set to None, the LRU feature is disabled" in answer.answer


def test_a_question_one_word_of_a_far_page_matches_is_refused(index: Index) -> None:
    found = index.retriever().retrieve("What is the capital of Australia?", k=3)
    assert found.gate_score >= found.min_relevance  # on the coverage of "Australia" alone
    assert found.evidence.held_by_best() == {"australia"}
    assert found.one_word_match and not found.relevant
    # a question the page answers, in its words, is not a one-word match
    answered = index.retriever().retrieve("How do I set the TZ environment variable?", k=3)
    assert answered.relevant and not answered.one_word_match


def test_a_date_given_as_an_example_is_not_asked_about(index: Index) -> None:
    found = index.retriever().retrieve(
        "How do I parse a date string like 2024-01-31 with the time module?", k=3
    )
    assert found.missing_names == [] and found.relevant
    assert any("strptime" in s.heading + s.text for s in found.sources)
    # a date asked about, which no page holds, is missing
    asked = index.retriever().retrieve("What happened on 2024-01-31?", k=3)
    assert [name.text for name in asked.missing_names] == ["2024-01-31"]
    assert not asked.relevant


def test_a_quantity_the_question_gives_is_not_asked_about(index: Index) -> None:
    found = index.retriever().retrieve("How do I suspend execution for 500ms?", k=3)
    assert found.missing_names == [] and found.relevant
    assert any("time.sleep" in s.heading + s.text for s in found.sources)
