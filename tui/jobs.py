"""What the chat asks the Assistant, and the handle that stops it from the UI thread."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from assistant.ask.types import PlainTurn, Turn


class Cancellable(Protocol):
    def cancel(self) -> None: ...


@dataclass(frozen=True, slots=True)
class AskRequest:
    question: str
    history: Sequence[Turn] = ()
    conversation_id: str | None = None
    model: str | None = None
    collection: str | None = None
    use_cache: bool = True


@dataclass(slots=True)
class AskJob:
    """One running question. `cancel()` may come before the worker has started the run."""

    number: int
    request: AskRequest
    _cancelled: threading.Event = field(default_factory=threading.Event)
    _run: Cancellable | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def attach(self, run: Cancellable) -> None:
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


def recent_turns(pairs: Sequence[tuple[str, str]], limit: int) -> list[Turn]:
    """The last `limit` question-answer pairs, as the Assistant takes them for follow-ups."""
    if limit <= 0:
        return []
    return [PlainTurn(question, answer) for question, answer in pairs[-limit:]]
