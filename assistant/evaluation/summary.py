"""A run's aggregate figures, computed only from its per-question records.

Because `summarize` reads nothing but the `questions` list of `eval --json`, anyone can
recompute the aggregates from that list and get the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.errors import UsageError
from assistant.evaluation.metrics import mean
from assistant.guardrails.events import WEAK_MATCH
from assistant.log.stats import percentile

RETRIEVAL_METRICS = ("hit@1", "hit@5", "recall@k", "mrr@10", "ndcg@10")
ANSWER_METRICS = ("containment", "token_f1", "groundedness", "citation_validity")
PERCENTILES = (50, 95, 99)
# Metrics where a smaller value is the better one (for comparisons and --fail-under).
LOWER_IS_BETTER_PREFIXES = ("latency_ms.", "cost_usd", "prompt_tokens", "completion_tokens")

Question = Mapping[str, Any]


def summarize(questions: Sequence[Question]) -> dict[str, float | int | None]:
    """Means of the per-question metrics, refusal accuracy, latency percentiles, usage."""
    answerable = [q for q in questions if q["answerable"]]
    answered = [q for q in questions if q.get("answer") is not None]
    figures: dict[str, float | int | None] = {
        "questions": len(questions),
        "answerable": len(answerable),
        "unanswerable": len(questions) - len(answerable),
        "errors": sum(1 for q in questions if q.get("error")),
    }
    for name in RETRIEVAL_METRICS:
        figures[name] = mean(q["metrics"].get(name) for q in answerable)
    for name in ANSWER_METRICS:
        figures[name] = mean(q["metrics"].get(name) for q in answered)
    figures["refusal_accuracy"] = mean(q["metrics"].get("refusal_correct") for q in answered)
    figures["refused_when_unanswerable"] = mean(
        q["metrics"].get("refusal_correct") for q in answered if not q["answerable"]
    )
    figures["answered_when_answerable"] = mean(
        q["metrics"].get("refusal_correct") for q in answered if q["answerable"]
    )
    figures.update(_weak_matches(answered))
    figures.update(_latency(questions))
    for name in ("prompt_tokens", "completion_tokens"):
        figures[name] = sum(int(q["usage"].get(name, 0)) for q in questions)
    figures["cost_usd"] = sum(float(q["usage"].get("cost_usd", 0.0)) for q in questions)
    return figures


def _weak_matches(answered: Sequence[Question]) -> dict[str, float | int | None]:
    """How many answers were marked a weak match (`evidence.weak`), and how often those and
    the others held the expected answer: what `retrieval.confident_relevance` is worth on
    this set."""
    answers = [q for q in answered if not q["refused"]]
    weak = [q for q in answers if WEAK_MATCH in q["guardrails"]]
    confident = [q for q in answers if WEAK_MATCH not in q["guardrails"]]
    return {
        "weak_matches": len(weak),
        "containment_when_weak": mean(q["metrics"].get("containment") for q in weak),
        "containment_when_confident": mean(q["metrics"].get("containment") for q in confident),
    }


def _latency(questions: Sequence[Question]) -> dict[str, float | None]:
    by_stage: dict[str, list[float]] = {}
    for q in questions:
        for stage, ms in q["latency_ms"].items():
            by_stage.setdefault(stage, []).append(float(ms))
    return {
        f"latency_ms.{stage}.p{p}": percentile(values, p)
        for stage, values in sorted(by_stage.items())
        for p in PERCENTILES
    }


def lower_is_better(metric: str) -> bool:
    return metric.startswith(LOWER_IS_BETTER_PREFIXES)


@dataclass(frozen=True, slots=True)
class Threshold:
    metric: str
    value: float

    @classmethod
    def parse(cls, text: str) -> Threshold:
        """`METRIC=VALUE`, e.g. `hit@5=0.8`."""
        name, sep, raw = text.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--fail-under wants METRIC=VALUE (like hit@5=0.8), got {text!r}")
        try:
            value = float(raw)
        except ValueError:
            raise UsageError(f"--fail-under {text!r}: {raw!r} is not a number") from None
        return cls(name.strip(), value)


def shortfalls(
    metrics: Mapping[str, float | int | None], thresholds: Sequence[Threshold]
) -> list[str]:
    """One sentence per threshold the run misses; unknown or absent metrics count as missed."""
    problems: list[str] = []
    for t in thresholds:
        if t.metric not in metrics:
            known = ", ".join(k for k in metrics if not k.startswith("latency_ms."))
            problems.append(f"{t.metric} is not a metric of this run; known: {known}")
            continue
        value = metrics[t.metric]
        if value is None:
            problems.append(f"{t.metric} has no value in this run (needs {t.value:g})")
        elif lower_is_better(t.metric) and value > t.value:
            problems.append(f"{t.metric} = {value:.4g}, above the limit {t.value:g}")
        elif not lower_is_better(t.metric) and value < t.value:
            problems.append(f"{t.metric} = {value:.4g}, under the minimum {t.value:g}")
    return problems
