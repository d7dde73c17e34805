"""The relevance gate's rule (`Retrieval.relevant`): the sources' best chunk cosine mixed with
the best evidence window's coverage, the coverage floor and the names rule."""

from __future__ import annotations

import pytest

from assistant.ask.evidence import Evidence, EvidenceWindow
from assistant.ask.names import ChunkCounts, MissingName
from assistant.ask.retrieval import (
    GATE_SIMILARITY_SHARE,
    ONE_WORD_SIMILARITY,
    UNSEEN_WORDS_SIMILARITY,
    Retrieval,
)
from assistant.ask.sentences import TextSpan
from assistant.ask.types import Source
from assistant.config import RetrievalConfig

CONFIG = RetrievalConfig()


def window(
    coverage: float,
    similarity: float | None,
    text: str = "A sentence.",
    held: frozenset[str] = frozenset(),
) -> EvidenceWindow:
    source = Source(1, "id-1", "notes.md", None, "", None, 0.9, text)
    span = TextSpan(0, len(text), text)
    score = 0.5 * (similarity or 0.0) + 0.5 * coverage
    return EvidenceWindow(source, span, span, coverage, similarity, score, terms=held)


def retrieval(
    windows: list[EvidenceWindow],
    similarity: float,
    missing: list[MissingName] | None = None,
    terms: dict[str, float] | None = None,
    counts: dict[str, int] | None = None,
    read: list[list[str]] | None = None,
) -> Retrieval:
    sources = [w.source for w in windows[:1]]
    return Retrieval(
        sources,
        Evidence(windows, terms or {}, None if counts is None else _counted(counts, read)),
        CONFIG.min_relevance,
        CONFIG.min_coverage,
        missing_names=missing or [],
        similarity=similarity,
        confident_relevance=CONFIG.confident_relevance,
    )


def test_the_gate_score_mixes_the_best_chunk_cosine_and_the_best_coverage() -> None:
    found = retrieval([window(0.3, 0.9), window(0.6, None)], similarity=0.5)
    expected = GATE_SIMILARITY_SHARE * 0.5 + (1 - GATE_SIMILARITY_SHARE) * 0.6
    assert found.gate_score == pytest.approx(expected)


def test_a_question_in_other_words_than_its_answer_passes_on_the_chunk_cosine() -> None:
    # "glue a list of words into one string": no sentence of str.join's chunk is near the
    # question, the chunk is (real-tune: sentence score 0.18, chunk cosine 0.53)
    found = retrieval([window(0.36, 0.0)], similarity=0.53)
    assert found.evidence.best is not None and found.evidence.best.score < CONFIG.min_relevance
    assert found.relevant


def test_far_sources_that_share_a_few_words_are_refused() -> None:
    # "What's a good recipe for banana bread?" over the Python docs: one sentence looks
    # like it (0.45), the chunks do not (0.25), a quarter of the terms are there
    found = retrieval([window(0.26, 0.45)], similarity=0.25)
    assert found.gate_score < CONFIG.min_relevance
    assert not found.relevant


def test_a_negative_cosine_counts_as_none() -> None:
    found = retrieval([window(0.7, None)], similarity=-0.2)
    assert found.gate_score == pytest.approx((1 - GATE_SIMILARITY_SHARE) * 0.7)


def test_too_little_of_the_question_is_refused_however_near_the_chunks() -> None:
    found = retrieval([window(CONFIG.min_coverage / 2, 0.9)], similarity=0.95)
    assert found.gate_score >= CONFIG.min_relevance
    assert not found.relevant


def test_a_name_nothing_mentions_is_refused_however_strong_the_rest() -> None:
    found = retrieval([window(0.9, 0.9)], similarity=0.9, missing=[MissingName("pyenv", 0)])
    assert not found.relevant


def test_nothing_found_is_never_relevant() -> None:
    found = retrieval([], similarity=0.9)
    assert found.gate_score == 0.0
    assert not found.relevant


def test_an_answer_that_only_just_passes_is_a_weak_match() -> None:
    # the long notes' hard negative "Which train goes to the team offsite?": 0.42
    just = retrieval([window(0.45, 0.3)], similarity=0.38)
    assert CONFIG.min_relevance <= just.gate_score < CONFIG.confident_relevance
    assert just.relevant and just.weak
    clear = retrieval([window(0.8, 0.6)], similarity=0.6)
    assert clear.relevant and not clear.weak
    refused = retrieval([window(0.1, 0.2)], similarity=0.2)
    assert not refused.relevant and not refused.weak  # a refusal is not also "weak"


AUSTRALIA = {"capital": 7.55, "australia": 8.4}  # the question's terms, by their IDF


def test_one_word_of_the_question_from_far_sources_is_refused() -> None:
    # "What is the capital of Australia?" over time.html's "Australia/Melbourne" TZ example
    tz = window(
        0.53, None, "TZ='Australia/Melbourne' sets the time zone.", frozenset({"australia"})
    )
    found = retrieval([tz], similarity=0.27, terms=AUSTRALIA)
    assert found.gate_score >= CONFIG.min_relevance
    assert found.one_word_match and not found.relevant
    # the same word from sources near the question in meaning passes
    near = retrieval([tz], similarity=ONE_WORD_SIMILARITY, terms=AUSTRALIA)
    assert not near.one_word_match and near.relevant


def test_two_words_of_the_question_or_a_one_word_question_are_no_one_word_match() -> None:
    both = window(1.0, None, "Canberra is the capital of Australia.", frozenset(AUSTRALIA))
    assert retrieval([both], similarity=0.27, terms=AUSTRALIA).relevant
    jq = window(1.0, None, "jq is a lightweight command-line JSON processor.", frozenset({"jq"}))
    assert retrieval([jq], similarity=0.27, terms={"jq": 6.79}).relevant


def _counted(counts: dict[str, int], read: list[list[str]] | None) -> ChunkCounts:
    """The index's counts of terms, as `TermStatistics.chunk_counts` gives them, each read kept."""

    def term_counts(terms: list[str], paths: list[str] | None = None) -> dict[str, int]:
        if read is not None:
            read.append(terms)
        return {term: counts.get(term, 0) for term in terms}

    return term_counts


def test_a_one_word_match_whose_other_words_no_document_holds_needs_less_closeness() -> None:
    tz = window(0.53, None, "TZ='Australia/Melbourne'", frozenset({"australia"}))
    between = (UNSEEN_WORDS_SIMILARITY + ONE_WORD_SIMILARITY) / 2
    read: list[list[str]] = []
    unseen = retrieval(
        [tz], similarity=between, terms=AUSTRALIA, counts={"australia": 3}, read=read
    )
    assert not unseen.one_word_match and read == [["australia", "capital"]]
    seen = retrieval(
        [tz], similarity=between, terms=AUSTRALIA, counts={"australia": 3, "capital": 9}
    )
    assert seen.one_word_match
    # below the lower bound, or with no counts to read, a one-word match is refused as before
    far = retrieval(
        [tz], similarity=UNSEEN_WORDS_SIMILARITY - 0.01, terms=AUSTRALIA, counts={}, read=read
    )
    assert far.one_word_match and len(read) == 1  # the counts are not read
    assert retrieval([tz], similarity=between, terms=AUSTRALIA).one_word_match
