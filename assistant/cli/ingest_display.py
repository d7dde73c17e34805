"""Ingest progress on stderr: a live bar on a terminal, one plain line every 10 s otherwise.

Both redraw from a timer as well as on every event, so the time left keeps counting and a
log shows a line even while one large file is being read or one batch embedded.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from assistant.ingest_progress import IngestMeter

if TYPE_CHECKING:
    from ingest.run_progress import IngestProgress

LINE_EVERY_S = 10.0  # a plain line this often when stderr is not a terminal
REDRAW_EVERY_S = 1.0  # the bar's text, on a terminal


@contextmanager
def ingest_progress(title: str) -> Iterator[Callable[[IngestProgress], None]]:
    """A progress callback for an ingest run, drawing on stderr until the block ends."""
    meter = IngestMeter()
    if not sys.stderr.isatty():
        with _every(LINE_EVERY_S, lambda: _line(title, meter)):
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


def _line(title: str, meter: IngestMeter) -> None:
    if meter.latest is not None:
        click.echo(f"{title}: {meter.describe()}", err=True)


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
