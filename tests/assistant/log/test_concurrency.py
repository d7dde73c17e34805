"""Several processes on one log file: no lost rows, no "database is locked", no corruption."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from pathlib import Path

from assistant.log import InteractionLog
from tests.assistant.log.helpers import make_answer
from tests.assistant.log.writers import write_forever, write_many

SPAWN = multiprocessing.get_context("spawn")
HANG_GUARD_S = 120  # only stops a broken test from hanging; asserts nothing about speed


def test_two_processes_writing_at_once_keep_every_row(db_path: Path) -> None:
    start = SPAWN.Barrier(2)
    writers = [
        SPAWN.Process(target=write_many, args=(db_path, name, 200, start))
        for name in ("writer-a", "writer-b")
    ]
    for process in writers:
        process.start()
    for process in writers:
        process.join(HANG_GUARD_S)
    assert [process.exitcode for process in writers] == [0, 0]
    with InteractionLog(db_path, log_text=True) as log:
        counts = log.db.query("SELECT model, COUNT(*) FROM interactions GROUP BY model")
        assert {row[0]: row[1] for row in counts} == {"writer-a": 200, "writer-b": 200}
        assert log.db.query("SELECT COUNT(*) FROM sources")[0][0] == 800
        assert log.db.query("PRAGMA integrity_check")[0][0] == "ok"


def test_kill_9_mid_write_leaves_a_sound_database(db_path: Path) -> None:
    InteractionLog(db_path, log_text=True).close()
    writer = SPAWN.Process(target=write_forever, args=(db_path,))
    writer.start()
    watcher = sqlite3.connect(db_path, timeout=5)
    deadline = time.monotonic() + HANG_GUARD_S
    written = 0
    while written < 100 and time.monotonic() < deadline and writer.is_alive():
        written = watcher.execute("SELECT COUNT(*) FROM interactions").fetchone()[0]
    watcher.close()
    writer.kill()
    writer.join(HANG_GUARD_S)
    assert writer.exitcode == -9
    assert written >= 100
    with InteractionLog(db_path, log_text=True) as log:
        assert log.db.query("PRAGMA integrity_check")[0][0] == "ok"
        count = log.db.query("SELECT COUNT(*) FROM interactions")[0][0]
        assert count >= written
        orphans = log.db.query(
            "SELECT COUNT(*) FROM sources WHERE interaction_id NOT IN (SELECT id FROM interactions)"
        )
        assert orphans[0][0] == 0
        assert log.db.query("SELECT COUNT(*) FROM sources")[0][0] == 2 * count
        new_id = log.record(make_answer())
        assert log.get(new_id).answer.answer == make_answer().answer


def test_threads_sharing_one_log(db_path: Path) -> None:
    """The TUI records from worker threads through one InteractionLog."""
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def write(log: InteractionLog) -> None:
        start.wait()
        try:
            for n in range(50):
                log.feedback(log.record(make_answer(n)), "up")
        except BaseException as exc:
            errors.append(exc)

    with InteractionLog(db_path, log_text=True) as log:
        threads = [threading.Thread(target=write, args=(log,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(HANG_GUARD_S)
        assert errors == []
        assert log.db.query("SELECT COUNT(*) FROM interactions")[0][0] == 200
        assert log.db.query("SELECT COUNT(*) FROM feedback")[0][0] == 200
