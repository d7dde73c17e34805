"""What the chat asks the Assistant, the handle that stops it from the UI thread, and the
register of thread work that quitting stops and waits for."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


class RunningWork:
    """The long thread work using the Assistant (answers, ingest runs), each with its stop.

    Quitting stops them all and waits for them before the Assistant is closed: an answer
    left running kept the process alive long after the screen was gone, and the log it would
    have written to was closed under it.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._stops: dict[object, Callable[[], None]] = {}
        self._stopping = False

    @contextmanager
    def running(self, stop: Callable[[], None]) -> Iterator[None]:
        """Hold the body as running work that `stop` ends early (at once, if quitting began)."""
        token = object()
        with self._changed:
            self._stops[token] = stop
            stopping = self._stopping
        if stopping:
            stop()
        try:
            yield
        finally:
            with self._changed:
                del self._stops[token]
                self._changed.notify_all()

    def stop_all_and_wait(self) -> None:
        """Stop every piece of work, and any that starts from now on; return once all ended.

        No time limit: the process cannot exit before its threads do in any case, and a
        stopped answer or ingest run ends at its next token or slice."""
        with self._changed:
            self._stopping = True
            stops = list(self._stops.values())
        for stop in stops:
            stop()
        with self._changed:
            self._changed.wait_for(lambda: not self._stops)
