"""What an ingest run's progress looks like to a person: a smoothed rate and time left.

The pipeline reports bytes done of bytes in all (see `ingest.pipeline.IngestProgress`); a
raw "work left / recent rate" swings wildly when a large PDF sits between small files. The
estimate here takes a new rate sample at most once a second, averages the samples with an
exponentially weighted moving average (EWMA, weights halving every `half_life_s`), shows no
time left before 5% of the work is done (the first seconds load models and read the first
files: on Debian's documentation, 93 files, it said 1:59:02 left at 0% for a run of 8:43,
0:41:47 at 1%), and from then on never lets the time left move by more than a factor of two
from the value shown just before. Between samples the time left counts down. The line ends
with what the run is doing (`doing`): "loading the embedding model" explains a run with
every file read and no chunk embedded yet. The clock is injected, so tests drive it by hand.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from assistant.terminal import counted, one_line
from models.download import format_size

if TYPE_CHECKING:
    from ingest.run_progress import IngestProgress

Clock = Callable[[], float]
_FLOOR_S = 1.0  # below this the time left may grow to twice the floor at once


class RateSmoother:
    """The rate of one count (bytes, chunks) and, given a total, the time left."""

    def __init__(
        self,
        clock: Clock = time.monotonic,
        *,
        sample_every_s: float = 1.0,
        half_life_s: float = 20.0,
        settle_share: float = 0.05,
    ) -> None:
        self.clock = clock
        self.sample_every_s = sample_every_s
        self.half_life_s = half_life_s
        self.settle_share = settle_share
        self.rate: float | None = None  # per second, smoothed
        self._sample: tuple[float, float] | None = None  # (time, done) of the last sample
        self._eta: tuple[float, float] | None = None  # (seconds left, when estimated)

    def update(self, done: float, total: float | None = None) -> None:
        """A new figure of work done (never less than before) out of `total`, if known."""
        now = self.clock()
        if self._sample is None:
            self._sample = (now, done)
            return
        then, done_then = self._sample
        if self.rate is None and done <= done_then:
            self._sample = (now, done)  # no work yet (files passed over): no rate of zero
            return
        elapsed = now - then
        if elapsed < self.sample_every_s:
            if total is not None and done >= total:
                self._eta = (0.0, now)
            return
        recent = max(done - done_then, 0.0) / elapsed
        weight = 1.0 - 0.5 ** (elapsed / self.half_life_s)
        self.rate = recent if self.rate is None else self.rate + weight * (recent - self.rate)
        self._sample = (now, done)
        if total is not None:
            self._estimate(done, total, now)

    def restart(self) -> None:
        """The next figure is a new starting point: the time since the last is not counted."""
        self._sample = None

    def seconds_left(self) -> float | None:
        """The time left now, counting down between samples; None until there is a rate."""
        if self._eta is None:
            return None
        left, when = self._eta
        return max(left - (self.clock() - when), 0.0)

    def _estimate(self, done: float, total: float, now: float) -> None:
        if done >= total:
            self._eta = (0.0, now)
            return
        if total > 0 and done / total < self.settle_share:
            return
        rate = self.rate or 0.0
        raw = (total - done) / rate if rate > 0 else float("inf")
        shown = self.seconds_left()
        if shown is not None:
            low, high = shown / 2, max(shown, _FLOOR_S / 2) * 2
            raw = min(max(raw, low), high)
        if raw != float("inf"):
            self._eta = (raw, now)


class IngestMeter:
    """Follows an ingest run's progress events (from any thread) and describes them."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self.work = RateSmoother(clock)
        self.chunks = RateSmoother(clock)
        self.clock = clock
        self.latest: IngestProgress | None = None
        self.changed_at = clock()  # when the latest event first differed from the one before
        self._lock = threading.Lock()

    def update(self, event: IngestProgress) -> None:
        with self._lock:
            if event != self.latest:
                self.changed_at = self.clock()
            if self.latest is not None and self.latest.stage == "loading":
                # The wait for the embedding model (20 s at a first ingest, which exports
                # it) is no rate of work: 4 chunks after it showed 0.1 chunks/s, 1:32 left.
                self.work.restart()
                self.chunks.restart()
            self.latest = event
            # Files passed over unread (unchanged, skipped) count done at once: the rate of
            # work leaves them out, or a run of unchanged files before one large new one
            # shows seconds left for minutes of work.
            passed = event.bytes_passed
            self.work.update(event.bytes_done - passed, event.bytes_total - passed)
            self.chunks.update(event.chunks_done)

    def describe(self) -> str:
        """`12.3 MB of 40.1 MB (31%) · 12 of 81 files · 340 chunks · 4.1 chunks/s ·
        0:02:31 left · reading bash.pdf, page 37 of 180`."""
        with self._lock:
            event = self.latest
            if event is None:
                return "starting"
            parts = [_share(event.bytes_done, event.bytes_total)]
            parts.append(f"{event.files_done} of {event.files_total} files")
            parts.append(f"{event.chunks_done} chunks")
            if self.chunks.rate is not None:
                parts.append(f"{self.chunks.rate:.1f} chunks/s")
            left = self.work.seconds_left()
            parts.append(f"{clock_time(left)} left" if left is not None else "estimating time")
            parts.append(doing(event))
            return " · ".join(parts)

    def doing(self) -> str:
        """What the run is doing: `loading the embedding model (26 chunks to embed)`."""
        with self._lock:
            return "starting" if self.latest is None else doing(self.latest)


def doing(event: IngestProgress) -> str:
    """The stage of `event` in words."""
    batch = counted(event.batch_chunks, "chunk")
    match event.stage:
        case "reading" if event.current:
            name = one_line(event.current.rsplit("/", 1)[-1])
            page = f", page {event.page} of {event.pages}" if event.pages else ""
            return f"reading {name}{page}"
        case "loading":
            return f"loading the embedding model ({batch} to embed)"
        case "embedding":
            return f"embedding {batch}"
        case "writing":
            return f"writing {batch} to the index"
        case "finishing":
            return "updating the search index"
    return "opening the index"


def _share(done: int, total: int) -> str:
    if total <= 0:
        return format_size(done)
    return f"{format_size(done)} of {format_size(total)} ({done / total:.0%})"


def clock_time(seconds: float) -> str:
    """`0:02:31`."""
    whole = round(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
