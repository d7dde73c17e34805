"""The real service process: started on demand, reused, stepping down, leaving nothing behind."""

from __future__ import annotations

import fcntl
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.locations import Locations, resolve_locations
from assistant.service_client import ServiceClient, connect_or_start
from assistant.service_protocol import LOCK_NAME, LOG_NAME, PID_NAME
from tests.service.conftest import alive, wait_for_exit

ROOT = Path(__file__).resolve().parents[2]
MARGIN = Path(sys.executable).with_name("margin")


def started(locations: Locations) -> tuple[ServiceClient, int]:
    client = connect_or_start(locations)
    assert client is not None, (locations.run_dir / LOG_NAME).read_text()
    return client, int(client.ping()["pid"])


def test_the_first_call_starts_the_service_and_the_next_reuses_it() -> None:
    locations = resolve_locations()
    client, pid = started(locations)
    assert pid != os.getpid() and alive(pid)
    _, same = started(locations)
    assert same == pid
    assert int((locations.run_dir / PID_NAME).read_text()) == pid
    assert stat.S_IMODE(client.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(locations.run_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((locations.run_dir / LOG_NAME).stat().st_mode) == 0o600


def test_the_service_exits_after_the_idle_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARGIN_SERVICE_IDLE_S", "1")
    locations = resolve_locations()
    client, pid = started(locations)
    assert wait_for_exit(pid)
    assert not client.path.exists()
    assert not (locations.run_dir / PID_NAME).exists()
    assert "stopped: idle for" in (locations.run_dir / LOG_NAME).read_text()


def test_a_changed_config_retires_the_service_and_the_next_call_starts_a_fresh_one() -> None:
    locations = resolve_locations()
    _, pid = started(locations)
    locations.config_file.write_text("[retrieval]\nk = 4\n")
    assert wait_for_exit(pid)
    _, fresh = started(locations)
    assert fresh != pid
    assert "stopped: config.toml changed" in (locations.run_dir / LOG_NAME).read_text()


def test_choosing_another_default_model_retires_the_service() -> None:
    from models.registry import LocalModels

    locations = resolve_locations()
    _, pid = started(locations)
    LocalModels(locations.model_registry, locations.models_dir).set_default(None)
    assert wait_for_exit(pid)
    assert "registered with `margin models`" in (locations.run_dir / LOG_NAME).read_text()


def test_concurrent_starts_leave_one_service() -> None:
    locations = resolve_locations()
    probe = (
        "from assistant.locations import resolve_locations\n"
        "from assistant.service_client import connect_or_start\n"
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


def test_a_long_data_folder_is_served_on_a_short_socket_in_tmp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / ("a-rather-long-folder-name-" * 5)
    monkeypatch.setenv("MARGIN_HOME", str(home))
    locations = resolve_locations()
    client, pid = started(locations)
    assert client.path.parent == Path("/tmp") / f"margin-{os.getuid()}"
    assert stat.S_IMODE(client.path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(client.path.stat().st_mode) == 0o600
    client.shutdown()
    assert wait_for_exit(pid)
    assert not client.path.exists()


def test_service_status_and_stop_commands(margin_home: Path) -> None:
    env = {**os.environ, "MARGIN_HOME": str(margin_home)}

    def margin(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(MARGIN), *args], env=env, capture_output=True, text=True, timeout=120
        )

    assert "No margin service is running" in margin("service", "status").stdout
    _, pid = started(resolve_locations())
    status = margin("service", "status")
    assert status.returncode == 0 and f"pid {pid}" in status.stdout
    stopped = margin("service", "stop")
    assert stopped.returncode == 0 and f"Stopped the margin service (pid {pid})" in stopped.stdout
    assert wait_for_exit(pid)
    deadline = time.monotonic() + 20
    while "No margin service" not in margin("service", "status").stdout:
        assert time.monotonic() < deadline
