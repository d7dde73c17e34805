"""Spend per UTC day, with the clock set by hand on both sides of midnight."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from assistant.log import InteractionLog
from tests.assistant.log.helpers import Clock, at, make_answer


def record_at(log: InteractionLog, clock: Clock, when: str, cost: float, **kw: bool) -> None:
    clock.now = at(when)
    log.record(make_answer(cost=cost, **kw))


def test_spend_today_resets_at_utc_midnight(log: InteractionLog, clock: Clock) -> None:
    record_at(log, clock, "2026-11-27T23:59:59.999999", 0.30)
    record_at(log, clock, "2026-11-28T00:00:00", 0.05)
    record_at(log, clock, "2026-11-28T23:59:59", 0.02)
    clock.now = at("2026-11-28T23:59:59.5")
    assert log.spend_today() == 0.05 + 0.02
    clock.now = at("2026-11-29T00:00:00")
    assert log.spend_today() == 0.0
    clock.now = at("2026-11-27T23:59:59.999999")
    assert log.spend_today() == 0.30


def test_a_clock_in_another_zone_counts_the_utc_day(log: InteractionLog, clock: Clock) -> None:
    record_at(log, clock, "2026-11-27T22:30:00", 0.40)  # 23:30 in Paris, still the 27th in UTC
    record_at(log, clock, "2026-11-28T00:30:00", 0.10)
    paris = timezone(timedelta(hours=1))
    clock.now = datetime(2026, 11, 28, 2, 0, tzinfo=paris)  # 01:00 UTC on the 28th
    assert log.spend_today() == 0.10


def test_spend_since_counts_remote_spend_once(log: InteractionLog, clock: Clock) -> None:
    record_at(log, clock, "2026-11-28T08:00:00", 0.01)
    record_at(log, clock, "2026-11-28T09:00:00", 0.0)  # local model
    record_at(log, clock, "2026-11-28T10:00:00", 0.01, cached=True)  # repeat from the cache
    record_at(log, clock, "2026-11-28T11:00:00", 0.02)
    assert log.spend_since(at("2026-11-28T08:00:00")) == 0.01 + 0.02
    assert log.spend_since(datetime(2026, 11, 28, 8, 0, 0, 1, tzinfo=UTC)) == 0.02
    assert log.spend_since(at("2026-11-28T12:00:00")) == 0.0
