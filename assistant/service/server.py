"""The service's server: one thread per connection, requests run on the engine thread.

Each connection carries one request. The server checks the peer's uid (SO_PEERCRED), reads
the request line, and relays what the engine produces as event lines. A client that hangs up
(or half-closes, as on Ctrl+C) cancels its answer. A service that is out of date (its code,
config.toml, or the client's environment changed) answers `stale` and steps down.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import select
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from assistant.errors import UsageError
from assistant.locations import Locations
from assistant.service.protocol import (
    LOG_NAME,
    MAX_REQUEST_BYTES,
    PROTOCOL_VERSION,
    ProtocolError,
    decode_line,
    encode_line,
    env_fingerprint,
    event_to_wire,
    options_from_wire,
    peer_credentials,
    results_to_wire,
)
from assistant.service.worker import Engine, EngineWorker, Job, error_message

log = logging.getLogger("margin.service")

DEFAULT_IDLE_S = 15 * 60
SEND_TIMEOUT_S = 60.0
REQUEST_TIMEOUT_S = 10.0
RELEASE_TIMEOUT_S = 5.0
WATCH_POLL_S = 0.2
WAKE_RETRY_S = 0.02
_PACKAGES = ("assistant", "ingest", "models")
FINAL_EVENTS = frozenset({"results", "done", "error"})


def code_fingerprint() -> str:
    """Changes whenever a source file of margin's packages is added, removed or edited."""
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256()
    for package in _PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            with contextlib.suppress(OSError):
                stat = path.stat()
                digest.update(f"{path}\0{stat.st_mtime_ns}\0{stat.st_size}\0".encode())
    return digest.hexdigest()


def file_fingerprint(path: Path) -> str:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return "absent"
    return f"{stat.st_mtime_ns}:{stat.st_size}"


def config_fingerprint(locations: Locations) -> str:
    """config.toml and models.json (what `margin models add|pull|use|remove` change)."""
    files = (locations.config_file, locations.model_registry)
    return "|".join(file_fingerprint(path) for path in files)


class Service:
    """The state connections share: the engine thread, activity, and reasons to stop."""

    def __init__(
        self,
        locations: Locations,
        build: Callable[[], Engine],
        *,
        idle_s: float = DEFAULT_IDLE_S,
        verbose: bool = False,
        allowed_uid: int | None = None,
    ):
        self.locations = locations
        self.worker = EngineWorker(build)
        self.idle_s = idle_s
        self.verbose = verbose
        self.allowed_uid = os.getuid() if allowed_uid is None else allowed_uid
        self.env = env_fingerprint(os.environ)
        self._code = code_fingerprint()
        self._config = config_fingerprint(locations)
        self._lock = threading.Lock()
        self._active = 0
        self._last_activity = time.monotonic()
        self._started = time.monotonic()
        self.requests = 0
        self.stop_reason: str | None = None
        self.stopping = threading.Event()
        self.released = threading.Event()  # socket and lock given up: a new service may start

    def stop(self, reason: str) -> None:
        with self._lock:
            if self.stop_reason is None:
                self.stop_reason = reason
        self.stopping.set()

    @contextlib.contextmanager
    def activity(self) -> Iterator[None]:
        with self._lock:
            self._active += 1
            self.requests += 1
        try:
            yield
        finally:
            with self._lock:
                self._active -= 1
                self._last_activity = time.monotonic()

    @property
    def active(self) -> int:
        return self._active

    def stale_reason(self, client_env: object = None) -> str | None:
        """Why this service should not answer any more, or None while it is current."""
        if client_env is not None and client_env != self.env:
            return "the environment changed (for example an API key or MARGIN_HOME)"
        if config_fingerprint(self.locations) != self._config:
            return "config.toml changed (or the models registered with `margin models`)"
        if code_fingerprint() != self._code:
            return "margin was updated"
        return None

    def idle_reason(self) -> str | None:
        with self._lock:
            idle_for = time.monotonic() - self._last_activity
            busy = self._active > 0
        if not busy and idle_for >= self.idle_s:
            return f"idle for {idle_for:.0f} s"
        return None

    def status(self) -> dict[str, Any]:
        now = time.monotonic()
        status: dict[str, Any] = {
            "event": "pong",
            "protocol": PROTOCOL_VERSION,
            "pid": os.getpid(),
            "state": self.worker.state,
            "data_dir": str(self.locations.data_dir),
            "log": str(self.locations.run_dir / LOG_NAME),
            "uptime_s": round(now - self._started, 1),
            "idle_s": round(now - self._last_activity, 1) if not self._active else 0.0,
            "idle_timeout_s": self.idle_s,
            "requests": self.requests,
            "active": self._active,
            "load_seconds": self.worker.load_seconds,
        }
        if self.worker.load_error is not None:
            status["error"] = str(self.worker.load_error)
        return status


class RequestHandler(socketserver.BaseRequestHandler):
    request: socket.socket
    server: ServiceServer

    def handle(self) -> None:
        service = self.server.service
        sock = self.request
        peer_pid, peer_uid, _ = peer_credentials(sock)
        if peer_uid != service.allowed_uid:
            log.warning("refused a connection from uid %d (pid %d)", peer_uid, peer_pid)
            refusal = UsageError("the margin service only answers its own user")
            self._send(error_message(refusal))
            return
        try:
            request = _read_request(sock)
        except (OSError, ProtocolError) as exc:
            self._send(error_message(UsageError(f"malformed request: {exc}")))
            return
        if request is None:
            return
        op = request.get("op")
        if op == "ping":
            self._send(service.status())
        elif op == "shutdown":
            self._send({"event": "ok"})
            service.stop("asked to stop")
        elif op in _OPERATIONS:
            stale = service.stale_reason(request.get("env"))
            if stale is not None:
                service.stop(stale)
                service.released.wait(RELEASE_TIMEOUT_S)
                self._send({"event": "stale", "reason": stale})
                return
            with service.activity():
                self._run(_OPERATIONS[op], request, service)
        else:
            self._send(error_message(UsageError(f"unknown operation {op!r}")))

    def _run(self, operation: Operation, request: dict[str, Any], service: Service) -> None:
        started = time.monotonic()
        job = Job(functools.partial(operation, request=request))
        watcher = threading.Thread(target=_watch_disconnect, args=(self.request, job), daemon=True)
        watcher.start()
        service.worker.submit(job)
        connected = True
        while (message := job.messages.get()) is not Job.END:
            if message["event"] in FINAL_EVENTS:
                job.final_sent.set()
            if connected and not self._send(message):
                connected = False
                job.cancel()
        watcher.join(WATCH_POLL_S * 5)  # the socket closes when this handler returns
        elapsed_ms = (time.monotonic() - started) * 1000
        detail = f" {request.get('query') or request.get('question')!r}" if service.verbose else ""
        outcome = " (cancelled: the client went away)" if job.cancelled else ""
        log.info("%s%s in %.0f ms%s", request["op"], detail, elapsed_ms, outcome)

    def _send(self, message: dict[str, Any]) -> bool:
        try:
            self.request.sendall(encode_line(message))
        except OSError:
            return False
        return True


def _read_request(sock: socket.socket) -> dict[str, Any] | None:
    """The request, or None when the client hung up before sending a byte: nothing to answer
    or log (the server's own wake-up on shutdown is such a connection)."""
    sock.settimeout(REQUEST_TIMEOUT_S)
    data = b""
    while b"\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            if not data:
                return None
            raise ProtocolError("the connection closed before a whole request arrived")
        data += chunk
        if len(data) > MAX_REQUEST_BYTES:
            raise ProtocolError(
                f"the request is over {MAX_REQUEST_BYTES // (1024 * 1024)} MB; a question may "
                "be at most ask.max_question_chars characters (config.toml)"
            )
    sock.settimeout(SEND_TIMEOUT_S)
    return decode_line(data.split(b"\n", 1)[0])


def _watch_disconnect(sock: socket.socket, job: Job) -> None:
    """Cancel the job when the client closes its end (it sends nothing after the request)."""
    while not job.done.is_set():
        try:
            readable, _, _ = select.select([sock], [], [], WATCH_POLL_S)
            if not readable:
                continue
            data = sock.recv(4096, socket.MSG_DONTWAIT)
        except BlockingIOError:
            continue
        except (OSError, ValueError):
            data = b""
        if not data:
            job.cancel()
            return


def _search(engine: Engine, job: Job, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
    query = _text(request, "query")
    sources = engine.search(
        query, k=_optional_int(request, "k"), collection=_optional_text(request, "collection")
    )
    yield results_to_wire(sources)


def _ask(engine: Engine, job: Job, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
    run = engine.ask(_text(request, "question"), options_from_wire(request.get("options", {})))
    job.on_cancel(run.cancel)
    try:
        for event in run:
            yield event_to_wire(event)
    finally:
        run.close()


Operation = Callable[..., Iterator[dict[str, Any]]]
_OPERATIONS: dict[str, Operation] = {
    "search": _search,
    "ask": _ask,
}


def _text(request: dict[str, Any], key: str) -> str:
    value = request.get(key)
    if not isinstance(value, str):
        raise UsageError(f"the request needs {key!r} as text")
    return value


def _optional_text(request: dict[str, Any], key: str) -> str | None:
    return None if request.get(key) is None else _text(request, key)


def _optional_int(request: dict[str, Any], key: str) -> int | None:
    value = request.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise UsageError(f"{key!r} must be a whole number")
    return value


class ServiceServer(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True

    def __init__(self, path: Path, service: Service):
        self.service = service
        self.path = path
        super().__init__(str(path), RequestHandler)

    def shutdown(self) -> None:
        """Stop serve_forever() now, not when its select() next times out.

        serve_forever() checks the stop flag right after select() returns, so a connection to
        our own socket ends it at once. A connection that arrives before the flag is set is
        served as an empty one and the loop waits again: connect until shutdown() returns.
        """
        stopping = threading.Thread(target=super().shutdown, name="margin-shutdown", daemon=True)
        stopping.start()
        while stopping.is_alive():
            self._wake()
            stopping.join(WAKE_RETRY_S)

    def _wake(self) -> None:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as wake:
            wake.settimeout(WAKE_RETRY_S)
            # No socket file or a full backlog: a later try, or the loop's own poll, wakes it.
            with contextlib.suppress(OSError):
                wake.connect(str(self.path))
