"""The gate calibration's tables, from measured rows (no index needed)."""

from __future__ import annotations

from typing import Any

from assistant.config import RetrievalConfig
from eval.calibrate_gate import coverage_table, passing_table, refused


def row(
    answerable: bool,
    score: float,
    coverage: float,
    names: list[Any] | None = None,
    *,
    one_word: bool = False,
) -> dict:
    return {
        "answerable": answerable,
        "score": score,
        "coverage": coverage,
        "one_word": one_word,
        "unfound_names": names or [],
    }


ROWS = [
    row(True, 0.60, 0.50),
    row(True, 0.45, 0.12),  # the fact in other words: little of the question's wording
    row(True, 0.50, 0.40, [["subfolder", 0]]),  # the user's word, nowhere in the index
    row(False, 0.20, 0.30),
    row(False, 0.40, 0.08),
    row(False, 0.50, 0.50, [["pyenv", 0]]),
]


def test_each_rule_refuses_on_its_own() -> None:
    assert refused(row(True, 0.29, 0.9), 0.30, 0.1, 5)
    assert refused(row(True, 0.9, 0.09), 0.30, 0.1, 5)
    assert refused(row(True, 0.9, 0.9, [["pyenv", 5]]), 0.30, 0.1, 5)
    assert not refused(row(True, 0.9, 0.9, [["pyenv", 6]]), 0.30, 0.1, 5)
    assert not refused(row(True, 0.9, 0.9, [["pyenv", 0]]), 0.30, 0.1, -1)
    assert refused(row(False, 0.9, 0.9, one_word=True), 0.30, 0.1, -1)


def test_the_coverage_table_moves_only_the_coverage_threshold() -> None:
    config = RetrievalConfig(min_relevance=0.30, passing_mentions=5)
    table = {t["min_coverage"]: t for t in coverage_table(ROWS, config)}
    # 0.0: the score and the names refuse 1 of 3 answerable, 2 of 3 unanswerable
    assert table[0.0] == {
        "min_coverage": 0.0,
        "false_refusals": 1 / 3,
        "unanswerable_refused": 2 / 3,
    }
    assert table[0.1]["false_refusals"] == 1 / 3 and table[0.1]["unanswerable_refused"] == 1.0
    assert table[0.15]["false_refusals"] == 2 / 3


def test_the_names_table_turns_the_rule_off_at_minus_one() -> None:
    config = RetrievalConfig(min_relevance=0.30, min_coverage=0.1)
    table = {t["passing_mentions"]: t for t in passing_table(ROWS, config)}
    assert table[-1] == {
        "passing_mentions": -1,
        "false_refusals": 0.0,
        "unanswerable_refused": 2 / 3,
    }
    assert table[0]["false_refusals"] == 1 / 3 and table[0]["unanswerable_refused"] == 1.0
