from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.log import InteractionLog
from tests.assistant.log.helpers import Clock, at


@pytest.fixture
def clock() -> Clock:
    return Clock(at("2026-11-28T10:00:00"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "logs.db"


@pytest.fixture
def log(db_path: Path, clock: Clock) -> Iterator[InteractionLog]:
    with InteractionLog(db_path, log_text=True, clock=clock) as opened:
        yield opened


@pytest.fixture
def private_log(db_path: Path, clock: Clock) -> Iterator[InteractionLog]:
    with InteractionLog(db_path, log_text=False, clock=clock) as opened:
        yield opened


def file_bytes(path: Path) -> bytes:
    """The database file and its WAL and shared-memory files, as stored on disk."""
    parts = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    return b"".join(part.read_bytes() for part in parts if part.exists())
