"""Compare two eval runs: the change of every aggregate metric and the questions that got
worse. Runs are compared in their stored JSON form (`metrics` and `questions`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from assistant.evaluation.summary import lower_is_better

Verdict = Literal["better", "worse", "same", "n/a"]
EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class MetricDelta:
    metric: str
    before: float | None
    after: float | None
    delta: float | None
    verdict: Verdict


@dataclass(frozen=True, slots=True)
class QuestionChange:
    question: str
    drops: tuple[tuple[str, float, float], ...]  # (metric, before, after), all worse

    @property
    def worst_drop(self) -> float:
        return max(before - after for _, before, after in self.drops)


@dataclass(frozen=True, slots=True)
class Comparison:
    run_a: int | None
    run_b: int | None
    deltas: tuple[MetricDelta, ...]
    worse: tuple[QuestionChange, ...]
    only_in_a: tuple[str, ...]
    only_in_b: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "run_a": self.run_a,
            "run_b": self.run_b,
            "deltas": [
                {
                    "metric": d.metric,
                    "before": d.before,
                    "after": d.after,
                    "delta": d.delta,
                    "verdict": d.verdict,
                }
                for d in self.deltas
            ],
            "worse_questions": [
                {
                    "question": c.question,
                    "drops": [{"metric": n, "before": b, "after": a} for n, b, a in c.drops],
                }
                for c in self.worse
            ],
            "only_in_a": list(self.only_in_a),
            "only_in_b": list(self.only_in_b),
        }


def compare_runs(a: Mapping[str, Any], b: Mapping[str, Any]) -> Comparison:
    """`a` is the earlier (baseline) run, `b` the later one."""
    deltas = tuple(
        metric_delta(name, a["metrics"].get(name), b["metrics"].get(name))
        for name in _union(a["metrics"], b["metrics"])
    )
    by_question_a = {question_key(q): q for q in a["questions"]}
    by_question_b = {question_key(q): q for q in b["questions"]}
    worse = [
        change
        for key, qa in by_question_a.items()
        if key in by_question_b
        and (
            change := question_change(
                question_label(qa), qa["metrics"], by_question_b[key]["metrics"]
            )
        )
    ]
    worse.sort(key=lambda c: c.worst_drop, reverse=True)
    return Comparison(
        run_a=a.get("run_id"),
        run_b=b.get("run_id"),
        deltas=deltas,
        worse=tuple(worse),
        only_in_a=tuple(
            question_label(q) for k, q in by_question_a.items() if k not in by_question_b
        ),
        only_in_b=tuple(
            question_label(q) for k, q in by_question_b.items() if k not in by_question_a
        ),
    )


def question_key(record: Mapping[str, Any]) -> str:
    """Questions match across runs by text, or by its SHA-256 when the log keeps no text."""
    return str(record.get("question") or record.get("question_sha256"))


def question_label(record: Mapping[str, Any]) -> str:
    if record.get("question"):
        return str(record["question"])
    return f"golden line {record.get('line', '?')} (question text not kept in the log)"


def metric_delta(name: str, before: Any, after: Any) -> MetricDelta:
    if not isinstance(before, int | float) or not isinstance(after, int | float):
        return MetricDelta(name, _number(before), _number(after), None, "n/a")
    delta = float(after) - float(before)
    if abs(delta) <= EPSILON:
        verdict: Verdict = "same"
    elif (delta < 0) == lower_is_better(name):
        verdict = "better"
    else:
        verdict = "worse"
    return MetricDelta(name, float(before), float(after), delta, verdict)


def question_change(
    text: str, before: Mapping[str, Any], after: Mapping[str, Any]
) -> QuestionChange | None:
    """The per-question metrics that dropped (all are higher-is-better), or None."""
    drops = tuple(
        (name, float(before[name]), float(after[name]))
        for name in before
        if isinstance(before[name], int | float)
        and isinstance(after.get(name), int | float)
        and float(after[name]) < float(before[name]) - EPSILON
    )
    return QuestionChange(text, drops) if drops else None


def _union(first: Mapping[str, Any], second: Mapping[str, Any]) -> Sequence[str]:
    return [*first, *(name for name in second if name not in first)]


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None
