"""The CLI side of the warm service: connect (starting it on demand), or work in-process.

`run_search` and `open_ask` return the same objects whichever path did the work, so the
commands print them the same way. A search uses a service that is already running and never
starts one: in-process it needs only onnxruntime and the store (under a second), while the
service is there to keep the chat model loaded, so `ask` starts it. The service is used
unless `MARGIN_NO_SERVICE=1` is set, it cannot be started or reached, or (for `open_ask`
only) `--verbose` is given: model diagnostics belong on this terminal. Then the work happens
in this process, slower but with the same results. A service that is out of date (its code,
config.toml or the environment changed) is replaced once. This module imports nothing heavy.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from assistant.ask.types import Answer, AnswerDone, AskEvent, AskOptions, AskStream, Found
from assistant.locations import Locations, resolve_locations
from assistant.service.protocol import (
    LOG_NAME,
    ServiceError,
    decode_line,
    encode_line,
    env_fingerprint,
    event_from_wire,
    options_to_wire,
    peer_credentials,
    raise_if_error,
    results_from_wire,
    socket_path,
)

START_TIMEOUT_S = 15.0  # for a new service process to open its socket
FIRST_REPLY_TIMEOUT_S = 300.0  # a new service loads the models first; a busy machine is slow
LOG_LIMIT_BYTES = 1_000_000
T = TypeVar("T")

# Services this process started; kept so they are not reported as leaked child processes.
_spawned: list[subprocess.Popen[bytes]] = []


class ServiceUnavailable(Exception):
    """The service cannot be reached, or went away before answering: work in-process."""


class ServiceStale(ServiceUnavailable):
    """The service is out of date (code, config or environment changed) and is exiting."""


def service_wanted(environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """On unless MARGIN_NO_SERVICE is 1, true or yes."""
    return not _flag(environ.get("MARGIN_NO_SERVICE"))


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes")


class Connection:
    """One request and its replies over one socket connection."""

    def __init__(self, path: Path):
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._sock.connect(str(path))
            self.pid, uid, _ = peer_credentials(self._sock)
        except OSError as exc:
            self._sock.close()
            raise ServiceUnavailable(f"cannot connect to {path}: {exc}") from exc
        if uid != os.getuid():
            self._sock.close()
            raise ServiceUnavailable(f"{path} belongs to another user (uid {uid})")
        self._buffer = bytearray()

    def send(self, request: dict[str, Any]) -> None:
        try:
            self._sock.sendall(encode_line(request))
        except BrokenPipeError:
            return  # refused before the request was read (another user's service): read says why
        except OSError as exc:
            raise ServiceUnavailable(f"the service went away: {exc}") from exc

    def read(self, timeout_s: float | None = None) -> dict[str, Any]:
        """The next reply line; `ServiceUnavailable` if the service closed or did not answer."""
        self._sock.settimeout(timeout_s)
        while (end := self._buffer.find(b"\n")) < 0:
            try:
                chunk = self._sock.recv(65536)
            except TimeoutError as exc:
                raise ServiceUnavailable(f"no reply within {timeout_s:.0f} s") from exc
            except OSError as exc:
                raise ServiceUnavailable(f"the service went away: {exc}") from exc
            if not chunk:
                raise ServiceUnavailable("the service closed the connection")
            self._buffer += chunk
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        return decode_line(line)

    def stop_sending(self) -> None:
        """Half-close: the service sees the end of input and cancels, and still replies."""
        try:
            self._sock.shutdown(socket.SHUT_WR)
        except OSError:
            self.close()

    def close(self) -> None:
        self._sock.close()


class ServiceClient:
    def __init__(self, path: Path):
        self.path = path

    def request(self, op: str, **arguments: Any) -> Connection:
        connection = Connection(self.path)
        connection.send({"op": op, "env": env_fingerprint(os.environ), **arguments})
        return connection

    def first_reply(self, connection: Connection) -> dict[str, Any]:
        reply = connection.read(FIRST_REPLY_TIMEOUT_S)
        if reply.get("event") == "stale":
            connection.close()
            raise ServiceStale(str(reply.get("reason", "out of date")))
        return reply

    def ping(self) -> dict[str, Any]:
        connection = self.request("ping")
        try:
            reply = connection.read(FIRST_REPLY_TIMEOUT_S)
        finally:
            connection.close()
        raise_if_error(reply)
        return reply

    def shutdown(self) -> None:
        connection = self.request("shutdown")
        try:
            raise_if_error(connection.read(FIRST_REPLY_TIMEOUT_S))
        finally:
            connection.close()

    def search(self, query: str, *, k: int | None = None, collection: str | None = None) -> Found:
        connection = self.request("search", query=query, k=k, collection=collection)
        try:
            return results_from_wire(self.first_reply(connection))
        finally:
            connection.close()

    def ask(self, question: str, options: AskOptions | None = None) -> ServiceAskRun:
        """Start an answer; returns once the first event (the sources) has arrived."""
        connection = self.request(
            "ask", question=question, options=options_to_wire(options or AskOptions())
        )
        try:
            first = event_from_wire(self.first_reply(connection))
        except BaseException:
            connection.close()
            raise
        return ServiceAskRun(connection, first)


class ServiceAskRun:
    """An answer streamed from the service: an `AskStream`, like the in-process `AskRun`."""

    def __init__(self, connection: Connection, first: AskEvent):
        self._connection = connection
        self._pending: AskEvent | None = first
        self._finished = False
        self._cancelled = False
        self.answer: Answer | None = None

    def __iter__(self) -> ServiceAskRun:
        return self

    def __next__(self) -> AskEvent:
        if self._pending is not None:
            event, self._pending = self._pending, None
        elif self._finished:
            raise StopIteration
        else:
            event = self._read()
        if isinstance(event, AnswerDone):
            self.answer = event.answer
            self._finished = True
        return event

    def _read(self) -> AskEvent:
        try:
            return event_from_wire(self._connection.read())
        except ServiceUnavailable as exc:
            self._finished = True
            if self._cancelled:
                raise StopIteration from exc
            raise ServiceError(
                f"the margin service stopped in the middle of the answer ({exc}); ask again, "
                "or set MARGIN_NO_SERVICE=1 to answer without it"
            ) from exc

    def cancel(self) -> None:
        """First call: the service stops the answer and sends what it has. Second: hang up."""
        if self._cancelled:
            self._connection.close()
        else:
            self._cancelled = True
            self._connection.stop_sending()

    def close(self) -> None:
        self._connection.close()


def connect_or_start(
    locations: Locations, *, start: bool = True, timeout_s: float = START_TIMEOUT_S
) -> ServiceClient | None:
    """A client of the running service, starting one if needed; None: work in-process."""
    try:
        path = socket_path(locations)
        if _accepts(path):
            return ServiceClient(path)
        if not start:
            return None
        process = _spawn(locations)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if _accepts(path):
                return ServiceClient(path)
            if process.poll() not in (None, 0):
                return None
            time.sleep(0.02)
    except OSError:
        return None
    return None


def _accepts(path: Path) -> bool:
    try:
        Connection(path).close()
    except ServiceUnavailable:
        return False
    return True


def _spawn(locations: Locations) -> subprocess.Popen[bytes]:
    """Start `python -m assistant.service.daemon` detached, stderr appended to the service log."""
    run_dir = locations.ensure().run_dir
    log_path = run_dir / LOG_NAME
    if log_path.exists() and log_path.stat().st_size > LOG_LIMIT_BYTES:
        log_path.unlink()
    log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant.service.daemon"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log_fd,
            start_new_session=True,
            cwd=Path(__file__).resolve().parents[2],
        )
    finally:
        os.close(log_fd)
    _spawned.append(process)
    return process


def _through_service(
    locations: Locations | None, use: Callable[[ServiceClient], T], *, start: bool = True
) -> T | None:
    """`use(client)`, restarting an out-of-date service once; None when it is unavailable
    (or not running, with `start=False`)."""
    where = locations or resolve_locations()
    for _ in range(2):
        client = connect_or_start(where, start=start)
        if client is None:
            return None
        try:
            return use(client)
        except ServiceStale:
            continue
        except ServiceUnavailable:
            return None
    return None


def run_search(
    query: str,
    *,
    k: int | None = None,
    collection: str | None = None,
    use_service: bool = True,
    locations: Locations | None = None,
) -> Found:
    """Search through the warm service when it is running, else in this process."""
    if use_service and service_wanted():
        results = _through_service(
            locations, lambda client: client.search(query, k=k, collection=collection), start=False
        )
        if results is not None:
            return results
    from assistant.core import open_index

    index = open_index(locations, for_queries=True)
    return index.retriever().search(query, k=k, collection=collection)


def open_ask(
    question: str,
    options: AskOptions | None = None,
    *,
    verbose: bool = False,
    use_service: bool = True,
    locations: Locations | None = None,
) -> AskStream:
    """Start an answer through the warm service when it is available, else in this process.

    In this process the answer owns the assistant built for it: closing the answer closes it.
    """
    options = options or AskOptions()
    if use_service and not verbose and service_wanted():
        run = _through_service(locations, lambda client: client.ask(question, options))
        if run is not None:
            return run
    from assistant.core import build_assistant

    assistant = build_assistant(locations=locations, verbose=verbose)
    return assistant.ask(question, options, on_close=assistant.close)
