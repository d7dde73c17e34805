"""Download progress on stderr: a bar on a terminal, a line every few seconds otherwise."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from assistant.terminal import sanitize
from models.download import Progress, format_size

LINE_EVERY_S = 5.0


def describe(event: Progress) -> str:
    """`48.2 MB of 98.4 MB (49%) · 35.1 MB/s · 2 s left`."""
    parts = [format_size(event.done)]
    if event.total:
        parts[0] += f" of {format_size(event.total)} ({event.done / event.total:.0%})"
    if event.rate > 0:
        parts.append(f"{format_size(int(event.rate))}/s")
    if event.eta_s is not None:
        parts.append(f"{_duration(event.eta_s)} left")
    return " · ".join(parts)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


@contextmanager
def progress_reporter() -> Iterator[Callable[[Progress], None]]:
    """A callback for `Downloader.download(progress=...)`, drawing on stderr."""
    if sys.stderr.isatty():
        with _bar() as report:
            yield report
        return
    last = [0.0]

    def line(event: Progress) -> None:
        now = time.monotonic()
        if event.note:
            click.echo(sanitize(f"  {event.note}"), err=True)
        elif now - last[0] >= LINE_EVERY_S or (event.total and event.done == event.total):
            click.echo(f"  {describe(event)}", err=True)
        else:
            return
        last[0] = now

    yield line


@contextmanager
def _bar() -> Iterator[Callable[[Progress], None]]:
    from rich.console import Console
    from rich.progress import BarColumn, TextColumn
    from rich.progress import Progress as Bar

    console = Console(stderr=True)
    with Bar(
        BarColumn(), TextColumn("{task.fields[status]}"), console=console, transient=True
    ) as bar:
        task = bar.add_task("download", total=None, status="connecting")

        def update(event: Progress) -> None:
            if event.note:
                bar.console.print(sanitize(f"  {event.note}"), markup=False, highlight=False)
            bar.update(task, completed=event.done, total=event.total, status=describe(event))

        yield update
