"""Service tests run with the service switched on, and leave no service process behind.

Service processes use the deterministic hashing embedder unless a test asks for the real one.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from assistant.locations import Locations, resolve_locations
from assistant.service.client import ServiceClient
from assistant.service.daemon import Service, ServiceHost
from assistant.service.protocol import PID_NAME
from tests.assistant.service.stub import StubEngine


@pytest.fixture(autouse=True)
def service_switched_on(monkeypatch: pytest.MonkeyPatch, margin_home: object) -> Iterator[None]:
    monkeypatch.delenv("MARGIN_NO_SERVICE", raising=False)
    monkeypatch.setenv("MARGIN_SERVICE_IDLE_S", "120")
    monkeypatch.setenv("MARGIN_TEST_FAKE_EMBEDDER", "1")
    yield
    stop_service_process(resolve_locations())


def stop_service_process(locations: Locations) -> None:
    """Terminate a service subprocess a test started (never this test process itself)."""
    try:
        pid = int((locations.run_dir / PID_NAME).read_text())
    except (OSError, ValueError):
        return
    if pid == os.getpid():
        return
    wait_for_exit(pid, signal.SIGTERM)


def wait_for_exit(pid: int, sig: signal.Signals | None = None, timeout_s: float = 20.0) -> bool:
    try:
        if sig is not None:
            os.kill(pid, sig)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not alive(pid):
                return True
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return True
    return False


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie child of this process counts as gone)."""
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)
        if finished:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@dataclass
class StubService:
    host: ServiceHost
    service: Service
    engine: StubEngine
    client: ServiceClient
    thread: threading.Thread

    def stop(self) -> None:
        self.service.stop("test finished")
        self.thread.join(10)


@pytest.fixture
def stub_service() -> Iterator[StubService]:
    """The real server, in this process, on a real socket, over a scripted engine."""
    yield from _stub_service(os.getuid())


@pytest.fixture
def foreign_uid_service() -> Iterator[StubService]:
    """A server that only accepts another user, so this process is a stranger to it."""
    yield from _stub_service(os.getuid() + 1)


def _stub_service(allowed_uid: int) -> Iterator[StubService]:
    engine = StubEngine()
    service = Service(resolve_locations(), lambda: engine, idle_s=3600, allowed_uid=allowed_uid)
    stub = serve_in_thread(service, engine)
    yield stub
    stub.stop()


def serve_in_thread(service: Service, engine: StubEngine) -> StubService:
    host = ServiceHost(service)
    assert host.open()

    def run() -> None:
        try:
            host.run()
        finally:
            host.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return StubService(host, service, engine, ServiceClient(host.socket_path), thread)
