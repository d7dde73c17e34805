"""Money held for remote calls in flight, so that parallel processes share one daily budget.

Deciding and holding happen in one SQLite write transaction (`BEGIN IMMEDIATE`): a second
`margin ask` running at the same time waits for it and then sees the first one's hold, as
requests through the service (one engine thread) always did. An answer's log row replaces
its hold in one transaction (`InteractionLog.record(..., reservation=)`). A hold whose call
could not be logged (a full disk, a killed process) stays and counts, at the most the call
could cost, until the end of its UTC day; a call that failed before any text came back has
its hold released.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from assistant.log.database import LogDatabase, as_utc, to_db_time


class BudgetLedger:
    def __init__(
        self,
        db: LogDatabase,
        *,
        spend_today: Callable[[], float],
        clock: Callable[[], datetime],
    ) -> None:
        self._db = db
        self._spend_today = spend_today  # what answers logged today cost
        self._clock = clock

    def reserve(self, profile: str, hold: Callable[[float], float]) -> int | None:
        """`hold(spent)` gets today's spend (logged answers plus open holds) and returns what
        this call may cost at most; that amount is held (nothing when 0) and its id returned.
        No other process decides in between."""
        with self._db.write() as connection:
            amount = hold(self._spend_today() + self.held_today())
            if amount <= 0:
                return None
            cursor = connection.execute(
                "INSERT INTO budget_reservations (created_at, profile, usd) VALUES (?, ?, ?)",
                (to_db_time(self._clock()), profile, amount),
            )
            return cursor.lastrowid

    def release(self, reservation: int) -> None:
        """Drop a hold whose call cost nothing (it failed before any text came back)."""
        with self._db.write() as connection:
            connection.execute("DELETE FROM budget_reservations WHERE id = ?", (reservation,))

    def held_today(self) -> float:
        """What open holds of the current UTC day keep back."""
        midnight = datetime.combine(as_utc(self._clock()).date(), time(), UTC)
        rows = self._db.query(
            "SELECT COALESCE(SUM(usd), 0.0) AS held FROM budget_reservations "
            "WHERE created_at >= ? AND created_at < ?",
            (to_db_time(midnight), to_db_time(midnight + timedelta(days=1))),
        )
        return float(rows[0]["held"])
