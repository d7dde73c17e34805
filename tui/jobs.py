"""What the chat asks the Assistant, and the handle that stops it from the UI thread."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from assistant.ask.types import AskOptions, AskStream


@dataclass(frozen=True, slots=True)
class AskRequest:
    question: str
    options: AskOptions


@dataclass(slots=True)
class AskJob:
    """One running question. `cancel()` may come before the worker has started the run."""

    number: int
    request: AskRequest
    _cancelled: threading.Event = field(default_factory=threading.Event)
    _run: AskStream | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def attach(self, run: AskStream) -> None:
        with self._lock:
            self._run = run
            if self._cancelled.is_set():
                run.cancel()

    def cancel(self) -> None:
        with self._lock:
            self._cancelled.set()
            if self._run is not None:
                self._run.cancel()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()
