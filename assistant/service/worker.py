"""The service's one engine thread: it builds the assistant, then runs requests in order.

Every request runs on this thread, one at a time, so the parts the assistant holds (the
embedder's tokenizer, the llama.cpp context, SQLite connections) are only ever used from the
thread that created them. Connection threads hand in a `Job` and relay what it yields.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Protocol

from assistant.ask.types import Answering
from assistant.errors import IngestError, MarginError, ModelError
from assistant.service.protocol import error_to_wire

log = logging.getLogger("margin.service")


class Engine(Answering, Protocol):
    """What the service needs from `assistant.core.build_assistant()`."""

    def warm_up(self) -> None: ...

    def close(self) -> None: ...


Work = Callable[[Engine, "Job"], Iterator[dict[str, Any]]]


class Job:
    """One request: the work to run on the engine thread and the messages it produced."""

    END: ClassVar[dict[str, Any]] = {"event": "end"}

    def __init__(self, work: Work):
        self.work = work
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self._lock = threading.Lock()
        self._cancelled = False
        self._on_cancel: Callable[[], None] | None = None
        self.done = threading.Event()
        self.final_sent = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def on_cancel(self, callback: Callable[[], None]) -> None:
        """Call `callback` when the job is cancelled (at once if it already was)."""
        with self._lock:
            self._on_cancel = callback
            already = self._cancelled
        if already:
            callback()

    def cancel(self) -> None:
        """Stop the work, unless its last message is already on its way to the client."""
        with self._lock:
            if self._cancelled or self.final_sent.is_set():
                return
            self._cancelled = True
            callback = self._on_cancel
        if callback is not None:
            callback()


class EngineWorker:
    def __init__(self, build: Callable[[], Engine]):
        self._build = build
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="margin-engine", daemon=True)
        self.built = threading.Event()
        self.warmed = threading.Event()
        self.load_error: BaseException | None = None
        self.load_seconds: float | None = None

    @property
    def state(self) -> str:
        """loading (building the assistant), warming (loading models), ready, or failed."""
        if not self.built.is_set():
            return "loading"
        if self.load_error is not None:
            return "failed"
        return "ready" if self.warmed.is_set() else "warming"

    @property
    def waiting(self) -> int:
        """Requests queued and not yet started."""
        return self._jobs.qsize()

    def start(self) -> None:
        self._thread.start()

    def submit(self, job: Job) -> None:
        self._jobs.put(job)

    def stop(self, timeout_s: float) -> None:
        """Finish queued jobs and close the engine, waiting (bounded), also while the engine is
        still being built: a process that exits under the build leaves it opening the store and
        the query model while Python shuts down, and native code (LanceDB's runtime,
        onnxruntime) calling back into a finalizing interpreter aborts the process. The build
        is short (its store lock waits 3 s at most); after it the thread closes the engine at
        once, without warming up."""
        self._jobs.put(None)
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def _run(self) -> None:
        started = time.monotonic()
        engine = self._load()
        # Requests that came in while the assistant was built go first: a search should not
        # wait for the chat model. Warming up happens when nothing is waiting.
        while True:
            try:
                job = self._jobs.get(block=self.warmed.is_set())
            except queue.Empty:
                self._warm_up(engine, started)
                continue
            if job is None:
                break
            self._execute(engine, job)
        if engine is not None:
            engine.close()

    def _load(self) -> Engine | None:
        try:
            return self._build()
        except BaseException as exc:
            self.load_error = exc
            self.warmed.set()
            log.error("could not load the assistant: %s", exc, exc_info=_unexpected(exc))
            return None
        finally:
            self.built.set()

    def _warm_up(self, engine: Engine | None, started: float) -> None:
        """Load the models now; a failure here is left for the request that needs them."""
        assert engine is not None
        try:
            engine.warm_up()
        except Exception as exc:
            log.warning("could not warm up: %s", exc, exc_info=_unexpected(exc))
        self.load_seconds = time.monotonic() - started
        log.info("ready in %.1f s", self.load_seconds)
        self.warmed.set()

    def _execute(self, engine: Engine | None, job: Job) -> None:
        try:
            if job.cancelled:
                return
            if engine is None:
                assert self.load_error is not None
                job.messages.put(error_message(self.load_error))
                return
            for message in job.work(engine, job):
                job.messages.put(message)
        except Exception as exc:
            log.error("request failed: %s", exc, exc_info=_unexpected(exc))
            job.messages.put(error_message(exc))
        finally:
            job.messages.put(Job.END)
            job.done.set()


def error_message(exc: BaseException) -> dict[str, Any]:
    """The error event for `exc`; unexpected errors say where the details are."""
    if _unexpected(exc):
        message = error_to_wire(exc)
        message["kind"] = "internal"
        message["message"] = (
            f"the margin service hit an unexpected error ({type(exc).__name__}: {exc}); "
            "the details are in its log (`margin service status` shows where)"
        )
        return message
    return error_to_wire(exc)


def _unexpected(exc: BaseException) -> bool:
    return not isinstance(exc, MarginError | IngestError | ModelError)
