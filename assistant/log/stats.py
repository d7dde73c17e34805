"""Figures from the local log: latency percentiles per stage, cost, feedback, guardrails,
what collection policies did per collection, and how well answers are backed: supported
sentences, whose citations, cut-off answers."""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from assistant.guardrails.events import (
    ANSWER_REPLACED,
    LOCAL_ONLY_HISTORY_WITHHELD,
    LOCAL_ONLY_WITHHELD,
    POLICY_HISTORY_WITHHELD,
    POLICY_WITHHELD,
    QUOTE_ONLY,
)
from assistant.log.database import as_utc, to_db_time

if TYPE_CHECKING:
    from assistant.log.interactions import InteractionLog

TTFT = "ttft"
EPOCH = datetime(1970, 1, 1)

# What each policy event counts for the collections it names (one entry per source or turn).
POLICY_COUNTS = {
    LOCAL_ONLY_WITHHELD: "sources_withheld",
    POLICY_WITHHELD: "sources_withheld",
    LOCAL_ONLY_HISTORY_WITHHELD: "turns_withheld",
    POLICY_HISTORY_WITHHELD: "turns_withheld",
    QUOTE_ONLY: "quote_only_answers",
}


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least p% of values at or below.

    For [15, 20, 35, 40, 50]: p30 -> 20, p40 -> 20, p50 -> 35, p100 -> 50. None when empty.
    """
    if not 0 < p <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {p}")
    if not values:
        return None
    ordered = sorted(values)
    rank = math.ceil(p / 100 * len(ordered))
    return ordered[rank - 1]


@dataclass(frozen=True, slots=True)
class Percentiles:
    count: int
    p50: float | None
    p95: float | None
    p99: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> Percentiles:
        return cls(
            len(values), percentile(values, 50), percentile(values, 95), percentile(values, 99)
        )

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "p50": self.p50, "p95": self.p95, "p99": self.p99}


@dataclass(frozen=True, slots=True)
class Support:
    """Sentence support and citations over the answers a model wrote (cached ones included).

    `sentences_*` pool every checked sentence; `citations` counts answers by who cited:
    `model` (the model cited a source), `margin_only` (only margin's matches `[n]?`), `none`.
    """

    answers: int = 0
    answers_with_unsupported: int = 0
    sentences_checked: int = 0
    sentences_supported: int = 0
    citations: dict[str, int] = field(default_factory=dict)
    per_day: dict[str, dict[str, int]] = field(default_factory=dict)  # day -> checked, supported

    @property
    def share(self) -> float | None:
        """Share of checked sentences a source supports; None before any was checked."""
        if not self.sentences_checked:
            return None
        return self.sentences_supported / self.sentences_checked

    def to_json(self) -> dict[str, Any]:
        return {
            "answers": self.answers,
            "answers_with_unsupported": self.answers_with_unsupported,
            "sentences_checked": self.sentences_checked,
            "sentences_supported": self.sentences_supported,
            "supported_share": self.share,
            "citations": self.citations,
            "per_day": self.per_day,
        }


@dataclass(frozen=True, slots=True)
class Stats:
    since: datetime | None
    interactions: int
    refused: int
    cached: int
    cancelled: int
    latency_ms: dict[str, Percentiles]  # per stage, without ttft
    ttft_ms: Percentiles
    cost_total_usd: float
    cost_today_usd: float
    cost_per_day: dict[str, float]  # UTC day -> USD
    prompt_tokens: int
    completion_tokens: int
    feedback_up: int
    feedback_down: int
    feedback_per_day: dict[str, dict[str, int]]  # UTC day -> {"up": n, "down": n}
    guardrails_by_kind: dict[str, int]
    models: dict[str, int] = field(default_factory=dict)
    support: Support = field(default_factory=Support)
    truncated: dict[str, int] = field(default_factory=dict)  # why -> answers cut short
    follow_ups: int = 0  # questions searched with earlier turns
    # collection -> {"sources_withheld", "turns_withheld", "quote_only_answers": n}
    by_collection: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def refusal_rate(self) -> float:
        return self.refused / self.interactions if self.interactions else 0.0

    @property
    def cache_hit_rate(self) -> float:
        return self.cached / self.interactions if self.interactions else 0.0

    @property
    def quote_fallbacks(self) -> int:
        """Answers ask.mode = "auto" quoted because what the model wrote was unsupported."""
        return self.guardrails_by_kind.get(ANSWER_REPLACED, 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "since": None if self.since is None else self.since.isoformat(),
            "interactions": self.interactions,
            "refused": self.refused,
            "refusal_rate": self.refusal_rate,
            "cached": self.cached,
            "cache_hit_rate": self.cache_hit_rate,
            "cancelled": self.cancelled,
            "latency_ms": {stage: p.to_json() for stage, p in self.latency_ms.items()},
            "ttft_ms": self.ttft_ms.to_json(),
            "cost": {
                "total_usd": self.cost_total_usd,
                "today_usd": self.cost_today_usd,
                "per_day": self.cost_per_day,
            },
            "tokens": {"prompt": self.prompt_tokens, "completion": self.completion_tokens},
            "feedback": {
                "up": self.feedback_up,
                "down": self.feedback_down,
                "per_day": self.feedback_per_day,
            },
            "guardrails_by_kind": self.guardrails_by_kind,
            "models": self.models,
            "support": self.support.to_json(),
            "truncated": self.truncated,
            "follow_ups": self.follow_ups,
            "quote_fallbacks": self.quote_fallbacks,
            "by_collection": self.by_collection,
        }


def compute_stats(log: InteractionLog, since: datetime | None = None) -> Stats:
    """Figures over the interactions logged at or after `since` (all when None); a naive
    `since` is UTC."""
    since = None if since is None else as_utc(since)
    start = (to_db_time(since if since is not None else EPOCH),)
    db = log.db
    rows = db.query(
        "SELECT created_at, refused, cached, cancelled, cost_usd, prompt_tokens, "
        "completion_tokens, model, mode, cited, attributed, sentences_checked, "
        "sentences_supported, "
        "truncation, history_used FROM interactions WHERE created_at >= ?",
        start,
    )
    cost_per_day: dict[str, float] = defaultdict(float)
    for row in rows:
        if not row["cached"]:
            cost_per_day[row["created_at"][:10]] += row["cost_usd"]
    stages: dict[str, list[float]] = defaultdict(list)
    for latency in db.query(
        "SELECT l.stage, l.ms FROM latencies l JOIN interactions i ON i.id = l.interaction_id "
        "WHERE i.created_at >= ? ORDER BY l.stage",
        start,
    ):
        stages[latency["stage"]].append(latency["ms"])
    ttft = stages.pop(TTFT, [])
    ratings = db.query(
        "SELECT f.rating, f.created_at FROM feedback f JOIN interactions i "
        "ON i.id = f.interaction_id WHERE i.created_at >= ? AND f.id IN "
        "(SELECT MAX(id) FROM feedback GROUP BY interaction_id)",
        start,
    )
    feedback_per_day: dict[str, dict[str, int]] = defaultdict(lambda: {"up": 0, "down": 0})
    for rating in ratings:
        feedback_per_day[rating["created_at"][:10]][rating["rating"]] += 1
    kinds = db.query(
        "SELECT g.kind, COUNT(*) AS n FROM guardrail_events g JOIN interactions i "
        "ON i.id = g.interaction_id WHERE i.created_at >= ? GROUP BY g.kind ORDER BY n DESC",
        start,
    )
    return Stats(
        since=since,
        interactions=len(rows),
        refused=sum(row["refused"] for row in rows),
        cached=sum(row["cached"] for row in rows),
        cancelled=sum(row["cancelled"] for row in rows),
        latency_ms={stage: Percentiles.of(values) for stage, values in stages.items()},
        ttft_ms=Percentiles.of(ttft),
        cost_total_usd=sum(cost_per_day.values()),
        cost_today_usd=log.spend_today(),
        cost_per_day=dict(sorted(cost_per_day.items())),
        prompt_tokens=sum(row["prompt_tokens"] for row in rows),
        completion_tokens=sum(row["completion_tokens"] for row in rows),
        feedback_up=sum(1 for rating in ratings if rating["rating"] == "up"),
        feedback_down=sum(1 for rating in ratings if rating["rating"] == "down"),
        feedback_per_day=dict(sorted(feedback_per_day.items())),
        guardrails_by_kind={kind["kind"]: kind["n"] for kind in kinds},
        models=dict(Counter(row["model"] for row in rows).most_common()),
        support=_support(rows),
        truncated=dict(Counter(row["truncation"] for row in rows if row["truncation"])),
        follow_ups=sum(row["history_used"] for row in rows),
        by_collection=_by_collection(log, start),
    )


def _by_collection(log: InteractionLog, start: tuple[str]) -> dict[str, dict[str, int]]:
    """Withheld sources and turns, and quote-only answers, per collection."""
    kinds = tuple(POLICY_COUNTS)
    events = log.db.query(
        "SELECT g.kind, g.collections FROM guardrail_events g JOIN interactions i "
        f"ON i.id = g.interaction_id WHERE i.created_at >= ? "
        f"AND g.kind IN ({', '.join('?' * len(kinds))})",
        start + kinds,
    )
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for event in events:
        for collection in json.loads(event["collections"]):
            counts[collection][POLICY_COUNTS[event["kind"]]] += 1
    return {
        collection: {
            name: counts[collection][name] for name in dict.fromkeys(POLICY_COUNTS.values())
        }
        for collection in sorted(counts)
    }


def _support(rows: Sequence[Any]) -> Support:
    """Support figures over the rows whose answer was checked: written by a model, not a
    quote (its sentences are the sources' own words, cited by margin, not by a model)."""
    checked = [
        row
        for row in rows
        if row["sentences_checked"] is not None and not row["refused"] and row["mode"] != "quote"
    ]
    per_day: dict[str, dict[str, int]] = defaultdict(lambda: {"checked": 0, "supported": 0})
    citations = {"model": 0, "margin_only": 0, "none": 0}
    for row in checked:
        day = per_day[row["created_at"][:10]]
        day["checked"] += row["sentences_checked"]
        day["supported"] += row["sentences_supported"]
        if json.loads(row["cited"]):
            citations["model"] += 1
        elif json.loads(row["attributed"]):
            citations["margin_only"] += 1
        else:
            citations["none"] += 1
    return Support(
        answers=len(checked),
        answers_with_unsupported=sum(
            row["sentences_supported"] < row["sentences_checked"] for row in checked
        ),
        sentences_checked=sum(row["sentences_checked"] for row in checked),
        sentences_supported=sum(row["sentences_supported"] for row in checked),
        citations=citations,
        per_day=dict(sorted(per_day.items())),
    )
