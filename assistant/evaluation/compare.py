"""Compare two eval runs: the change of every aggregate metric and the questions that got
worse. Runs are compared in their stored JSON form (`metrics` and `questions`).

A metric that is a mean over questions is also compared question by question: how many of the
questions both runs asked did better and how many did worse, and whether that split is more
than chance (a two-sided sign test). On a set of 50 to 100 questions a change of one or two
answers moves a mean by a few points either way; such a change is "unclear", not "better".
A latency percentile is compared the same way, on each question's time for that stage: a
p95 moved by a few slow questions on a busy machine is unclear too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import comb
from typing import Any, Literal

from assistant.evaluation.summary import lower_is_better

Verdict = Literal["better", "worse", "same", "unclear", "n/a"]
EPSILON = 1e-9
SIGNIFICANCE = 0.05  # a sign test p-value under this: the questions moved one way, not by chance
# An aggregate whose per-question metric has another name.
PER_QUESTION_METRIC = {"refusal_accuracy": "refusal_correct"}


@dataclass(frozen=True, slots=True)
class Paired:
    """Of the questions both runs scored on a metric, how many did better and how many worse."""

    better: int
    worse: int

    @property
    def p_value(self) -> float:
        """Two-sided sign test: the chance of a split at least this uneven if each changed
        question were as likely to get better as worse (ties left out). 1.0 when none changed."""
        changed = self.better + self.worse
        fewer = min(self.better, self.worse)
        tail = sum(comb(changed, i) for i in range(fewer + 1)) / 2**changed
        return min(1.0, 2 * tail)


@dataclass(frozen=True, slots=True)
class MetricDelta:
    metric: str
    before: float | None
    after: float | None
    delta: float | None
    verdict: Verdict
    paired: Paired | None = None  # None: not a mean over questions, or no question in common


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
                    "questions_better": d.paired.better if d.paired else None,
                    "questions_worse": d.paired.worse if d.paired else None,
                    "p_value": d.paired.p_value if d.paired else None,
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
    by_question_a = {question_key(q): q for q in a["questions"]}
    by_question_b = {question_key(q): q for q in b["questions"]}
    shared = [(qa, by_question_b[key]) for key, qa in by_question_a.items() if key in by_question_b]
    deltas = tuple(
        metric_delta(
            name, a["metrics"].get(name), b["metrics"].get(name), paired_change(name, shared)
        )
        for name in _union(a["metrics"], b["metrics"])
    )
    worse = [
        change
        for qa, qb in shared
        if (change := question_change(question_label(qa), qa["metrics"], qb["metrics"]))
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


def metric_delta(name: str, before: Any, after: Any, paired: Paired | None = None) -> MetricDelta:
    """The change of one aggregate; with `paired` (its questions' changes), a change the
    questions do not bear out beyond chance, or that they contradict, is "unclear"."""
    if not isinstance(before, int | float) or not isinstance(after, int | float):
        return MetricDelta(name, _number(before), _number(after), None, "n/a", paired)
    delta = float(after) - float(before)
    verdict: Verdict
    improved = (delta < 0) == lower_is_better(name)
    if abs(delta) <= EPSILON:
        verdict = "same"
    elif paired is not None and (
        paired.p_value >= SIGNIFICANCE or (paired.better > paired.worse) != improved
    ):
        verdict = "unclear"
    else:
        verdict = "better" if improved else "worse"
    return MetricDelta(name, float(before), float(after), delta, verdict, paired)


def paired_change(
    aggregate: str, shared: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]]
) -> Paired | None:
    """How the per-question figure behind `aggregate` moved on each question both runs have it
    for (`shared`: pairs of question records); None when it is not a per-question figure or no
    question has it in both. A latency is better lower, every other figure higher."""
    stage = _latency_stage(aggregate)
    if stage is not None:
        group, name, sign = "latency_ms", stage, -1.0
    else:
        group, name, sign = "metrics", PER_QUESTION_METRIC.get(aggregate, aggregate), 1.0
    pairs = [
        (sign * old, sign * new)
        for qa, qb in shared
        if (old := _figure(qa, group, name)) is not None
        and (new := _figure(qb, group, name)) is not None
    ]
    if not pairs:
        return None
    return Paired(
        better=sum(1 for old, new in pairs if new > old + EPSILON),
        worse=sum(1 for old, new in pairs if new < old - EPSILON),
    )


def _latency_stage(aggregate: str) -> str | None:
    """The stage of a latency percentile ("latency_ms.ask.total.p95" -> "ask.total")."""
    prefix, _, rest = aggregate.partition(".")
    stage, _, percentile = rest.rpartition(".")
    if prefix == "latency_ms" and stage and percentile.startswith("p"):
        return stage
    return None


def _figure(record: Mapping[str, Any], group: str, name: str) -> float | None:
    """A question's figure (`record[group][name]`), None when it has none."""
    return _number((record.get(group) or {}).get(name))


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
