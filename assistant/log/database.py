"""The log database: one SQLite file, WAL, a busy timeout, owner-only from the first byte.

SQLite's own errors never leave this module raw: a damaged file becomes `LogDamagedError`,
a full or failing disk `LogWriteError`, each with a message for a person. Opened with
`recover=True` (what answering does), a damaged file is kept aside under a new name, a
fresh log is started, and the person is told once, on stderr: the record of one request is
all that can be lost, never the answer.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.log.errors import LogDamagedError, LogError, LogWriteError

BUSY_TIMEOUT_MS = 5000
DAMAGED_SUFFIX = ".damaged-"
_DAMAGED = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
_DISK = {
    sqlite3.SQLITE_FULL: "the disk is full",
    sqlite3.SQLITE_READONLY: "the file or its folder is read-only",
    sqlite3.SQLITE_IOERR: "the disk reported an input/output error",
    sqlite3.SQLITE_CANTOPEN: "the file cannot be opened",
}
_OS_ERRORS = {28: "the disk is full", 30: "the file system is read-only"}
_FULL_BELOW_BYTES = 1 << 20
_log = logging.getLogger("margin.log")


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def to_db_time(moment: datetime) -> str:
    """Timestamps are stored as fixed-width UTC ISO text, so text order is time order."""
    return as_utc(moment).isoformat(timespec="microseconds")


def from_db_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


class LogDatabase:
    """A configured SQLite connection shared by the log's stores.

    One lock serialises this process's use of the connection (the TUI runs workers in
    threads); other processes are kept in order by SQLite's own locks and `busy_timeout`.
    """

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self.set_aside: Path | None = None  # where a damaged file went when this one began
        self._connection = connection
        self._lock = threading.RLock()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        with self._lock, translated(self.path):
            return self._connection.execute(sql, params)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock, translated(self.path):
            return self._connection.execute(sql, params).fetchall()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken with BEGIN IMMEDIATE so it waits for other writers
        (up to the busy timeout) instead of failing when it upgrades from a read. Whatever
        fails, in the body or at COMMIT (a full disk), the transaction is rolled back."""
        with self._lock, translated(self.path):
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
                self._connection.execute("COMMIT")
            except BaseException:
                if self._connection.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        self._connection.execute("ROLLBACK")
                raise

    def probe(self) -> None:
        """Read the last row of every table: a truncated file (its last pages gone) fails
        here, in a fraction of a millisecond, rather than halfway through a command."""
        with self._lock, translated(self.path):
            tables = self._connection.execute(
                "SELECT name FROM sqlite_master "
                "WHERE type = 'table' AND sql NOT LIKE '%WITHOUT ROWID%'"
            ).fetchall()
            for (name,) in tables:
                self._connection.execute(f'SELECT max(rowid) FROM "{name}"').fetchone()

    def compact(self) -> None:
        """Rewrite the file without free pages and empty the WAL, so deleted text is gone."""
        with self._lock, translated(self.path):
            self._connection.execute("VACUUM")
            self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._connection.close()

    def __enter__(self) -> LogDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def translated(path: Path) -> Iterator[None]:
    """SQLite's and the OS's errors about the file as LogDamagedError or LogWriteError."""
    try:
        yield
    except sqlite3.Error as exc:
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code in _DAMAGED:
            raise LogDamagedError(path, str(exc)) from exc
        if code in _DISK:
            reason = "the disk is full" if _disk_full(path) else _DISK[code]
            raise LogWriteError(path, f"{reason} ({exc})") from exc
        raise
    except OSError as exc:
        reason = _OS_ERRORS.get(exc.errno or 0, exc.strerror or str(exc))
        raise LogWriteError(path, reason) from exc


def _disk_full(path: Path) -> bool:
    """SQLite reports a full disk as an I/O error when it cannot grow the WAL or -shm."""
    try:
        return shutil.disk_usage(path.parent).free < _FULL_BELOW_BYTES
    except OSError:
        return False


def open_log(path: Path, *, recover: bool = False) -> LogDatabase:
    """Open (creating if needed) the log at `path` and apply any pending migrations.

    A damaged file raises LogDamagedError, or with `recover`, is kept aside as
    `logs.db.damaged-<UTC time>` (with its -wal and -shm) and a fresh log starts.
    """
    try:
        return _open_checked(path)
    except LogDamagedError as exc:
        if not recover:
            raise
        aside = set_aside(path)
        _log.warning(
            "margin: the interaction log was damaged (%s). It is kept as %s and a new log "
            "was started; answering goes on. `margin doctor` checks the new one.",
            exc.__cause__ or exc,
            aside,
        )
    database = _open_checked(path)
    database.set_aside = aside
    return database


def set_aside(path: Path) -> Path:
    """Rename a damaged log and its WAL and shared-memory files; returns the new name."""
    stamp = utc_now().strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}{DAMAGED_SUFFIX}{stamp}")
    with translated(path):
        for suffix in ("", "-wal", "-shm"):
            part = path.with_name(path.name + suffix)
            if part.exists():
                os.replace(part, aside.with_name(aside.name + suffix))
    return aside


def _open_checked(path: Path) -> LogDatabase:
    from assistant.log.migrations import migrate

    database = connect(path)
    try:
        migrate(database)
        database.probe()
    except LogError:
        database.close()
        raise
    return database


def connect(path: Path) -> LogDatabase:
    """Open the file with margin's settings, without migrating it."""
    with translated(path):
        _create_private(path)
        connection = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        try:
            connection.row_factory = sqlite3.Row
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            _use_wal(connection)
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA foreign_keys = ON")
            # Deleted rows are overwritten with zeros, so purged or replaced text leaves no trace.
            connection.execute("PRAGMA secure_delete = ON")
        except sqlite3.Error:
            connection.close()
            raise
    return LogDatabase(path, connection)


def _use_wal(connection: sqlite3.Connection) -> None:
    """Switch to WAL. Two processes opening a new file at once can get "locked" here without
    SQLite waiting on its busy handler, so retry within the same busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _create_private(path: Path) -> None:
    """Create the file 0600 before SQLite sees it; SQLite gives -wal and -shm the same mode."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if os.fstat(descriptor).st_mode & 0o077:
            os.fchmod(descriptor, 0o600)
    finally:
        os.close(descriptor)
