"""Service tests run with the service switched on, and leave no service process behind.

Most tests serve a `Service` in this process on a real socket, with the engine injected: a
scripted `StubEngine`, or an assistant built with small parts. The few tests that need a real
`python -m assistant.service.daemon` process get the real assistant (bundled embedder and
model); they share one such process where they can (`real_service`), because each new one
loads torch and llama.cpp again.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.core import build_assistant
from assistant.locations import Locations, resolve_locations
from assistant.service.client import ServiceClient, connect_or_start
from assistant.service.daemon import ServiceHost
from assistant.service.protocol import LOG_NAME, PID_NAME
from assistant.service.server import Service
from assistant.service.worker import Engine
from ingest.embedder import Embedder
from tests.assistant.service.stub import StubEngine
from tests.fixtures.ingest import seed_cache

DOCS = Path(__file__).resolve().parents[3] / "docs"
SERVED_DOCS = ("ask.md", "budgets.md", "models.md", "privacy.html")


@pytest.fixture(autouse=True)
def service_switched_on(monkeypatch: pytest.MonkeyPatch, margin_home: object) -> Iterator[None]:
    monkeypatch.delenv("MARGIN_NO_SERVICE", raising=False)
    monkeypatch.setenv("MARGIN_SERVICE_IDLE_S", "120")
    locations = resolve_locations()
    yield
    stop_service_process(locations)


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
    engine: Engine | None  # None: the service builds its own on its engine thread
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


def serve_in_thread(service: Service, engine: Engine | None = None) -> StubService:
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


@dataclass(frozen=True)
class RealService:
    """A real service process over a few documents of docs/, ingested with the real embedder."""

    locations: Locations
    corpus: Path
    pid: int
    env: dict[str, str]  # the environment of a process that talks to it (MARGIN_HOME set)


@pytest.fixture(scope="session")
def real_service(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, embedding_cache: Path
) -> Iterator[RealService]:
    """One `python -m assistant.service.daemon` for the session, started on demand by the
    client like any `margin search`; a test that uses it must not stop it."""
    home = tmp_path_factory.mktemp("served-home")
    seed_cache(embedding_cache, home)
    corpus = home / "docs"
    corpus.mkdir()
    for name in SERVED_DOCS:
        shutil.copyfile(DOCS / name, corpus / name)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MARGIN_HOME", str(home))
        patch.setenv("MARGIN_SERVICE_IDLE_S", "900")
        patch.delenv("MARGIN_NO_SERVICE", raising=False)
        locations = resolve_locations().ensure()
        locations.config_file.write_text("[ask]\nmax_tokens = 48\n")
        assistant = build_assistant(locations=locations, embedder=embedder)
        try:
            report = assistant.ingest([corpus])
        finally:
            assistant.close()
        assert len(report.added) == len(SERVED_DOCS) and not report.failed
        client = connect_or_start(locations)
        assert client is not None, (locations.run_dir / LOG_NAME).read_text()
        service = RealService(locations, corpus, int(client.ping()["pid"]), dict(os.environ))
    yield service
    wait_for_exit(service.pid, signal.SIGTERM, timeout_s=60)
