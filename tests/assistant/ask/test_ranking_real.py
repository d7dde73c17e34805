"""Ranking through the real parts (MiniLM, LanceDB, term counts): the cases it fixes.

A question about the shell variable `$RANDOM` shares the word "random" with every line of
Python's `random` module page; BM25 and the vectors both put that page first. Plain fusion
answers from the wrong manual; the code-token signal finds the page that lists `RANDOM`.

A question about Python's option for unbuffered output is answered by the option's entry
(the Python documentation's own text), which both rankings put first; the `sys` page's
paragraph on buffering repeats more of the question's words. Weighing the best evidence
window into the ranking (as the defaults did before) lifts that paragraph over the entry.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ask.evidence import EvidenceSelector
from assistant.ask.retrieval import Retriever
from assistant.ask.term_stats import TermStatistics
from assistant.config import RetrievalConfig
from ingest.embedder import SentenceTransformerEmbedder
from ingest.pipeline import IngestOptions, Ingestor
from ingest.store import ChunkStore
from tests.fixtures.ingest import new_store, write_files

DOCUMENTS = {
    "python-random.md": "# random: generate pseudo-random numbers\n\n"
    "This module implements pseudo-random number generators for various distributions. "
    "random.random() returns the next random floating-point number in the range 0.0 to 1.0. "
    "random.randint(a, b) returns a random integer N such that a <= N <= b. "
    "random.choice(seq) returns a random element from a non-empty sequence. "
    "The range of values a random generator produces is set by its arguments.",
    "bash-variables.md": "# Shell variables\n\n"
    "SECONDS expands to the number of seconds since the shell was started. "
    "LINENO is the line number of the script being run. "
    "RANDOM: each time this parameter is referenced, it expands to an integer between 0 and "
    "32767. Assigning a value to it seeds the sequence. "
    "PPID is the process ID of the shell's parent.",
    "cmdline.md": "# Command line and environment\n\n## Miscellaneous options\n\n### -u\n\n"
    "Force the stdout and stderr streams to be unbuffered. This option has no effect on the "
    "stdin stream.\nSee also PYTHONUNBUFFERED.\nChanged in version 3.7: The text layer of the "
    "stdout and stderr streams now is unbuffered.",
    "sys.md": "# sys: system-specific parameters and functions\n\n"
    "## sys.stdin / sys.stdout / sys.stderr\n\n"
    "When interactive, the stdout stream is line-buffered. Otherwise, it is block-buffered like "
    "regular text files. The stderr stream is line-buffered in both cases. You can make both "
    "streams unbuffered by passing the -u command-line option or setting the PYTHONUNBUFFERED "
    "environment variable.\nChanged in version 3.9: Non-interactive stderr is now line-buffered "
    "instead of fully buffered.",
    "bash-security.md": "# Restricted shell\n\n"
    "Passing untrusted input to the shell is dangerous: a command built from input a user "
    "typed can run any other command the shell allows. Quote every variable, and never pass "
    "untrusted input to eval. A restricted shell limits which commands can run.",
    "subprocess.md": "# subprocess: subprocess management\n\n## Security considerations\n\n"
    "Unlike some other popen functions, this implementation will never implicitly call a "
    "system shell. If the shell is invoked explicitly, via shell=True, it is the application's "
    "responsibility to ensure that all whitespace and metacharacters are quoted appropriately "
    "to avoid shell injection vulnerabilities.",
    "string.md": "# string: common string operations\n\n## Helper functions\n\n"
    "### string.capwords(s, sep=None)\n\n"
    "Split the argument into words using str.split(), capitalize each word using "
    "str.capitalize(), and join the capitalized words using str.join(). If the optional "
    "second argument sep is absent or None, runs of whitespace characters are replaced by a "
    "single space and leading and trailing whitespace are removed.",
    "stdtypes.md": "# Built-in types\n\n## String methods\n\n"
    "### str.split(sep=None, maxsplit=-1)\n\n"
    "Return a list of the words in the string, using sep as the delimiter string. If sep is "
    "not specified or is None, a different splitting algorithm is applied: runs of "
    "consecutive whitespace are regarded as a single separator.",
    "options.md": "# Command line\n\n## Miscellaneous options\n\n### -O\n\n"
    "Remove assert statements and any code conditional on the value of __debug__. Augment "
    "the filename for compiled (bytecode) files by adding .opt-1 before the .pyc extension. "
    "See also PYTHONOPTIMIZE. Changed in version 3.5: modify .pyc filenames according to "
    "PEP 488. " * 3 + "\n\n### -OO\n\nDo -O and also discard docstrings. Augment the "
    "filename for compiled (bytecode) files by adding .opt-2 before the .pyc extension. " * 3,
    "espresso.md": "# Espresso\n\nGrind fine: 18 g of coffee in, 36 g out, in about 28 seconds.",
    "kittens.md": "# Kitten care\n\nKittens get their first vaccines at eight weeks.",
}
QUESTION = "What range of values does $RANDOM produce?"
OPTION = "What does python -O strip out of my program?"
SPLIT = "How does str.split() without arguments treat several spaces in a row?"
KEYWORD = "Why is passing untrusted input to a command with shell=True dangerous?"
UNBUFFERED = "Which python option makes stdout and stderr unbuffered?"
PLAIN = RetrievalConfig(vector_weight=0.5, document_weight=0, evidence_weight=0, code_weight=0)
# The defaults before: chosen on real-tune over an older index; evidence counted for 0.25.
BEFORE = RetrievalConfig(vector_weight=0.3, document_weight=0.5, evidence_weight=0.25)


@pytest.fixture(scope="module")
def index(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> tuple[ChunkStore, TermStatistics]:
    tmp_path = tmp_path_factory.mktemp("ranking")
    write_files(tmp_path / "docs", DOCUMENTS)
    store = new_store(tmp_path, embedder)
    Ingestor(store, embedder, IngestOptions()).run([tmp_path / "docs"])
    return store, TermStatistics(tmp_path / "terms.sqlite", store)


def _retriever(
    index: tuple[ChunkStore, TermStatistics],
    embedder: SentenceTransformerEmbedder,
    config: RetrievalConfig,
) -> Retriever:
    store, terms = index
    evidence = EvidenceSelector(terms.idf, embedder, dense_sentences=config.dense_sentences)
    return Retriever(store, embedder, config, evidence=evidence)


def test_plain_fusion_puts_the_python_page_first(
    index: tuple[ChunkStore, TermStatistics], embedder: SentenceTransformerEmbedder
) -> None:
    found = _retriever(index, embedder, PLAIN).retrieve(QUESTION, k=3)
    assert Path(found.sources[0].path).name == "python-random.md"


def test_the_default_ranking_finds_the_manual_that_lists_the_variable(
    index: tuple[ChunkStore, TermStatistics], embedder: SentenceTransformerEmbedder
) -> None:
    found = _retriever(index, embedder, RetrievalConfig()).retrieve(QUESTION, k=3)
    assert Path(found.sources[0].path).name == "bash-variables.md"
    scores = [s.score for s in found.sources]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert found.relevant


def test_a_keyword_argument_in_the_question_finds_the_page_that_holds_it(
    index: tuple[ChunkStore, TermStatistics], embedder: SentenceTransformerEmbedder
) -> None:
    plain = _retriever(index, embedder, PLAIN).retrieve(KEYWORD, k=3)
    assert Path(plain.sources[0].path).name == "bash-security.md"
    found = _retriever(index, embedder, RetrievalConfig()).retrieve(KEYWORD, k=3)
    assert Path(found.sources[0].path).name == "subprocess.md"


def test_the_entry_of_the_api_the_question_names_comes_before_a_mention_of_it(
    index: tuple[ChunkStore, TermStatistics], embedder: SentenceTransformerEmbedder
) -> None:
    found = _retriever(index, embedder, RetrievalConfig()).retrieve(SPLIT, k=3)
    assert [Path(s.path).name for s in found.sources][:2] == ["stdtypes.md", "string.md"]
    assert found.sources[0].score > found.sources[1].score  # both hold `str.split`


def test_the_entry_an_option_names_is_found_where_neither_ranking_finds_it(
    index: tuple[ChunkStore, TermStatistics], embedder: SentenceTransformerEmbedder
) -> None:
    # Full-text search reads -O as the letter "o" and leaves it out; with a pool smaller than
    # the index, as in any real one, neither ranking holds the option's entry.
    store, _terms = index
    narrow = RetrievalConfig(pool=2)
    vector = store.vector_search(embedder.embed_query(OPTION), narrow.pool)
    text = store.text_search(OPTION, narrow.pool)
    assert "-O" not in {c.heading.rpartition(" > ")[2] for c in vector + text}
    found = _retriever(index, embedder, narrow).retrieve(OPTION, k=3)
    [entry] = [s for s in found.sources if s.heading.endswith("> -O")]
    assert "Remove assert statements" in entry.text


def test_the_entry_both_rankings_put_first_stays_first_by_default(
    index: tuple[ChunkStore, TermStatistics], embedder: SentenceTransformerEmbedder
) -> None:
    store, _terms = index
    vector = embedder.embed_query(UNBUFFERED)
    assert Path(store.vector_search(vector, 1)[0].path).name == "cmdline.md"
    assert Path(store.text_search(UNBUFFERED, 1)[0].path).name == "cmdline.md"
    found = _retriever(index, embedder, RetrievalConfig()).retrieve(UNBUFFERED, k=3)
    assert [Path(s.path).name for s in found.sources][:2] == ["cmdline.md", "sys.md"]
    assert found.relevant


def test_weighing_in_the_evidence_window_lifts_the_page_that_repeats_the_words(
    index: tuple[ChunkStore, TermStatistics], embedder: SentenceTransformerEmbedder
) -> None:
    found = _retriever(index, embedder, BEFORE).retrieve(UNBUFFERED, k=3)
    assert Path(found.sources[0].path).name == "sys.md"


def test_a_passage_full_text_search_finds_far_ahead_of_the_rest_is_first(
    index: tuple[ChunkStore, TermStatistics], embedder: SentenceTransformerEmbedder
) -> None:
    # The vectors take "seeds the sequence" for the random module; only the bash manual says
    # it. With the vector ranking's pool smaller than the index, as in any real one, BM25's
    # lead (over 2.5 times the next) is what finds it.
    store, _terms = index
    query = "seeds the sequence"
    assert Path(store.vector_search(embedder.embed_query(query), 1)[0].path).name == (
        "python-random.md"
    )
    first, second = store.text_search(query, 5)[:2]
    assert Path(first.path).name == "bash-variables.md" and first.score > 2.5 * second.score
    found = _retriever(index, embedder, RetrievalConfig(pool=1)).retrieve(query, k=2)
    assert Path(found.sources[0].path).name == "bash-variables.md"
