"""Comparing runs, and --fail-under thresholds."""

from __future__ import annotations

import pytest

from assistant.errors import UsageError
from assistant.evaluation.compare import Paired, compare_runs
from assistant.evaluation.summary import Threshold, shortfalls


def run(run_id: int, metrics: dict, questions: list[tuple[str, dict]]) -> dict:
    return {
        "run_id": run_id,
        "metrics": metrics,
        "questions": [{"question": q, "metrics": m} for q, m in questions],
    }


def test_deltas_know_which_direction_is_better() -> None:
    a = run(1, {"hit@1": 0.5, "latency_ms.ask.total.p95": 900.0, "containment": None}, [])
    b = run(2, {"hit@1": 0.75, "latency_ms.ask.total.p95": 1200.0, "containment": 0.4}, [])
    deltas = {d.metric: d for d in compare_runs(a, b).deltas}
    assert deltas["hit@1"].delta == pytest.approx(0.25)
    assert deltas["hit@1"].verdict == "better"
    assert deltas["latency_ms.ask.total.p95"].verdict == "worse"
    assert deltas["containment"].verdict == "n/a"
    assert deltas["containment"].after == 0.4


def test_an_unchanged_figure_is_the_same_whatever_its_questions_did() -> None:
    questions = [("q1", {"hit@1": 1.0}), ("q2", {"hit@1": 0.0})]
    flipped = [("q1", {"hit@1": 0.0}), ("q2", {"hit@1": 1.0})]
    a = run(1, {"hit@1": 0.5, "latency_ms.ask.total.p95": 900.0}, questions)
    b = run(2, {"hit@1": 0.5, "latency_ms.ask.total.p95": 900.0}, flipped)
    deltas = {d.metric: d for d in compare_runs(a, b).deltas}
    assert deltas["hit@1"].verdict == deltas["latency_ms.ask.total.p95"].verdict == "same"
    assert deltas["hit@1"].paired == Paired(better=1, worse=1)


def test_sign_test_p_values() -> None:
    assert Paired(better=0, worse=0).p_value == 1.0
    assert Paired(better=3, worse=1).p_value == pytest.approx(0.625)  # 2 * 5/16
    assert Paired(better=5, worse=0).p_value == pytest.approx(0.0625)  # 2 / 32
    assert Paired(better=0, worse=6).p_value == pytest.approx(0.03125)  # 2 / 64
    assert Paired(better=9, worse=9).p_value == 1.0


def scored(prefix: str, values: list[float], metric: str = "hit@1") -> list[tuple[str, dict]]:
    return [(f"{prefix}{n}", {metric: v}) for n, v in enumerate(values)]


def test_a_change_of_a_few_questions_is_unclear_not_better() -> None:
    before = [0.0] * 10
    two_up = [1.0, 1.0] + [0.0] * 8
    comparison = compare_runs(
        run(1, {"hit@1": 0.0}, scored("q", before)), run(2, {"hit@1": 0.2}, scored("q", two_up))
    )
    (hit,) = comparison.deltas
    assert (hit.verdict, hit.paired) == ("unclear", Paired(better=2, worse=0))
    assert comparison.to_json()["deltas"][0]["p_value"] == pytest.approx(0.5)

    eight_up = [1.0] * 8 + [0.0] * 2
    (hit,) = compare_runs(
        run(1, {"hit@1": 0.0}, scored("q", before)), run(2, {"hit@1": 0.8}, scored("q", eight_up))
    ).deltas
    assert (hit.verdict, hit.paired) == ("better", Paired(better=8, worse=0))


def test_a_mean_the_questions_contradict_is_unclear() -> None:
    """One question much better and nine slightly worse: the mean rises, most questions
    fell, and the fall is beyond chance: neither "better" nor "worse" describes it."""
    before = [0.1] + [1.0] * 9
    after = [1.0] + [0.95] * 9
    a = run(1, {"mrr@10": sum(before) / 10}, scored("q", before, "mrr@10"))
    b = run(2, {"mrr@10": sum(after) / 10}, scored("q", after, "mrr@10"))
    (mrr,) = compare_runs(a, b).deltas
    assert mrr.delta is not None and mrr.delta > 0
    assert mrr.paired is not None and mrr.paired.p_value < 0.05
    assert mrr.verdict == "unclear"


def test_refusal_accuracy_is_paired_through_refusal_correct() -> None:
    a = run(1, {"refusal_accuracy": 0.0}, scored("q", [0.0] * 6, "refusal_correct"))
    b = run(2, {"refusal_accuracy": 1.0}, scored("q", [1.0] * 6, "refusal_correct"))
    (refusals,) = compare_runs(a, b).deltas
    assert (refusals.verdict, refusals.paired) == ("better", Paired(better=6, worse=0))


def test_a_latency_percentile_is_paired_on_each_questions_time() -> None:
    """One slow question lifts the p95 of ten: unclear. Every question slower: worse."""

    def timed(run_id: int, p95: float, times: list[float]) -> dict:
        return {
            "run_id": run_id,
            "metrics": {"latency_ms.ask.total.p95": p95},
            "questions": [
                {"question": f"q{n}", "metrics": {}, "latency_ms": {"ask.total": ms}}
                for n, ms in enumerate(times)
            ],
        }

    steady = timed(1, 100.0, [100.0] * 10)
    (one_slow,) = compare_runs(steady, timed(2, 500.0, [100.0] * 9 + [500.0])).deltas
    assert (one_slow.verdict, one_slow.paired) == ("unclear", Paired(better=0, worse=1))
    (all_slower,) = compare_runs(steady, timed(2, 150.0, [150.0] * 10)).deltas
    assert (all_slower.verdict, all_slower.paired) == ("worse", Paired(better=0, worse=10))
    (all_faster,) = compare_runs(steady, timed(2, 60.0, [60.0] * 10)).deltas
    assert all_faster.verdict == "better"


def test_questions_that_got_worse_are_listed_worst_first() -> None:
    a = run(
        1,
        {},
        [
            ("q1", {"hit@1": 1.0, "mrr@10": 1.0}),
            ("q2", {"hit@1": 1.0, "containment": 1.0}),
            ("q3", {"hit@1": 0.0}),
            ("gone", {"hit@1": 1.0}),
        ],
    )
    b = run(
        2,
        {},
        [
            ("q1", {"hit@1": 0.0, "mrr@10": 0.5}),
            ("q2", {"hit@1": 1.0, "containment": 0.0}),
            ("q3", {"hit@1": 1.0}),
            ("new", {"hit@1": 1.0}),
        ],
    )
    comparison = compare_runs(a, b)
    assert [c.question for c in comparison.worse] == ["q1", "q2"]
    assert comparison.worse[0].drops == (("hit@1", 1.0, 0.0), ("mrr@10", 1.0, 0.5))
    assert comparison.only_in_a == ("gone",)
    assert comparison.only_in_b == ("new",)
    printed = comparison.to_json()
    assert printed["run_a"] == 1 and printed["worse_questions"][1]["question"] == "q2"


def test_thresholds_parse_and_report_shortfalls() -> None:
    metrics = {"hit@5": 0.7, "mrr@10": 0.9, "latency_ms.ask.total.p95": 2000.0, "ndcg@10": None}
    thresholds = [
        Threshold.parse("hit@5=0.8"),
        Threshold.parse("mrr@10=0.5"),
        Threshold.parse("latency_ms.ask.total.p95=1500"),
        Threshold.parse("ndcg@10=0.1"),
        Threshold.parse("hit@3=0.1"),
    ]
    problems = shortfalls(metrics, thresholds)
    assert problems[0] == "hit@5 = 0.7, under the minimum 0.8"
    assert problems[1] == "latency_ms.ask.total.p95 = 2000, above the limit 1500"
    assert "ndcg@10 has no value" in problems[2]
    assert problems[3].startswith("hit@3 is not a metric of this run; known: hit@5, mrr@10")
    assert len(problems) == 4


def test_runs_logged_without_text_match_by_hash() -> None:
    a = {
        "metrics": {},
        "questions": [{"question_sha256": "ab", "line": 4, "metrics": {"hit@1": 1.0}}],
    }
    b = {
        "metrics": {},
        "questions": [{"question_sha256": "ab", "line": 4, "metrics": {"hit@1": 0.0}}],
    }
    (change,) = compare_runs(a, b).worse
    assert change.question == "golden line 4 (question text not kept in the log)"


@pytest.mark.parametrize("text", ["hit@5", "=0.3", "hit@5=high"])
def test_bad_thresholds_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError, match="fail-under"):
        Threshold.parse(text)
