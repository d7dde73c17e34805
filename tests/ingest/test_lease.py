"""One writer at a time on an index in object storage, across processes, against moto's S3
server on loopback: the lease object refuses a second writer with who and since when, readers
never wait, an expired lease is taken over, and a writer that lost its lease stops."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from ingest.errors import StoreBusyError
from ingest.fakes import HashingEmbedder
from ingest.lease import LEASE_KEY, ObjectLease
from ingest.store import ChunkStore
from ingest.store_location import StoreLocation, StoreUnreachableError
from ingest.types import Chunk, DocumentMeta
from tests.fixtures.object_store import ACCESS_KEY, SECRET_KEY, S3Server

REPO = Path(__file__).resolve().parents[2]
HOLDER = f"""
import sys, time
from pathlib import Path
from ingest.fakes import HashingEmbedder
from ingest.store import ChunkStore
from ingest.store_location import StoreLocation, StoreUnreachableError
uri, endpoint, ready = sys.argv[1], sys.argv[2], Path(sys.argv[3])
options = {{"endpoint": endpoint, "region": "us-east-1", "allow_http": "true",
           "aws_access_key_id": "{ACCESS_KEY}", "aws_secret_access_key": "{SECRET_KEY}"}}
model = HashingEmbedder(dim=16)
store = ChunkStore(StoreLocation(uri, options), model_id=model.model_id, dim=16,
                   lock_path=Path(sys.argv[4]))
with store.writing():
    ready.write_text("held")
    time.sleep(float(sys.argv[5]))
"""


def location(server: S3Server, bucket: str) -> StoreLocation:
    options = {
        "endpoint": server.endpoint,
        "region": "us-east-1",
        "allow_http": "true",
        "aws_access_key_id": ACCESS_KEY,
        "aws_secret_access_key": SECRET_KEY,
    }
    return StoreLocation(f"s3://{bucket}/index", options, credentials="the test")


def open_store(where: StoreLocation, tmp_path: Path, timeout_s: float = 1.0) -> ChunkStore:
    model = HashingEmbedder(dim=16)
    return ChunkStore(
        where,
        model_id=model.model_id,
        dim=16,
        lock_path=tmp_path / "run" / "ingest.lock",
        lock_timeout_s=timeout_s,
    )


def add_document(store: ChunkStore, name: str) -> None:
    meta = DocumentMeta(f"/notes/{name}", "default", False, 1, 1, name, "/notes")
    chunk = Chunk(text=f"text of {name}", ordinal=0)
    store.replace_document(meta, [chunk], np.ones((1, 16), dtype="float32"))


def start_holder(where: StoreLocation, tmp_path: Path, seconds: float) -> subprocess.Popen[str]:
    ready = tmp_path / "ready"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, where.uri, where.options["endpoint"], str(ready),
         str(tmp_path / "other-machine" / "ingest.lock"), str(seconds)],
        env=env, text=True, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not ready.exists():
        assert process.poll() is None, process.communicate()[1]
        assert time.monotonic() < deadline, "the holder never took the lease"
        time.sleep(0.1)
    return process


def test_a_second_writer_is_refused_with_who_and_since_when_and_readers_go_on(
    s3_server: S3Server, tmp_path: Path
) -> None:
    where = location(s3_server, s3_server.new_bucket())
    store = open_store(where, tmp_path)
    add_document(store, "before.md")
    holder = start_holder(where, tmp_path, seconds=30)
    try:
        with pytest.raises(StoreBusyError) as caught:
            add_document(store, "during.md")
        message = str(caught.value)
        assert message.startswith("Another margin ingest is writing to the index right now")
        assert f"process {holder.pid}" in message and "since 20" in message
        assert where.uri in message and "expires at" in message
        assert [d.path for d in store.documents()] == ["/notes/before.md"]  # readers go on
        assert store.get_chunks([store.vector_search(np.ones(16), 1)[0].id])
    finally:
        holder.kill()
        holder.wait()


def test_the_lease_is_given_back_when_the_writer_ends(s3_server: S3Server, tmp_path: Path) -> None:
    where = location(s3_server, s3_server.new_bucket())
    holder = start_holder(where, tmp_path, seconds=0.5)
    assert holder.wait(timeout=60) == 0
    store = open_store(where, tmp_path)
    add_document(store, "after.md")
    assert [d.path for d in store.documents()] == ["/notes/after.md"]
    record = ObjectLease(where.object_store(), where="x", timeout_s=0).holder()
    assert record is not None and record.released


def test_an_expired_lease_is_taken_over(s3_server: S3Server, tmp_path: Path) -> None:
    import obstore

    where = location(s3_server, s3_server.new_bucket())
    objects = where.object_store()
    dead = {"host": "desktop", "pid": 4242, "since": "2026-01-01T00:00:00+00:00",
            "expires": "2026-01-01T00:01:30+00:00", "token": "t"}  # fmt: skip
    obstore.put(objects, LEASE_KEY, json.dumps(dead).encode())
    store = open_store(where, tmp_path)
    add_document(store, "taken-over.md")
    assert [d.path for d in store.documents()] == ["/notes/taken-over.md"]

    live = {**dead, "expires": "2999-01-01T00:00:00+00:00"}
    obstore.put(objects, LEASE_KEY, json.dumps(live).encode())
    with pytest.raises(StoreBusyError, match="on desktop, process 4242, since 2026-01-01"):
        add_document(store, "refused.md")


def test_a_renewed_lease_holds_past_its_time_to_live(s3_server: S3Server) -> None:
    where = location(s3_server, s3_server.new_bucket())
    first = ObjectLease(where.object_store(), where=where.uri, timeout_s=0, ttl_s=1.2, pid=1)
    second = ObjectLease(where.object_store(), where=where.uri, timeout_s=0, ttl_s=1.2, pid=2)
    first.acquire()
    try:
        time.sleep(2.5)  # two lifetimes: only renewal keeps it
        with pytest.raises(StoreBusyError, match="process 1"):
            second.acquire()
    finally:
        first.release()
    second.acquire()
    second.release()


def test_a_writer_that_lost_its_lease_is_stopped(s3_server: S3Server) -> None:
    import obstore

    where = location(s3_server, s3_server.new_bucket())
    objects = where.object_store()
    lease = ObjectLease(objects, where=where.uri, timeout_s=0, ttl_s=0.8, pid=1)
    lease.acquire()
    usurper = {"host": "laptop", "pid": 7, "since": "2026-01-01T00:00:00+00:00",
               "expires": "2999-01-01T00:00:00+00:00", "token": "u"}  # fmt: skip
    obstore.put(objects, LEASE_KEY, json.dumps(usurper).encode())  # as if we had been paused
    time.sleep(1.0)  # the renewal finds another ETag
    with pytest.raises(StoreBusyError, match=r"lost its write lease.*laptop, process 7"):
        lease.acquire()
    lease.release()
    assert ObjectLease(objects, where="x", timeout_s=0).holder().host == "laptop"  # type: ignore[union-attr]


def test_a_writer_starts_from_the_last_commit_of_another_machine(
    s3_server: S3Server, tmp_path: Path
) -> None:
    where = location(s3_server, s3_server.new_bucket())
    laptop = open_store(where, tmp_path)
    assert laptop.documents() == []  # opened, and read, before the desktop writes
    desktop = open_store(where, tmp_path / "desktop")
    add_document(desktop, "shared.md")
    add_document(laptop, "shared.md")  # replaces the desktop's version, not beside it
    assert [d.path for d in laptop.documents()] == ["/notes/shared.md"]
    assert laptop._documents.count_rows() == 1 and laptop._chunks.count_rows() == 1


def test_repeated_searches_do_not_fetch_the_index_again(
    s3_server: S3Server, tmp_path: Path
) -> None:
    where = location(s3_server, s3_server.new_bucket())
    writer = open_store(where, tmp_path)
    for name in ("a.md", "b.md", "c.md"):
        add_document(writer, name)
    writer.refresh_indexes()
    reader = open_store(where, tmp_path / "reader")
    assert reader.text_search("text", 2) and reader.vector_search(np.ones(16), 2)
    time.sleep(0.3)  # the server logs a request as it answers it
    seen = len(s3_server.requests())
    assert reader.text_search("text", 2) and reader.vector_search(np.ones(16), 2)
    time.sleep(0.3)
    again = s3_server.requests()[seen:]
    assert again and not [r for r in again if "/_indices/" in r], again


def test_a_lease_on_a_store_that_stopped_answering_fails_clearly(tmp_path: Path) -> None:
    dead = StoreLocation("s3://margin-gone/index", {"endpoint": "http://127.0.0.1:9",
                         "region": "us-east-1", "allow_http": "true"})  # fmt: skip
    lease = ObjectLease(dead.object_store(probe=True), where=dead.uri, timeout_s=1)
    with pytest.raises(StoreUnreachableError, match="lease on s3://margin-gone/index cannot be"):
        lease.acquire()
    with pytest.raises(StoreUnreachableError):  # the lock was given back: it fails the same way
        lease.acquire()
