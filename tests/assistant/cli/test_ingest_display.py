"""The plain progress lines of a log, ticked by hand on a hand-moved clock."""

from __future__ import annotations

from assistant.cli.ingest_display import LINE_EVERY_S, STILL_EVERY_S, PlainLines
from assistant.ingest_progress import IngestMeter
from ingest.run_progress import IngestProgress


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _lines() -> tuple[FakeClock, IngestMeter, PlainLines, list[str]]:
    clock, printed = FakeClock(), []
    meter = IngestMeter(clock)
    return clock, meter, PlainLines("Ingesting", meter, clock=clock, echo=printed.append), printed


def test_a_line_only_when_the_run_moved_on_and_a_still_line_after_a_quiet_minute() -> None:
    """Every file read, then the embedding model loads for 3 minutes: one line saying so,
    then a line a minute saying it still does (the old lines repeated every 10 s)."""
    clock, meter, lines, printed = _lines()
    lines.tick()
    assert printed == []  # nothing heard yet
    meter.update(IngestProgress(4, 4, 0, "/docs/d.md", bytes_done=781, bytes_total=11_100,
                                stage="loading", batch_chunks=26))  # fmt: skip
    for _ in range(18):  # 3 minutes of ticks
        clock.now += LINE_EVERY_S
        lines.tick()
    assert printed == [
        "Ingesting: 781 bytes of 11.1 KB (7%) · 4 of 4 files · 0 chunks · estimating time · "
        "loading the embedding model (26 chunks to embed)",
        "Ingesting: still loading the embedding model (26 chunks to embed); "
        "nothing new for 0:01:10",
        "Ingesting: still loading the embedding model (26 chunks to embed); "
        "nothing new for 0:02:10",
    ]
    assert STILL_EVERY_S == 60.0
    meter.update(IngestProgress(4, 4, 4, "/docs/d.md", bytes_done=2_700, bytes_total=11_100,
                                stage="embedding", batch_chunks=26))  # fmt: skip
    clock.now += LINE_EVERY_S
    lines.tick()
    assert printed[-1].endswith("· 4 chunks · estimating time · embedding 26 chunks")
    assert len(printed) == 4


def test_the_same_event_again_is_no_news() -> None:
    clock, meter, lines, printed = _lines()
    event = IngestProgress(1, 9, 0, "/docs/a.pdf", bytes_total=900, stage="reading", pages=3)
    for _ in range(5):
        meter.update(event)  # the same figures, told again
        clock.now += LINE_EVERY_S
        lines.tick()
    assert printed == [
        "Ingesting: 0 bytes of 900 bytes (0%) · 1 of 9 files · 0 chunks · estimating time · "
        "reading a.pdf, page 0 of 3"
    ]
