"""Ingest progress on stderr: a live bar on a terminal, plain lines for a log otherwise.

The bar redraws from a timer as well as on every event, so the time left keeps counting. A
log gets a line at most every 10 s, and only when the run moved on since the last one (the
same line twice is noise); when it has not for a minute, a line says what the run is still
doing and for how long, so a long wait (the embedding model loading, one large file being
read) does not look like a hang.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from assistant.ingest_progress import Clock, IngestMeter, clock_time

if TYPE_CHECKING:
    from ingest.run_progress import IngestProgress

LINE_EVERY_S = 10.0  # at most one plain line this often when stderr is not a terminal
STILL_EVERY_S = 60.0  # with no news for this long, a plain line says what the run waits on
REDRAW_EVERY_S = 1.0  # the bar's text, on a terminal


@contextmanager
def ingest_progress(title: str) -> Iterator[Callable[[IngestProgress], None]]:
    """A progress callback for an ingest run, drawing on stderr until the block ends."""
    meter = IngestMeter()
    if not sys.stderr.isatty():
        with _every(LINE_EVERY_S, PlainLines(title, meter).tick):
            yield meter.update
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn

    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[status]}"))
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(title, total=None, status=meter.describe())

        def redraw() -> None:
            event = meter.latest
            if event is not None and event.bytes_total:
                bar.update(task, total=event.bytes_total, completed=event.bytes_done)
            bar.update(task, status=meter.describe())

        def update(event: IngestProgress) -> None:
            meter.update(event)
            redraw()

        with _every(REDRAW_EVERY_S, redraw):
            yield update


class PlainLines:
    """The lines of a log, one per `tick`: the progress when it moved on since the last line,
    else, once STILL_EVERY_S passed since the last line, what the run is still doing."""

    def __init__(
        self,
        title: str,
        meter: IngestMeter,
        *,
        clock: Clock = time.monotonic,
        echo: Callable[[str], None] = lambda line: click.echo(line, err=True),
    ) -> None:
        self.title = title
        self.meter = meter
        self.clock = clock
        self.echo = echo
        self._shown: IngestProgress | None = None  # the event of the last line
        self._shown_at = clock()

    def tick(self) -> None:
        event, now = self.meter.latest, self.clock()
        if event is None:
            return
        if event != self._shown:
            line = self.meter.describe()
        elif now - self._shown_at >= STILL_EVERY_S:
            quiet = clock_time(now - self.meter.changed_at)
            line = f"still {self.meter.doing()}; nothing new for {quiet}"
        else:
            return
        self.echo(f"{self.title}: {line}")
        self._shown, self._shown_at = event, now


@contextmanager
def _every(seconds: float, action: Callable[[], None]) -> Iterator[None]:
    """Run `action` every `seconds` on a thread of its own while the block runs."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(seconds):
            action()

    thread = threading.Thread(target=loop, name="ingest-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
