"""When to retry a remote call and how long to wait: exponential backoff with jitter, never
sooner than the server's Retry-After, bounded in count and in total time."""

from __future__ import annotations

import email.utils
import random
from dataclasses import dataclass
from datetime import UTC, datetime


def is_retryable_status(status: int) -> bool:
    """Rate limits and server failures; every other 4xx means the request itself is wrong."""
    return status in (408, 429) or status >= 500


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_retries: int = 3
    budget_s: float = 30.0  # total time from the first attempt; no retry would start after it
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0

    def delay(self, retry: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before retry number `retry` (0 for the first retry)."""
        ceiling = min(self.max_delay_s, self.base_delay_s * 2**retry)
        backoff = ceiling / 2 + rng.uniform(0, ceiling / 2)
        return max(backoff, retry_after or 0.0)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
