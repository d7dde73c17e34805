"""Latency metering: milliseconds per pipeline stage on a monotonic clock."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class StageClock:
    """Collects milliseconds per named stage on a monotonic clock."""

    def __init__(self) -> None:
        self._started = time.monotonic()
        self.stages: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        began = time.monotonic()
        try:
            yield
        finally:
            self.add(name, (time.monotonic() - began) * 1000)

    def add(self, name: str, milliseconds: float) -> None:
        self.stages[name] = self.stages.get(name, 0.0) + milliseconds

    def elapsed_ms(self) -> float:
        return (time.monotonic() - self._started) * 1000

    def finish(self) -> dict[str, float]:
        self.stages["total"] = self.elapsed_ms()
        return dict(self.stages)
