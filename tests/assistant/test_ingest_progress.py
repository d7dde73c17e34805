"""The ingest progress estimate, driven by a hand-moved clock: smooth, and never jumpy."""

from __future__ import annotations

import itertools

import pytest

from assistant.ingest_progress import IngestMeter, RateSmoother, clock_time, doing
from ingest.run_progress import READ_SHARE, EmbeddingShare, IngestProgress, RunProgress


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _uneven_run(total: float) -> list[tuple[float, float]]:
    """(seconds since the previous event, bytes done): small files at 100 KB/s, then one
    large PDF read with no byte progress for 80 s, then a burst of already-indexed files."""
    events, done = [], 0.0
    for _ in range(200):  # small files
        done += 50_000
        events.append((0.5, done))
    events += [(2.0, done)] * 40  # the large PDF: nothing moves for 80 s
    done += 2_000_000
    events.append((0.5, done))
    for _ in range(100):  # unchanged files: a burst
        done += 100_000
        events.append((0.05, done))
    while done < total:
        done = min(done + 50_000, total)
        events.append((0.5, done))
    return events


def test_time_left_never_moves_more_than_twofold_once_past_five_percent() -> None:
    clock = FakeClock()
    smoother = RateSmoother(clock)
    total = 40_000_000.0
    checked = 0
    for step, done in _uneven_run(total):
        clock.now += step
        before = smoother.seconds_left()
        smoother.update(done, total)
        after = smoother.seconds_left()
        if before is not None and after is not None and done / total >= 0.05 and before >= 1:
            assert before / 2 <= after <= before * 2, (clock.now, done, before, after)
            checked += 1
    assert checked > 300
    assert smoother.seconds_left() == 0.0


def test_a_steady_rate_gives_the_true_time_left_and_it_counts_down() -> None:
    clock = FakeClock()
    smoother = RateSmoother(clock)
    for second in range(1, 61):  # 1,000 units a second for a minute, of 100,000
        clock.now = float(second)
        smoother.update(second * 1000.0, 100_000.0)
    assert smoother.rate == pytest.approx(1000.0)
    assert smoother.seconds_left() == pytest.approx(40.0)
    clock.now += 0.5  # no new figure yet: the time left counts down
    assert smoother.seconds_left() == pytest.approx(39.5)


def test_samples_closer_than_a_second_are_folded_into_the_next() -> None:
    clock = FakeClock()
    smoother = RateSmoother(clock)
    smoother.update(0.0, 100.0)
    clock.now = 0.2
    smoother.update(50.0, 100.0)  # a burst within 0.2 s is no rate of 250/s
    assert smoother.rate is None and smoother.seconds_left() is None
    clock.now = 2.0
    smoother.update(60.0, 100.0)
    assert smoother.rate == pytest.approx(30.0)
    assert smoother.seconds_left() == pytest.approx(40 / 30)


def test_a_stall_makes_the_time_left_grow_no_faster_than_twofold_per_sample() -> None:
    clock = FakeClock()
    smoother = RateSmoother(clock)
    for second in range(0, 21):
        clock.now = float(second)
        smoother.update(second * 10.0, 1000.0)  # 20% done, 80 s left at 10/s
    shown = [smoother.seconds_left()]
    for second in range(21, 31):  # nothing moves for 10 s
        clock.now = float(second)
        smoother.update(200.0, 1000.0)
        shown.append(smoother.seconds_left())
    values = [value for value in shown if value is not None]
    assert len(values) == len(shown)
    assert all(later <= earlier * 2 for earlier, later in itertools.pairwise(values))
    assert values[-1] > values[0]


def test_the_meter_describes_bytes_files_chunks_rate_time_left_and_the_page() -> None:
    clock = FakeClock()
    meter = IngestMeter(clock)
    assert meter.describe() == "starting"
    for second in range(0, 11):
        clock.now = float(second)
        meter.update(
            IngestProgress(
                files_done=second,
                files_total=40,
                chunks_done=second * 4,
                current="/docs/bash.pdf",
                bytes_done=second * 100_000,
                bytes_total=4_000_000,
                page=second * 10,
                pages=180,
                stage="reading",
            )
        )
    assert meter.describe() == (
        "1.0 MB of 4.0 MB (25%) · 10 of 40 files · 40 chunks · 4.0 chunks/s · 0:00:30 left · "
        "reading bash.pdf, page 100 of 180"
    )


@pytest.mark.parametrize(
    ("event", "words"),
    [
        (IngestProgress(0, 4, 0, None), "opening the index"),
        (IngestProgress(0, 4, 0, "/docs/a\nb.md", stage="reading"), "reading a b.md"),
        (IngestProgress(4, 4, 0, "/docs/d.md", stage="loading", batch_chunks=26),
         "loading the embedding model (26 chunks to embed)"),
        (IngestProgress(4, 4, 4, "/docs/d.md", stage="embedding", batch_chunks=1),
         "embedding 1 chunk"),
        (IngestProgress(4, 4, 26, "/docs/d.md", stage="writing", batch_chunks=1_026),
         "writing 1,026 chunks to the index"),
        (IngestProgress(4, 4, 26, "/docs/d.md", stage="finishing"), "updating the search index"),
    ],
)  # fmt: skip
def test_the_line_ends_with_what_the_run_is_doing(event: IngestProgress, words: str) -> None:
    meter = IngestMeter(FakeClock())
    meter.update(event)
    assert doing(event) == meter.doing() == words
    assert meter.describe().endswith(f" · {words}")


def test_the_wait_for_the_embedding_model_is_no_rate_of_work() -> None:
    """Every file read in a second, then 20 s loading the model before the first slice of
    4 chunks, then 10 chunks a second: the rate and the time left follow the embedding.
    (Counting the wait, a first ingest showed 0.1 chunks/s and 1:32 left for a second.)"""
    clock = FakeClock()
    meter = IngestMeter(clock)
    run = RunProgress(meter.update, clock=clock)
    run.begin(4, 4_000)
    for name in "abcd":
        run.file_started(f"/docs/{name}.md")
        clock.now += 0.25
        run.file_done(0)
    share = EmbeddingShare(bytes=4_000)
    run.embedding(share, 100, loading=True)
    assert meter.doing() == "loading the embedding model (100 chunks to embed)"
    clock.now += 20.0
    run.embedded(share, 4, 100)
    assert meter.doing() == "embedding 100 chunks"
    for done in range(14, 100, 10):
        clock.now += 1.0
        run.embedded(share, done, 100)
    assert meter.chunks.rate == pytest.approx(10.0)
    left = meter.work.seconds_left()
    assert left is not None and left == pytest.approx(0.6, abs=0.3)
    assert run.read_share(chunks=10, read_seconds=1.0) == pytest.approx(0.5)  # 0.1 s a chunk
    clock.now += 0.6
    run.embedded(share, 100, 100)
    assert meter.doing() == "writing 100 chunks to the index"


def test_clock_time() -> None:
    assert clock_time(0) == "0:00:00"
    assert clock_time(151.4) == "0:02:31"
    assert clock_time(3 * 3600 + 59) == "3:00:59"


@pytest.mark.parametrize("seconds_per_chunk", [0.05, 0.4])
def test_one_huge_file_gets_a_time_left_close_to_the_truth_from_the_start(
    seconds_per_chunk: float,
) -> None:
    """A 4.2 MB text on one line: 9 s to read and chunk, then 7,107 chunks embedded in
    slices of 32. Its bytes count done as its time goes (reading is about 1% of it), so
    from 5% done on the time left is within a quarter of the true time left. (With a
    quarter of the bytes counted done at reading, it showed minutes for hours of work.)"""
    clock = FakeClock()
    meter = IngestMeter(clock)
    run = RunProgress(meter.update, clock=clock)
    size, chunks, read_seconds = 4_217_532, 7_107, 9.0
    run.begin(1, size)
    run.file_started("/docs/oneline.txt")
    clock.now += read_seconds
    share = EmbeddingShare()
    run.file_read(size, share, chunks=chunks, read_seconds=read_seconds)
    run.embedding(share, chunks)
    finish = clock.now + chunks * seconds_per_chunk
    checked = 0
    for done in [*range(32, chunks, 32), chunks]:
        clock.now += (done - share.chunks_embedded) * seconds_per_chunk
        run.embedded(share, done, chunks)
        left = meter.work.seconds_left()
        if done / chunks >= 0.05 and done < chunks:
            assert left is not None
            assert abs(left - (finish - clock.now)) <= 0.25 * (finish - clock.now), (done, left)
            checked += 1
    assert checked > 200
    assert meter.latest is not None and meter.latest.bytes_done == size


def test_a_file_read_page_by_page_keeps_its_quarter_and_others_their_time_share() -> None:
    clock = FakeClock()
    run = RunProgress(None, clock=clock)
    run.begin(2, 2_000)
    share = EmbeddingShare()
    run.page_read(1_000, 3, 3)  # a PDF: its pages counted as the worker reads them
    run.file_read(1_000, share, chunks=10, read_seconds=1.0)
    assert run.bytes_done == 1_000 * READ_SHARE
    run.embedding(share, 10)
    clock.now += 10 * 0.2  # 0.2 s a chunk, measured
    run.embedded(share, 10, 10)
    assert run.read_share(chunks=10, read_seconds=2.0) == pytest.approx(0.5)  # 2 s of 4
    assert run.read_share(chunks=0, read_seconds=0.0) == 1.0


def test_files_passed_unread_do_not_speed_up_the_rate_of_work() -> None:
    """1.7 MB of unchanged files are passed in a second, then a new 1 MB file embeds at
    10 KB/s: the time left follows the embedding, not the burst (it said 2 s for minutes)."""
    clock = FakeClock()
    meter = IngestMeter(clock)
    run = RunProgress(meter.update, clock=clock)
    size, chunks = 1_000_000, 1_000
    run.begin(101, 1_700_000 + size)
    for index in range(100):
        run.file_started(f"/notes/{index}.md")
        clock.now += 0.01
        run.file_done(17_000, read=False)
    run.file_started("/notes/new.txt")
    share = EmbeddingShare()
    run.file_read(size, share, chunks=chunks, read_seconds=0.0)
    run.embedding(share, chunks)
    for done in range(10, chunks, 10):
        clock.now += 1.0  # 10 chunks, 10 KB, a second
        run.embedded(share, done, chunks)
        if done in (100, 250, 500):
            left, truth = meter.work.seconds_left(), (chunks - done) / 10
            assert left is not None and abs(left - truth) <= truth / 2, (done, left)
    assert meter.latest is not None and meter.latest.bytes_passed == 1_700_000


def test_no_time_left_is_shown_before_five_percent_while_a_slow_start_skews_the_rate() -> None:
    """Models load and the first files are read slowly, then work goes ten times faster: an
    early estimate from the slow start would be ten times too long."""
    clock = FakeClock()
    smoother = RateSmoother(clock)
    total, done = 100_000.0, 0.0
    for _ in range(20):  # 20 s at 100 units a second: 2% done
        clock.now += 1.0
        done += 100.0
        smoother.update(done, total)
        assert smoother.seconds_left() is None
    while done / total < 0.05:  # then 1,000 a second
        clock.now += 1.0
        done += 1000.0
        smoother.update(done, total)
    assert smoother.seconds_left() is not None
