"""Downloads a person can trust: resumed after a drop, verified, and only then in place.

`Downloader.download(url, partial)` writes to `partial` (owner-only) and a small state file
beside it (`partial.json`: the address, the server's validator, the size, a published
checksum), so an interrupted download resumes with an HTTP Range request, a few times
automatically and then on the next run. Before any byte is written it checks the free disk
space against the announced size; a server that ignores Range (or whose file changed, seen
through If-Range) is started over from the first byte. The SHA-256 of the whole file is
checked against the one given (`--sha256`) and the one the server publishes:

- `X-Linked-ETag` (Hugging Face, on the redirect to its CDN): the SHA-256 of an LFS file;
- `ETag` on huggingface.co itself, when it is 64 hex digits (Hugging Face's LFS ETag);
- `Repr-Digest: sha-256=:…:` (RFC 9530) or `Digest: SHA-256=…` (RFC 3230), anywhere.

Other ETags are opaque (a checksum of something else, or a version stamp) and only serve as
the If-Range validator. Proxies come from the environment (`HTTPS_PROXY`, `NO_PROXY`), as
httpx reads them. The caller moves the finished file into place.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from durable.private_files import write_private
from models.errors import (
    ChecksumMismatchError,
    DiskFullError,
    DownloadError,
    DownloadInterrupted,
    DownloadNotFoundError,
    DownloadRefusedError,
    NetworkError,
)
from models.pull_lock import lock_to_write

if TYPE_CHECKING:
    import httpx

HF_HOSTS = ("huggingface.co", "hf.co")
SPACE_RESERVE = 64 * 1024 * 1024  # left free on the disk after the download
PROGRESS_EVERY_S = 0.1
RATE_WINDOW_S = 5.0
MAX_BACKOFF_S = 30.0
HEAD_BYTES = 64  # what `check_start` sees
READ_BYTES = 1 << 20  # per socket read (httpcore's own default is 64 KiB)
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
_FULL_DISK = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)

StartCheck = Callable[[bytes], str | None]  # the first bytes -> why they are wrong, or None


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int | None
    rate: float  # bytes per second, over the last few seconds
    eta_s: float | None
    note: str = ""  # an event worth a line: resuming, a retry, starting over


@dataclass(frozen=True, slots=True)
class Downloaded:
    path: Path
    size: int
    sha256: str
    verified_by: str  # what the checksum was checked against; "" when nothing was published
    retries: int  # connections resumed or restarted after a failure


class _Retry(Exception):
    """This attempt failed in a way another attempt may fix."""


class Downloader:
    """One HTTP(S) download at a time, with resume, checks and progress."""

    def __init__(
        self,
        *,
        client: httpx.Client | None = None,
        attempts: int = 5,
        backoff_s: float = 0.5,
        connect_timeout_s: float = 10.0,
        read_timeout_s: float = 30.0,
        free_space: Callable[[Path], int] = lambda folder: shutil.disk_usage(folder).free,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._client = client
        self._attempts = attempts
        self._backoff_s = backoff_s
        self._timeouts = (connect_timeout_s, read_timeout_s)
        self._free_space = free_space
        self._sleep = sleep
        self._clock = clock

    def download(
        self,
        url: str,
        partial: Path,
        *,
        sha256: str | None = None,
        check_start: StartCheck | None = None,
        progress: Callable[[Progress], None] | None = None,
    ) -> Downloaded:
        """Fetch `url` into `partial`, resuming what an earlier run left there."""
        expected = _checked_hex(sha256) if sha256 else None
        job = _Job(url, partial, expected, check_start, _Meter(self._clock, progress))
        job.open()  # before the try: a failure here leaves another run's files alone
        client = self._client or self._new_client()
        try:
            self._run(client, job)
            return job.verify()
        except KeyboardInterrupt:
            job.keep()
            raise DownloadInterrupted(
                f"Stopped. {job.kept()} Run the same command again to resume."
            ) from None
        except DownloadError as exc:
            if exc.keep_partial:
                job.keep()
                raise type(exc)(f"{exc} {job.kept()}") from None
            job.discard()
            raise
        finally:
            job.close()
            if self._client is None:
                client.close()

    def _new_client(self) -> httpx.Client:
        import httpx

        _read_larger_chunks()
        connect, read = self._timeouts
        return httpx.Client(
            follow_redirects=True,
            timeout=httpx.Timeout(read, connect=connect),
            headers={"User-Agent": "margin (model download)"},
            trust_env=True,  # HTTPS_PROXY, HTTP_PROXY, NO_PROXY, SSL_CERT_FILE
        )

    def _run(self, client: httpx.Client, job: _Job) -> None:
        failures = 0
        while True:
            before = job.size
            try:
                self._transfer(client, job)
                return
            except _Retry as problem:
                failures = 1 if job.size > before else failures + 1
                if failures >= self._attempts:
                    raise NetworkError(
                        f"Downloading {_host(job.url)} failed {failures} times in a row "
                        f"({problem}). Check the network connection (and HTTPS_PROXY if "
                        "you use a proxy), then run the same command again."
                    ) from None
                delay = min(MAX_BACKOFF_S, self._backoff_s * 2 ** (failures - 1))
                job.retries += 1
                job.meter.note(
                    job, f"{problem}; retrying in {delay:g} s ({failures}/{self._attempts})"
                )
                self._sleep(delay)

    def _transfer(self, client: httpx.Client, job: _Job) -> None:
        import httpx

        headers = {"Accept-Encoding": "identity"}
        if job.size:
            headers["Range"] = f"bytes={job.size}-"
            if job.validator:
                headers["If-Range"] = job.validator
        try:
            with client.stream("GET", job.url, headers=headers) as response:
                total = self._accept(response, job)
                if total is not None and job.size >= total:
                    return
                for chunk in response.iter_raw():
                    job.write(chunk)
                if total is not None and job.size < total:
                    raise _Retry(
                        f"the connection closed at {format_size(job.size)} of {format_size(total)}"
                    )
        except httpx.TimeoutException:
            raise _Retry("the server stopped sending (timeout)") from None
        except httpx.ConnectError as exc:
            raise _Retry(f"cannot connect to {_host(job.url)} ({_first_line(exc)})") from None
        except httpx.TransportError as exc:
            raise _Retry(
                f"the connection broke at {format_size(job.size)} ({type(exc).__name__})"
            ) from None

    def _accept(self, response: httpx.Response, job: _Job) -> int | None:
        """Check the status, align the partial file with the response; the total size."""
        status = response.status_code
        where = _host(job.url)
        if status in (404, 410):
            raise DownloadNotFoundError(
                f"{job.url} was not found (HTTP {status}). Check the address: for Hugging "
                "Face, the owner, repository and exact file name (they are case-sensitive)."
            )
        if status in (401, 403):
            raise DownloadRefusedError(
                f"{where} refused the download (HTTP {status}). The file may be private or "
                "gated (accept its licence on the website)."
            )
        if status == 416 and job.size:
            if response.headers.get("content-range", "").strip() == f"bytes */{job.size}":
                return job.size  # an earlier run got every byte but stopped before the check
            job.restart("the server cannot continue the partial download: starting over")
            raise _Retry("the partial download no longer matches")
        if status == 429 or status >= 500:
            raise _Retry(f"{where} answered HTTP {status}")
        if status not in (200, 206):
            raise DownloadError(f"{where} answered HTTP {status} for {job.url}.")
        total = _content_length(response)
        if status == 206:
            start, whole = _content_range(response)
            if start != job.size:
                job.restart("the server sent another part of the file: starting over")
                raise _Retry("the server answered with the wrong range")
            total = whole
        elif job.size:
            job.restart("the server does not resume downloads (or the file changed): starting over")
        job.learn(response, total)
        needed = (total or 0) - job.size
        free = self._free_space(job.partial.parent)
        if total is not None and needed + SPACE_RESERVE > free:
            raise DiskFullError(
                f"Not enough disk space in {job.partial.parent}: the download needs "
                f"{format_size(needed)} more and {format_size(free)} is free (margin keeps "
                f"{format_size(SPACE_RESERVE)} spare). Free some space, then run the command again."
            )
        return total


def _read_larger_chunks() -> None:
    """httpcore reads a response body 64 KiB at a time (`HTTP11Connection.READ_NUM_BYTES`,
    a class attribute with no public setting). Reading 1 MiB at a time doubles a download's
    throughput on a fast link (65 -> 133 MB/s on loopback, 2 busy cores; curl: 112 MB/s).
    Other clients in the process only make fewer system calls."""
    from httpcore._sync import http11

    if getattr(http11.HTTP11Connection, "READ_NUM_BYTES", READ_BYTES) < READ_BYTES:
        http11.HTTP11Connection.READ_NUM_BYTES = READ_BYTES


class _Job:
    """The partial file, its state file, the running hash and what the server said."""

    def __init__(
        self,
        url: str,
        partial: Path,
        expected: str | None,
        check_start: StartCheck | None,
        meter: _Meter,
    ):
        self.url, self.partial, self.expected = url, partial, expected
        self.state_path = partial.with_name(partial.name + ".json")
        self.check_start = check_start
        self.meter = meter
        self.size = 0
        self.total: int | None = None
        self.validator = ""
        self.published: tuple[str, str] | None = None  # (sha256, which header said so)
        self.retries = 0
        self._hash = hashlib.sha256()
        self._head = b""
        self._fd = -1

    def open(self) -> None:
        self.partial.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        flags = os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
        try:
            self._fd = os.open(self.partial, flags, 0o600)
        except OSError as exc:
            raise DownloadError(f"Cannot write {self.partial}: {exc.strerror}.") from None
        try:
            lock_to_write(self._fd, self.partial, "margin models pull")
        except DownloadError:
            self.close()
            raise
        state = self._read_state()
        if state.get("url") != self.url:
            self._truncate()
            return
        self.validator = str(state.get("validator") or "")
        self.total = state.get("total")
        published = state.get("published")
        if isinstance(published, list) and len(published) == 2:
            self.published = (str(published[0]), str(published[1]))
        size = os.fstat(self._fd).st_size
        if self.total is not None and size > self.total:
            self._truncate()
            return
        self.meter.note(self, f"resuming: checking the {format_size(size)} already downloaded")
        with open(self.partial, "rb") as existing:
            while block := existing.read(1 << 20):
                self._hash.update(block)
                if len(self._head) < HEAD_BYTES:
                    self._head += block[: HEAD_BYTES - len(self._head)]
        self.size = size

    def learn(self, response: httpx.Response, total: int | None) -> None:
        """Remember the validator, size and published checksum, and save them."""
        self.total = total
        self.validator = response.headers.get("etag") or response.headers.get("last-modified", "")
        if self.validator.startswith("W/"):
            self.validator = ""  # a weak validator cannot guard a byte range
        published = published_sha256(response)
        if published is not None:
            if self.expected and published[0] != self.expected:
                raise ChecksumMismatchError(
                    f"The server says the file's SHA-256 is {published[0]} ({published[1]}), "
                    f"but --sha256 asks for {self.expected}: it is not the file you expect. "
                    "Nothing was downloaded."
                )
            self.published = published
        self._save_state()
        self.meter.start(self)

    def write(self, chunk: bytes) -> None:
        if len(self._head) < HEAD_BYTES:
            self._head += chunk[: HEAD_BYTES - len(self._head)]
            self._check_head(final=False)
        view = memoryview(chunk)
        try:
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
        except OSError as exc:
            if exc.errno in _FULL_DISK:
                raise DiskFullError(
                    f"The disk holding {self.partial.parent} is full ({exc.strerror}) after "
                    f"{format_size(self.size + len(chunk) - len(view))}. Free some space, then run "
                    "the same command again."
                ) from None
            raise DownloadError(f"Cannot write {self.partial}: {exc.strerror}.") from None
        self._hash.update(chunk)
        self.size += len(chunk)
        self.meter.tick(self)

    def restart(self, why: str) -> None:
        self._truncate()
        self.meter.note(self, why)

    def verify(self) -> Downloaded:
        self._check_head(final=True)
        os.fsync(self._fd)
        digest = self._hash.hexdigest()
        checks = []
        if self.expected:
            checks.append((self.expected, "the --sha256 given"))
        if self.published:
            checks.append((self.published[0], self.published[1]))
        for wanted, source in checks:
            if digest != wanted:
                raise ChecksumMismatchError(
                    f"The downloaded file is damaged or not the one expected: its SHA-256 is "
                    f"{digest}, but {source} says {wanted}. The download was deleted; try "
                    "again, and check the checksum if you gave one."
                )
        self.meter.finish(self)
        self.state_path.unlink(missing_ok=True)
        verified = " and ".join(source for _, source in checks)
        return Downloaded(self.partial, self.size, digest, verified, self.retries)

    def keep(self) -> None:
        """Leave the bytes so far for the next run (nothing worth keeping: clean up)."""
        if self._fd < 0 or self.size == 0:
            self.discard()
            return
        with contextlib.suppress(OSError):
            os.fsync(self._fd)
            self._save_state()

    def kept(self) -> str:
        if self.size == 0 or not self.partial.exists():
            return "Nothing was kept."
        of = f" of {format_size(self.total)}" if self.total else ""
        return f"The {format_size(self.size)}{of} downloaded so far are kept in {self.partial}."

    def discard(self) -> None:
        self.partial.unlink(missing_ok=True)
        self.state_path.unlink(missing_ok=True)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def _check_head(self, *, final: bool) -> None:
        if self.check_start is None or (len(self._head) < HEAD_BYTES and not final):
            return
        problem = self.check_start(self._head)
        if problem:
            raise DownloadError(f"{self.url} is {problem}. Nothing was registered.")

    def _truncate(self) -> None:
        os.ftruncate(self._fd, 0)
        self.size = 0
        self._hash = hashlib.sha256()
        self._head = b""

    def _read_state(self) -> dict[str, Any]:
        try:
            state = json.loads(self.state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) else {}

    def _save_state(self) -> None:
        state = {
            "url": self.url,
            "validator": self.validator,
            "total": self.total,
            "published": list(self.published) if self.published else None,
        }
        write_private(self.state_path, json.dumps(state))


class _Meter:
    """Rate over the last few seconds, ETA, and progress reports no more than 10 a second."""

    def __init__(self, clock: Callable[[], float], report: Callable[[Progress], None] | None):
        self._clock = clock
        self._report = report
        self._samples: deque[tuple[float, int]] = deque()
        self._last = -1.0

    def start(self, job: _Job) -> None:
        self._samples.clear()
        self._samples.append((self._clock(), job.size))
        self._emit(job)

    def tick(self, job: _Job) -> None:
        now = self._clock()
        if now - self._last >= PROGRESS_EVERY_S:
            self._samples.append((now, job.size))
            while len(self._samples) > 2 and now - self._samples[0][0] > RATE_WINDOW_S:
                self._samples.popleft()
            self._emit(job)

    def note(self, job: _Job, text: str) -> None:
        self._emit(job, text)

    def finish(self, job: _Job) -> None:
        self._samples.append((self._clock(), job.size))
        self._emit(job)

    def _emit(self, job: _Job, note: str = "") -> None:
        self._last = self._clock()
        if self._report is None:
            return
        rate = 0.0
        if len(self._samples) >= 2:
            (t0, b0), (t1, b1) = self._samples[0], self._samples[-1]
            rate = (b1 - b0) / (t1 - t0) if t1 > t0 else 0.0
        eta = (job.total - job.size) / rate if job.total is not None and rate > 0 else None
        self._report(Progress(job.size, job.total, rate, eta, note))


def published_sha256(response: httpx.Response) -> tuple[str, str] | None:
    """The SHA-256 the server publishes for the whole file, and which header said it."""
    for hop in (*response.history, response):
        linked = _hex64(hop.headers.get("x-linked-etag"))
        if linked:
            return linked, "the server's X-Linked-ETag header"
    for hop in (*response.history, response):
        host = (hop.request.url.host or "").lower()
        on_hf = any(host == h or host.endswith(f".{h}") for h in HF_HOSTS)
        etag = _hex64(hop.headers.get("etag")) if on_hf else None
        if etag:
            return etag, "Hugging Face's ETag header"
    for name in ("repr-digest", "digest"):
        digest = _digest_header(response.headers.get(name, ""))
        if digest:
            return digest, f"the server's {name.title()} header"
    return None


def _digest_header(value: str) -> str | None:
    """sha-256 from `sha-256=:BASE64:` (Repr-Digest) or `SHA-256=BASE64` (Digest)."""
    for item in value.split(","):
        algorithm, _, encoded = item.strip().partition("=")
        if algorithm.strip().lower() != "sha-256":
            continue
        try:
            raw = base64.b64decode(encoded.strip().strip(":"), validate=True)
        except (binascii.Error, ValueError):
            return None
        return raw.hex() if len(raw) == 32 else None
    return None


def _hex64(value: str | None) -> str | None:
    text = (value or "").strip().removeprefix("W/").strip('"')
    return text.lower() if _HEX64.fullmatch(text) else None


def _checked_hex(value: str) -> str:
    digest = _hex64(value)
    if digest is None:
        raise DownloadError(f"{value!r} is not a SHA-256 checksum (64 hexadecimal digits).")
    return digest


def _content_length(response: httpx.Response) -> int | None:
    try:
        return int(response.headers["content-length"])
    except (KeyError, ValueError):
        return None


def _content_range(response: httpx.Response) -> tuple[int, int | None]:
    found = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", "").strip())
    if not found:
        raise _Retry("the server sent a partial answer without a valid Content-Range")
    whole = found.group(3)
    return int(found.group(1)), None if whole == "*" else int(whole)


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def format_size(count: int | None) -> str:
    """Bytes for people: 98.4 MB, 4.7 GB."""
    if count is None:
        return "an unknown size"
    value = float(count)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{count:,} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"
