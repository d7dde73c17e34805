"""A damaged log file or a full disk: clear errors, answering goes on, nothing is lost.

Issue 10, items 10 and 15: a log truncated to 8 KB made `ask` fail with "database disk image
is malformed" and `stats` print a traceback; a full disk gave raw SQLite tracebacks.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from assistant.locations import resolve_locations
from assistant.log import InteractionLog, LogDamagedError, LogWriteError
from assistant.log.database import DAMAGED_SUFFIX, connect
from assistant.log.errors import LogSchemaError
from assistant.log.migrations import MIGRATIONS
from tests.assistant.log.helpers import make_answer
from tests.fixtures.disk import Refusing, fill

TRUNCATED_AT = 8 * 1024


def damaged_log(path: Path, rows: int = 200) -> bytes:
    """A real log with `rows` interactions, cut to 8 KB as a crash or a bad copy leaves it."""
    with InteractionLog(path, log_text=True) as log:
        for _ in range(rows):
            log.record(make_answer())
    os.truncate(path, TRUNCATED_AT)
    return path.read_bytes()


def test_reading_a_damaged_log_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "logs.db"
    damaged_log(path)
    with pytest.raises(LogDamagedError) as caught:
        InteractionLog(path, log_text=True, recover=False)
    message = str(caught.value)
    assert str(path) in message and "damaged" in message and "margin doctor" in message
    assert path.stat().st_size == TRUNCATED_AT  # left as it was


def test_answering_keeps_the_damaged_log_aside_starts_a_fresh_one_and_says_so_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "logs.db"
    damaged = damaged_log(path)
    with caplog.at_level(logging.WARNING, logger="margin.log"):
        with InteractionLog(path, log_text=True) as log:
            assert log.record(make_answer()) == 1
            aside = log.db.set_aside
        with InteractionLog(path, log_text=True) as again:
            assert again.record(make_answer()) == 2 and again.db.set_aside is None
    assert aside is not None and aside.name.startswith("logs.db" + DAMAGED_SUFFIX)
    assert aside.read_bytes() == damaged
    [warning] = [r.getMessage() for r in caplog.records if r.name == "margin.log"]
    assert "damaged" in warning and str(aside) in warning


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_cli_stats_doctor_and_ask_with_a_damaged_log() -> None:
    locations = resolve_locations().ensure()
    damaged_log(locations.log_db)
    for command in (["stats"], ["stats", "--json"], ["feedback", "1", "up"], ["egress"]):
        code, output = run(*command)
        assert code == 1 and "is damaged" in output and "Traceback" not in output, command
    code, output = run("doctor", "--json")
    assert code == 1 and '"name": "log"' in output and "keeps it aside" in output

    code, output = run("ask", "What is 17 * 23?")
    assert code == 0 and "391" in output, output
    code, output = run("stats", "--json")
    assert code == 0 and '"interactions": 1' in output
    code, output = run("doctor", "--json")
    assert '"damaged log"' in output and DAMAGED_SUFFIX in output


def log_from_another_version(path: Path) -> None:
    """A log whose last migration was applied under another name (as a development build
    or another release may have): its columns are there, its record of them is not."""
    with InteractionLog(path, log_text=True) as log:
        log.record(make_answer())
        with log.db.write() as connection:
            connection.execute("DELETE FROM _migrations WHERE name = ?", (MIGRATIONS[-1].name,))


def test_a_log_from_another_version_is_a_clear_error_and_answering_goes_on() -> None:
    locations = resolve_locations().ensure()
    log_from_another_version(locations.log_db)
    with pytest.raises(LogSchemaError) as caught:
        InteractionLog(locations.log_db, log_text=True, recover=False)
    message = str(caught.value)
    assert str(locations.log_db) in message and MIGRATIONS[-1].name in message
    assert "another version of margin" in message

    code, output = run("stats")
    assert code == 1 and "another version of margin" in output and "Traceback" not in output
    code, output = run("ask", "What is 17 * 23?")
    assert code == 0 and "391" in output, output
    [aside] = locations.log_db.parent.glob(f"logs.db{DAMAGED_SUFFIX}*[0-9Z]")
    with connect(aside) as kept:  # the old file is kept as it was, its row included
        assert kept.query("SELECT COUNT(*) AS n FROM interactions")[0]["n"] == 1


def test_a_full_disk_is_a_clear_error_on_a_real_small_disk(
    small_disk: Callable[[int], Path],
) -> None:
    folder = small_disk(512)
    path = folder / "data" / "logs.db"
    with InteractionLog(path, log_text=True) as log:
        first = log.record(make_answer())
        filler = fill(folder)
        with pytest.raises(LogWriteError, match="the disk is full"):
            for n in range(5000):  # the WAL may reuse room it already has for a while
                log.record(make_answer(n))
    filler.unlink()
    with InteractionLog(path, log_text=True) as reopened:
        assert reopened.get(first).answer.answer == make_answer().answer


def test_a_full_disk_at_the_sqlite_boundary_is_a_clear_error(tmp_path: Path) -> None:
    """Runs everywhere (no mount needed): SQLITE_FULL injected at the connection."""
    with InteractionLog(tmp_path / "logs.db", log_text=True) as log:
        kept = log.record(make_answer())
        real = log.db._connection
        log.db._connection = Refusing(real)  # type: ignore[assignment]
        with pytest.raises(LogWriteError, match="the disk is full"):
            log.record(make_answer())
        log.db._connection = real
        assert [r.id for r in log.recent(10)] == [kept]
