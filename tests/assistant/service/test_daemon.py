"""The service process and its host: started on demand, reused, stepping down, leaving nothing.

Real processes where the process is the point (started by the client, one per data folder,
a lock nobody else holds); the host's rules (idle timeout, a changed config, a long data
folder, the `margin service` commands) in this process, over a scripted engine.
"""

from __future__ import annotations

import fcntl
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from assistant.locations import Locations, resolve_locations
from assistant.service import daemon
from assistant.service.client import ServiceClient, connect_or_start
from assistant.service.daemon import ServiceHost
from assistant.service.protocol import LOCK_NAME, LOG_NAME, PID_NAME
from assistant.service.server import Service
from tests.assistant.service.conftest import RealService, StubService, alive, serve_in_thread
from tests.assistant.service.stub import StubEngine

ROOT = Path(__file__).resolve().parents[3]


def started(locations: Locations) -> tuple[ServiceClient, int]:
    client = connect_or_start(locations)
    assert client is not None, (locations.run_dir / LOG_NAME).read_text()
    return client, int(client.ping()["pid"])


def test_the_service_runs_in_its_own_process_and_later_calls_reuse_it(
    real_service: RealService,
) -> None:
    locations = real_service.locations
    client, pid = started(locations)
    assert pid == real_service.pid != os.getpid() and alive(pid)
    assert started(locations)[1] == pid
    assert int((locations.run_dir / PID_NAME).read_text()) == pid
    assert stat.S_IMODE(client.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(locations.run_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((locations.run_dir / LOG_NAME).stat().st_mode) == 0o600


def test_concurrent_starts_leave_one_service() -> None:
    locations = resolve_locations()
    probe = (
        "from assistant.locations import resolve_locations\n"
        "from assistant.service.client import connect_or_start\n"
        "print(connect_or_start(resolve_locations()).ping()['pid'])\n"
    )
    runs = [
        subprocess.Popen([sys.executable, "-c", probe], cwd=ROOT, stdout=subprocess.PIPE)
        for _ in range(3)
    ]
    pids = {int(run.communicate(timeout=120)[0]) for run in runs}
    assert len(pids) == 1
    assert int((locations.run_dir / PID_NAME).read_text()) in pids


def test_an_unusable_run_folder_means_in_process_work() -> None:
    locations = resolve_locations()
    locations.data_dir.mkdir(parents=True)
    locations.run_dir.write_text("not a folder")
    assert connect_or_start(locations, timeout_s=5) is None


def test_a_service_that_never_opens_its_socket_means_in_process_work() -> None:
    locations = resolve_locations().ensure()
    lock = os.open(locations.run_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        assert connect_or_start(locations, timeout_s=5) is None
    finally:
        os.close(lock)


def hosted(service: Service) -> tuple[ServiceHost, str]:
    """Run a host until it decides to stop by itself; its reason."""
    host = ServiceHost(service)
    assert host.open()
    try:
        reason = host.run()
    finally:
        host.close()
    return host, reason


def test_the_service_exits_after_the_idle_timeout() -> None:
    engine = StubEngine()
    host, reason = hosted(Service(resolve_locations(), lambda: engine, idle_s=0.5))
    assert reason.startswith("idle for")
    assert not host.socket_path.exists() and not host.pid_path.exists()
    assert engine.closed


def test_closing_does_not_wait_for_the_accept_loop_to_poll(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(daemon, "ACCEPT_POLL_S", 3600.0)
    engine = StubEngine()
    service = Service(resolve_locations(), lambda: engine, idle_s=3600)
    host = ServiceHost(service)
    assert host.open()
    assert ServiceClient(host.socket_path).search("keys") == StubEngine().search("keys")
    closing = threading.Thread(target=host.close, daemon=True)
    closing.start()
    closing.join(timeout=30)
    assert not closing.is_alive()
    assert not host.socket_path.exists() and engine.closed
    assert service.requests == 1  # waking the loop is no request


def test_a_changed_config_retires_an_idle_service() -> None:
    locations = resolve_locations().ensure()
    service = Service(locations, StubEngine, idle_s=3600)
    locations.config_file.write_text("[retrieval]\nk = 4\n")
    host, reason = hosted(service)
    assert reason.startswith("config.toml changed")
    assert not host.socket_path.exists()


def test_choosing_another_default_model_retires_an_idle_service() -> None:
    from models.registry import LocalModels

    locations = resolve_locations().ensure()
    service = Service(locations, StubEngine, idle_s=3600)
    LocalModels(locations.model_registry, locations.models_dir).set_default(None)
    host, reason = hosted(service)
    assert "registered with `margin models`" in reason
    assert not host.socket_path.exists()


def test_a_long_data_folder_is_served_on_a_short_socket_in_tmp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MARGIN_HOME", str(tmp_path / ("a-rather-long-folder-name-" * 5)))
    engine = StubEngine()
    stub = serve_in_thread(Service(resolve_locations(), lambda: engine, idle_s=3600), engine)
    path = stub.host.socket_path
    assert path.parent == Path("/tmp") / f"margin-{os.getuid()}"
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert connect_or_start(resolve_locations(), start=False) is not None
    assert stub.client.search("keys") == StubEngine().search("keys")
    stub.client.shutdown()
    stub.thread.join(20)
    assert not path.exists()


def test_service_status_and_stop_commands(stub_service: StubService) -> None:
    runner = CliRunner()
    status = runner.invoke(cli, ["service", "status"])
    assert status.exit_code == 0 and f"pid {os.getpid()}" in status.output
    stopped = runner.invoke(cli, ["service", "stop"])
    assert stopped.exit_code == 0
    assert f"Stopped the margin service (pid {os.getpid()})" in stopped.output
    stub_service.thread.join(20)
    assert "No margin service is running" in runner.invoke(cli, ["service", "status"]).output
