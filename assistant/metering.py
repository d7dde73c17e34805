"""Latency metering per stage, and restoring redacted placeholders in a streamed answer."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# A placeholder such as [EMAIL_12] is short; anything longer after an open bracket is text.
_MAX_PLACEHOLDER = 32


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


class StreamRestorer:
    """Applies `restore` to streamed text without splitting a placeholder across deltas.

    Text after an unclosed "[" is held back until the bracket closes or grows too long to be
    a placeholder, then released restored.
    """

    def __init__(self, restore: Callable[[str], str]):
        self._restore = restore
        self._pending = ""

    def feed(self, delta: str) -> str:
        text = self._pending + delta
        cut = text.rfind("[")
        if cut != -1 and "]" not in text[cut:] and len(text) - cut <= _MAX_PLACEHOLDER:
            self._pending = text[cut:]
            text = text[:cut]
        else:
            self._pending = ""
        return self._restore(text) if text else ""

    def flush(self) -> str:
        text, self._pending = self._pending, ""
        return self._restore(text) if text else ""
