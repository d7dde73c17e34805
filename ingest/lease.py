"""One writer at a time: a file lock for an index in a folder, a lease object for a shared one.

An index in object storage is written from several machines, so a lock file on one of them
guards nothing. There margin keeps a lease object, `_margin/writer-lease.json` under the
store's prefix, naming the holder (host, process, since when) and when the lease expires:

- taken with a conditional put: create-if-absent, or replace a released or expired record only
  if its ETag is still the one read (S3's If-None-Match / If-Match, and their GCS and Azure
  equivalents, through object_store), so two writers racing for it cannot both win;
- renewed by a background thread every quarter of its time to live, again only over its own
  ETag; if another writer took it over (this process was paused past the expiry), the next
  write is refused instead of interleaving with theirs;
- released by a conditional put of a released record when the ingest ends. An ingest killed
  outright leaves its lease to expire (`LEASE_TTL_S`); the message says until when.

Readers never look at it: searches run while an ingest writes. Expiry compares the holder's
clock with the next writer's, so machines sharing an index need clocks within a few seconds
(NTP); the time to live leaves a minute of slack.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from ingest.errors import StoreBusyError
from ingest.store_location import StoreUnreachableError, short_reason

LEASE_KEY = "_margin/writer-lease.json"
LEASE_TTL_S = 90.0
POLL_S = 0.5
BUSY = "Another margin ingest is writing to the index right now"
WAIT = "Wait for it to finish (searches keep working), then run this again."


class WriterLock(Protocol):
    """Held around every write; re-entrant in one thread. `acquire` raises StoreBusyError."""

    def acquire(self) -> None: ...

    def release(self) -> None: ...


class FolderLock:
    """The lock file of an index in a folder on this machine."""

    def __init__(self, path: Path, timeout_s: float):
        from filelock import FileLock

        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._lock = FileLock(str(path))
        self._timeout_s = timeout_s

    def acquire(self) -> None:
        from filelock import Timeout

        try:
            self._lock.acquire(timeout=self._timeout_s)
        except Timeout:
            raise StoreBusyError(f"{BUSY}. {WAIT}") from None

    def release(self) -> None:
        self._lock.release()


@dataclass(frozen=True, slots=True)
class LeaseRecord:
    host: str
    pid: int
    since: str  # ISO 8601 UTC
    expires: str  # ISO 8601 UTC
    token: str
    released: bool = False

    def free_at(self, now: float) -> bool:
        return self.released or datetime.fromisoformat(self.expires).timestamp() <= now

    def describe(self) -> str:
        return f"on {self.host}, process {self.pid}, since {self.since}"


class ObjectLease:
    """The writer lease of an index in object storage (see the module docstring)."""

    def __init__(
        self,
        store: Any,
        *,
        where: str,
        timeout_s: float,
        ttl_s: float = LEASE_TTL_S,
        host: str | None = None,
        pid: int | None = None,
    ):
        self._store = store
        self._where = where
        self._timeout_s = timeout_s
        self._ttl_s = ttl_s
        self._host = host or socket.gethostname()
        self._pid = os.getpid() if pid is None else pid
        self._mutex = threading.RLock()
        self._depth = 0
        self._etag: str | None = None
        self._record: LeaseRecord | None = None
        self._lost: str | None = None
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def acquire(self) -> None:
        if not self._mutex.acquire(timeout=self._timeout_s):
            raise StoreBusyError(f"{BUSY} (another thread of this process). {WAIT}")
        if self._depth:
            self._depth += 1
            if self._lost:
                self.release()
                raise StoreBusyError(self._lost)
            return
        try:
            self._take()
        except StoreBusyError:
            self._mutex.release()
            raise
        except Exception as exc:  # the store stopped answering, or refused the write
            self._mutex.release()
            raise StoreUnreachableError(
                f"The writer lease on {self._where} cannot be taken: {short_reason(exc)}. "
                "Nothing was written; check the store with `margin doctor`."
            ) from None
        except BaseException:
            self._mutex.release()
            raise
        self._depth = 1

    def release(self) -> None:
        self._depth -= 1
        try:
            if self._depth == 0:
                self._give_back()
        finally:
            self._mutex.release()

    def holder(self) -> LeaseRecord | None:
        """The current lease record (held or not), or None when there is none."""
        found = self._read()
        return found[0] if found else None

    # -- internals -------------------------------------------------------------------------

    def _take(self) -> None:
        deadline = time.monotonic() + self._timeout_s
        while True:
            holder = self._try_take()
            if holder is None:
                break
            if time.monotonic() >= deadline:
                raise StoreBusyError(
                    f"{BUSY} ({holder.describe()}; index {self._where}). {WAIT} If that "
                    f"ingest was stopped, its lease expires at {holder.expires}."
                )
            time.sleep(POLL_S)
        self._lost = None
        self._stop.clear()
        self._renewer = threading.Thread(target=self._renew, name="margin-lease", daemon=True)
        self._renewer.start()

    def _try_take(self) -> LeaseRecord | None:
        """Take the lease; None when taken, else the record of whoever holds it."""
        from obstore.exceptions import AlreadyExistsError, PreconditionError

        found = self._read()
        now = time.time()
        if found is not None and not found[0].free_at(now):
            return found[0]
        record = self._new_record(now, since=None)
        mode: Any = "create" if found is None else {"e_tag": found[1]}
        try:
            self._etag = self._put(record, mode)
        except (AlreadyExistsError, PreconditionError):
            raced = self._read()
            return raced[0] if raced else record  # taken and given back already: try again
        self._record = record
        return None

    def _renew(self) -> None:
        from obstore.exceptions import PreconditionError

        assert self._record is not None
        while not self._stop.wait(self._ttl_s / 4):
            record = self._new_record(time.time(), since=self._record.since)
            try:
                self._etag = self._put(record, {"e_tag": self._etag})
                self._record = record
            except PreconditionError:
                holder = self.holder()
                who = f" ({holder.describe()})" if holder else ""
                self._lost = (
                    f"This ingest lost its write lease on {self._where}: another ingest took it "
                    f"over{who} after this one stopped renewing it. Run it again when that "
                    "one has finished."
                )
                return
            except Exception:  # a passing network fault: try again until the lease expires
                if datetime.fromisoformat(self._record.expires).timestamp() <= time.time():
                    self._lost = (
                        f"This ingest lost its write lease on {self._where}: the store did "
                        "not answer before it expired. Run the ingest again."
                    )
                    return

    def _give_back(self) -> None:
        from obstore.exceptions import PreconditionError

        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
            self._renewer = None
        if self._lost or self._record is None:
            return
        released = LeaseRecord(**{**asdict(self._record), "released": True})
        with contextlib.suppress(PreconditionError):  # taken over: nothing of ours to release
            self._put(released, {"e_tag": self._etag})
        self._record = self._etag = None

    def _new_record(self, now: float, *, since: str | None) -> LeaseRecord:
        stamp = datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds")
        expires = datetime.fromtimestamp(now + self._ttl_s, UTC).isoformat(timespec="seconds")
        token = self._record.token if self._record is not None else uuid.uuid4().hex
        return LeaseRecord(self._host, self._pid, since or stamp, expires, token)

    def _read(self) -> tuple[LeaseRecord, str] | None:
        import obstore

        try:
            got = obstore.get(self._store, LEASE_KEY)
        except FileNotFoundError:
            return None
        etag = str(got.meta["e_tag"])
        try:
            return LeaseRecord(**json.loads(bytes(got.bytes()))), etag
        except (ValueError, TypeError):  # not a lease margin wrote: as good as expired
            return LeaseRecord("?", 0, "?", "1970-01-01T00:00:00+00:00", ""), etag

    def _put(self, record: LeaseRecord, mode: Any) -> str:
        import obstore

        result = obstore.put(self._store, LEASE_KEY, json.dumps(asdict(record)).encode(), mode=mode)
        return str(result["e_tag"])
