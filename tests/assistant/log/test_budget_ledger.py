"""Budget holds in the log: decided and written atomically, settled by the answer's row,
kept when the answer could not be logged, and only for their own UTC day."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from assistant.log import InteractionLog
from tests.assistant.log.helpers import Clock, at, make_answer

DAILY = 1.0


def hold_within(log: InteractionLog, amount: float) -> int | None:
    """Hold `amount` if today's spend leaves room for it, as the budget gate does."""
    return log.budget.reserve("remote", lambda spent: amount if spent + amount <= DAILY else 0.0)


def test_holds_count_until_the_answer_row_replaces_them(tmp_path: Path) -> None:
    clock = Clock(at("2026-11-30T10:00:00"))
    with InteractionLog(tmp_path / "logs.db", log_text=True, clock=clock) as log:
        first = hold_within(log, 0.4)
        second = hold_within(log, 0.4)
        assert first is not None and second is not None and hold_within(log, 0.4) is None
        assert log.budget.held_today() == pytest.approx(0.8)
        log.record(make_answer(cost=0.25), reservation=first)
        assert log.budget.held_today() == pytest.approx(0.4)
        assert log.spend_today() == pytest.approx(0.25)
        log.budget.release(second)
        assert log.budget.held_today() == 0.0
        assert hold_within(log, 0.7) is not None
        clock.advance(days=1)  # a hold left behind counts on its own day only
        assert log.budget.held_today() == 0.0


def test_two_logs_on_one_file_never_hold_more_than_the_day_allows(tmp_path: Path) -> None:
    """Two connections, as two processes have: each decision sees the other's holds."""
    logs = [InteractionLog(tmp_path / "logs.db", log_text=True) for _ in range(2)]
    granted: list[int | None] = []
    lock = threading.Lock()

    def ask(log: InteractionLog) -> None:
        for _ in range(10):
            held = hold_within(log, 0.15)
            with lock:
                granted.append(held)

    threads = [threading.Thread(target=ask, args=(log,)) for log in logs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(held is not None for held in granted) == 6  # 6 x $0.15 = $0.90 of $1.00
    assert logs[0].budget.held_today() == pytest.approx(0.9)
    for log in logs:
        log.close()
