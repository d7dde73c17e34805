from __future__ import annotations

import json
from dataclasses import replace

import pytest

from assistant.ask.types import Answer, GuardrailEvent, SentenceSupport, SupportStatus
from assistant.log import InteractionLog, Percentiles, compute_stats, percentile
from tests.assistant.log.helpers import Clock, at, make_answer


@pytest.mark.parametrize(
    ("p", "expected"),
    [(5, 15), (20, 15), (30, 20), (40, 20), (50, 35), (80, 40), (81, 50), (100, 50)],
)
def test_nearest_rank_hand_checked(p: float, expected: float) -> None:
    # n = 5: rank = ceil(p / 100 * 5); p30 -> ceil(1.5) = 2 -> 20; p81 -> ceil(4.05) = 5 -> 50
    assert percentile([50, 15, 40, 20, 35], p) == expected


def test_percentiles_of_one_to_a_hundred() -> None:
    values = [float(v) for v in range(100, 0, -1)]
    assert Percentiles.of(values) == Percentiles(100, 50.0, 95.0, 99.0)
    # n = 10: p50 -> rank 5, p95 -> ceil(9.5) = 10, p99 -> ceil(9.9) = 10
    assert Percentiles.of([float(v) for v in range(1, 11)]) == Percentiles(10, 5.0, 10.0, 10.0)


def test_percentile_edges() -> None:
    assert percentile([], 50) is None
    assert percentile([7.0], 1) == 7.0
    with pytest.raises(ValueError, match=r"\(0, 100\]"):
        percentile([1.0], 0)


def test_compute_stats(log: InteractionLog, clock: Clock) -> None:
    retrieve = [10.0, 30.0, 20.0, 40.0]
    clock.now = at("2026-11-27T12:00:00")
    ids = []
    for n, ms in enumerate(retrieve):
        answer = make_answer(n, cost=0.01 * (n + 1), cached=n == 3)
        answer.latency_ms = {"retrieve": ms, "ttft": 100.0 * (n + 1)}
        if n == 1:
            answer = replace(answer, refused=True, guardrails=[GuardrailEvent("injection", "")])
        ids.append(log.record(answer))
        if n == 1:
            clock.now = at("2026-11-28T09:00:00")
    log.feedback(ids[0], "up")
    log.feedback(ids[1], "up")
    log.feedback(ids[1], "down")  # the latest rating counts
    log.feedback(ids[2], "up")

    stats = compute_stats(log)
    assert stats.interactions == 4
    assert (stats.refused, stats.refusal_rate) == (1, 0.25)
    assert (stats.cached, stats.cache_hit_rate) == (1, 0.25)
    # retrieve sorted [10, 20, 30, 40]: p50 -> rank 2 = 20; p95, p99 -> rank 4 = 40
    assert stats.latency_ms["retrieve"] == Percentiles(4, 20.0, 40.0, 40.0)
    assert set(stats.latency_ms) == {"retrieve"}
    assert stats.ttft_ms == Percentiles(4, 200.0, 400.0, 400.0)
    # the cached answer (0.04) is not spent again
    assert stats.cost_per_day == pytest.approx({"2026-11-27": 0.03, "2026-11-28": 0.03})
    assert stats.cost_total_usd == pytest.approx(0.06)
    assert stats.cost_today_usd == pytest.approx(0.03)
    assert (stats.prompt_tokens, stats.completion_tokens) == (4 * 812, 4 * 64)
    assert (stats.feedback_up, stats.feedback_down) == (2, 1)
    assert stats.feedback_per_day == {"2026-11-28": {"up": 2, "down": 1}}
    assert stats.guardrails_by_kind == {
        "pii.redacted": 3,
        "local_only.withheld": 3,
        "injection": 1,
    }
    assert stats.models == {"work": 4}

    recent = compute_stats(log, since=at("2026-11-28T00:00:00"))
    assert recent.interactions == 2
    assert recent.latency_ms["retrieve"] == Percentiles(2, 20.0, 40.0, 40.0)  # [20, 40]
    assert (recent.feedback_up, recent.feedback_down) == (1, 0)

    as_json = json.loads(json.dumps(stats.to_json()))
    assert as_json["latency_ms"]["retrieve"] == {"count": 4, "p50": 20.0, "p95": 40.0, "p99": 40.0}
    assert as_json["feedback"]["up"] == 2
    assert as_json["refusal_rate"] == 0.25


def test_stats_of_an_empty_log(log: InteractionLog) -> None:
    stats = compute_stats(log)
    assert stats.interactions == 0
    assert stats.refusal_rate == 0.0 and stats.cache_hit_rate == 0.0
    assert stats.ttft_ms == Percentiles(0, None, None, None)
    assert stats.to_json()["cost"] == {"total_usd": 0, "today_usd": 0.0, "per_day": {}}


def with_support(n: int, *statuses: SupportStatus, **changes: object) -> Answer:
    """An answer whose sentences were checked with `statuses`, cited only when one is."""
    sentences = [SentenceSupport(i, i + 1, status, source=1) for i, status in enumerate(statuses)]
    cited = [1] if "cited" in statuses else []
    attributed = [1] if "attributed" in statuses else []
    return replace(
        make_answer(n), sentences=sentences, cited=cited, attributed=attributed, **changes
    )


def test_support_citations_cut_answers_and_follow_ups(log: InteractionLog, clock: Clock) -> None:
    clock.now = at("2026-11-27T12:00:00")
    log.record(with_support(0, "cited", "unsupported", "skipped"))
    log.record(with_support(1, "attributed", "attributed", truncation="context"))
    clock.now = at("2026-11-28T09:00:00")
    log.record(with_support(2, "unsupported", search_query="and then? (keys)"))
    log.record(with_support(3, "cited", refused=True))  # a refusal is not a checked answer
    log.record(replace(make_answer(4), mode="calculator"))  # nor is arithmetic
    log.record(replace(with_support(5, "cited"), mode="quote"))  # nor a quote: no model wrote it

    stats = compute_stats(log)
    support = stats.support
    assert (support.answers, support.answers_with_unsupported) == (3, 2)
    assert (support.sentences_checked, support.sentences_supported) == (5, 3)
    assert support.share == pytest.approx(0.6)
    assert support.citations == {"model": 1, "margin_only": 1, "none": 1}
    assert support.per_day == {
        "2026-11-27": {"checked": 4, "supported": 3},
        "2026-11-28": {"checked": 1, "supported": 0},
    }
    assert stats.truncated == {"context": 1} and stats.follow_ups == 1
    figures = json.loads(json.dumps(stats.to_json()))
    assert figures["support"]["supported_share"] == pytest.approx(0.6)
    assert figures["truncated"] == {"context": 1} and figures["follow_ups"] == 1
    assert compute_stats(log, since=at("2026-11-28T00:00:00")).support.share == 0.0


def test_bench_and_stats_report_the_same_percentiles(log: InteractionLog) -> None:
    """One definition everywhere: the bench's p50/p95 over timings equal `margin stats`'s over
    the same timings in the log (interpolating, the bench used to say p50 100 and p95 1047.5)."""
    from bench import latency_ms

    timings_ms = [120.0, 80.0, 1070.0, 95.0, 101.0, 88.0, 640.0, 99.0, 90.0, 1020.0]
    for n, ms in enumerate(timings_ms):
        answer = make_answer(n)
        answer.latency_ms = {"retrieve": ms}
        log.record(answer)
    stats = compute_stats(log).latency_ms["retrieve"]
    bench = latency_ms([ms / 1000 for ms in timings_ms])
    assert (bench["p50_ms"], bench["p95_ms"]) == (stats.p50, stats.p95) == (99.0, 1070.0)


def test_policy_events_are_counted_per_collection(log: InteractionLog) -> None:
    withheld = GuardrailEvent("policy.withheld", "2 sources", ("clients", "clients"))
    local = GuardrailEvent("local_only.withheld", "1 source", ("diary",))
    turns = GuardrailEvent("local_only.history_withheld", "1 turn", ("diary", "clients"))
    quoted = GuardrailEvent("policy.quote_only", "quoted", ("legal",))
    other = GuardrailEvent("injection", "source [1]", ("public",))
    log.record(replace(make_answer(0), guardrails=[withheld, local, other]))
    log.record(replace(make_answer(1), guardrails=[withheld, turns, quoted]))

    by_collection = compute_stats(log).by_collection
    assert by_collection == {
        "clients": {"sources_withheld": 4, "turns_withheld": 1, "quote_only_answers": 0},
        "diary": {"sources_withheld": 1, "turns_withheld": 1, "quote_only_answers": 0},
        "legal": {"sources_withheld": 0, "turns_withheld": 0, "quote_only_answers": 1},
    }
    assert compute_stats(log).to_json()["by_collection"] == by_collection
    assert log.recent(1)[0].answer.guardrails[0].collections == ("clients", "clients")
