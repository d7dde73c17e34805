"""Metric functions against cases computed by hand."""

from __future__ import annotations

import math

import pytest

from assistant.evaluation import metrics as m
from assistant.evaluation.summary import summarize

RANKED = ["a", "b", "c", "d", "e", "f"]


def test_distinct_keeps_first_occurrence_order() -> None:
    assert m.distinct(["x", "y", "x", "z", "y"]) == ["x", "y", "z"]


@pytest.mark.parametrize(
    ("relevant", "k", "expected"),
    [({"a"}, 1, 1.0), ({"b"}, 1, 0.0), ({"e"}, 5, 1.0), ({"f"}, 5, 0.0), ({"zz"}, 5, 0.0)],
)
def test_hit_at(relevant: set[str], k: int, expected: float) -> None:
    assert m.hit_at(RANKED, relevant, k) == expected


def test_recall_at_counts_the_share_found() -> None:
    assert m.recall_at(RANKED, {"b", "e", "zz"}, 3) == pytest.approx(1 / 3)
    assert m.recall_at(RANKED, {"b", "e", "zz"}, 6) == pytest.approx(2 / 3)
    with pytest.raises(ValueError):
        m.recall_at(RANKED, set(), 3)


def test_reciprocal_rank_is_one_over_first_relevant_rank_within_k() -> None:
    assert m.reciprocal_rank_at(RANKED, {"c", "e"}) == pytest.approx(1 / 3)
    assert m.reciprocal_rank_at(RANKED, {"f"}, k=5) == 0.0
    assert m.reciprocal_rank_at([], {"a"}) == 0.0


def test_ndcg_binary_by_hand() -> None:
    # relevant at ranks 2 and 4: DCG = 1/log2(3) + 1/log2(5); ideal = 1/log2(2) + 1/log2(3)
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    ideal = 1 + 1 / math.log2(3)
    assert m.ndcg_at(RANKED, {"b", "d"}) == pytest.approx(dcg / ideal)
    assert m.ndcg_at(RANKED, {"a"}) == 1.0
    assert m.ndcg_at(RANKED, {"zz"}) == 0.0


def test_ndcg_ideal_is_bounded_by_k() -> None:
    many = {f"r{i}" for i in range(15)}
    ranked = sorted(many)
    assert m.ndcg_at(ranked, many, 10) == pytest.approx(1.0)


def test_normalize_folds_case_punctuation_and_width() -> None:
    assert m.normalize("  Ctrl+Q,  then ＥＮＴＥＲ! ") == "ctrl q then enter"
    assert m.normalize("charset_normalizer") == "charset normalizer"


def test_contains_matches_whole_words_after_normalising() -> None:
    assert m.contains("The limit is 50 MB by default.", "50 mb") == 1.0
    assert m.contains("The limit is 500 MB.", "50 MB") == 0.0
    assert m.contains("Run `margin watch PATH`", "margin watch") == 1.0
    with pytest.raises(ValueError):
        m.contains("anything", "!!")


def test_token_f1_by_hand() -> None:
    # answer words: the limit is 50 mb (5); expected: 50 mb (2); common 2
    # precision 2/5, recall 1 -> F1 = 2 * 0.4 * 1 / 1.4
    assert m.token_f1("The limit is 50 MB", "50 MB") == pytest.approx(0.8 / 1.4)
    assert m.token_f1("nothing here", "50 MB") == 0.0
    assert m.token_f1("50 MB", "50 mb") == 1.0


def test_token_f1_counts_repeated_words_once_each() -> None:
    # answer: a a b (3), expected: a b b (3); common = min counts: a 1, b 1 = 2
    assert m.token_f1("a a b", "a b b") == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("refused", "answerable", "expected"),
    [(True, False, 1.0), (False, True, 1.0), (True, True, 0.0), (False, False, 0.0)],
)
def test_refusal_correct(refused: bool, answerable: bool, expected: float) -> None:
    assert m.refusal_correct(refused, answerable) == expected


def test_mean_skips_missing_values() -> None:
    assert m.mean([1.0, None, 0.0]) == 0.5
    assert m.mean([None]) is None


def _answered(containment: float | None, *, weak: bool, answerable: bool = True) -> dict:
    return {
        "answerable": answerable,
        "answer": "a quote [1]",
        "refused": False,
        "guardrails": ["evidence.weak"] if weak else [],
        "metrics": {"containment": containment, "refusal_correct": float(answerable)},
        "latency_ms": {},
        "usage": {},
    }


def test_a_run_says_how_often_weak_and_confident_answers_held_the_expected_answer() -> None:
    questions = [
        _answered(1.0, weak=True),
        _answered(0.0, weak=True),
        _answered(None, weak=True, answerable=False),  # no expected answer to hold
        _answered(1.0, weak=False),
        _answered(1.0, weak=False),
        _answered(0.0, weak=False),
        {**_answered(None, weak=False), "refused": True, "answer": "Not found."},
    ]
    figures = summarize(questions)
    assert figures["weak_matches"] == 3
    assert figures["containment_when_weak"] == 0.5
    assert figures["containment_when_confident"] == pytest.approx(2 / 3)
