"""Model downloads: margin's downloader against curl on the same loopback file, and resume.

    .venv/bin/python -m bench.model_download [--runs N] [--drops N]

The bundled GGUF (98 MB) is served from 127.0.0.1 with sendfile (tests/fixtures/downloads).
Figures, medians of --runs alternating runs:
- throughput: `curl -o FILE` and margin's `Downloader.download` (which also hashes every byte
  with SHA-256, checks the GGUF signature and fsyncs), MB/s each and margin ÷ curl;
- resume: one download through --drops dropped connections (resumed in the same run), and
  one that gives up after every drop and is run again until done (resumed from the partial
  file): byte-identical and the same SHA-256 as the source, bytes fetched ÷ file size;
- the GGUF header read: margin's reader against gguf.GGUFReader.
Prints one JSON object per line and asserts nothing about time.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench import emit, median, note, timed
from models.bundled import bundled_gguf_path
from models.download import Downloader
from models.errors import NetworkError
from models.gguf_info import read_gguf_info
from models.pull import gguf_start
from tests.fixtures.downloads import Route, serve_files

MB = 1_000_000


def curl_once(url: str, target: Path) -> float:
    _, seconds = timed(lambda: subprocess.run(["curl", "-sSf", "-o", str(target), url], check=True))
    return seconds


def margin_once(url: str, target: Path) -> float:
    downloader = Downloader()
    _, seconds = timed(lambda: downloader.download(url, target, check_start=gguf_start))
    return seconds


def throughput(source: Path, runs: int, folder: Path) -> None:
    size = source.stat().st_size
    with serve_files({"/m.gguf": Route(source)}) as server:
        url = server.url("/m.gguf")
        curl_s, margin_s = [], []
        for run in range(runs):
            for name, action, times in (
                ("curl", curl_once, curl_s),
                ("margin", margin_once, margin_s),
            ):
                target = folder / f"{name}-{run}.gguf"
                times.append(action(url, target))
                assert target.read_bytes() == source.read_bytes(), name
                target.unlink()
    curl_rate, margin_rate = size / median(curl_s) / MB, size / median(margin_s) / MB
    emit(
        "model_download",
        metric="throughput_MBps",
        bytes=size,
        curl=round(curl_rate, 1),
        margin=round(margin_rate, 1),
        margin_over_curl=round(margin_rate / curl_rate, 2),
        curl_runs_s=[round(s, 3) for s in curl_s],
        margin_runs_s=[round(s, 3) for s in margin_s],
    )


def resume(source: Path, drops: int, folder: Path) -> None:
    size, want = source.stat().st_size, hashlib.sha256(source.read_bytes()).hexdigest()
    offsets = sorted(random.Random(15).sample(range(MB, size - MB), drops))
    gaps = [b - a for a, b in zip([0, *offsets], offsets, strict=False)]

    route = Route(source, drops=list(gaps))
    with serve_files({"/m.gguf": route}) as server:
        target = folder / "in-run.gguf"
        done = Downloader(backoff_s=0).download(server.url("/m.gguf"), target, sha256=want)
        same = target.read_bytes() == source.read_bytes()
        emit(
            "model_download",
            metric="resume_in_one_run",
            drops=drops,
            retries=done.retries,
            byte_identical=same,
            sha256_matches=done.sha256 == want,
            fetched_over_size=round(server.bytes_sent / size, 4),
        )

    route = Route(source, drops=list(gaps))
    with serve_files({"/m.gguf": route}) as server:
        target, runs = folder / "across-runs.gguf", 0
        while True:
            runs += 1
            try:
                Downloader(attempts=1).download(server.url("/m.gguf"), target, sha256=want)
                break
            except NetworkError:
                continue
        digest = hashlib.sha256(target.read_bytes()).hexdigest()
        emit(
            "model_download",
            metric="resume_across_runs",
            interrupted_runs=runs - 1,
            byte_identical=target.read_bytes() == source.read_bytes(),
            sha256_matches=digest == want,
            sha256=digest,
            fetched_over_size=round(server.bytes_sent / size, 4),
        )


def header_read(source: Path, runs: int) -> None:
    import gguf

    ours = [timed(lambda: read_gguf_info(source))[1] for _ in range(runs)]
    theirs = [timed(lambda: gguf.GGUFReader(source))[1] for _ in range(runs)]
    emit(
        "model_download",
        metric="gguf_header_read_ms",
        margin=round(median(ours) * 1000, 1),
        gguf_reader=round(median(theirs) * 1000, 1),
        speedup=round(median(theirs) / median(ours), 1),
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--drops", type=int, default=10)
    args = parser.parse_args(argv)
    if shutil.which("curl") is None:
        note("curl is not installed: the throughput comparison is skipped")
    source = bundled_gguf_path()
    with tempfile.TemporaryDirectory(prefix="margin-bench-download-") as tmp:
        folder = Path(tmp)
        if shutil.which("curl"):
            throughput(source, args.runs, folder)
        resume(source, args.drops, folder)
    header_read(source, 3)


if __name__ == "__main__":
    main()
