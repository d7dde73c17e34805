"""Run every benchmark in order, each in its own process: `python -m bench` (`make bench`).

Prints one JSON object per line, each with a "bench" key (added to lines of benchmarks that
print without one). A benchmark that fails or overruns its time limit prints an "error" line
and the run goes on; the last line gives the wall time of each benchmark and of the whole run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from bench import REPO, emit

ORDER = (
    "ingest_throughput",
    "format_readers",
    "embed_backends",
    "search_latency",
    "shared_index",
    "ask_overhead",
    "memory",
    "model_latency",
    "cold_cli",
    "tui_latency",
    "mcp_latency",
    "model_download",
    "guardrail_noise",
)
LIMIT_S = 8 * 60


def available() -> list[str]:
    folder = Path(__file__).resolve().parent
    return [name for name in ORDER if (folder / f"{name}.py").exists()]


def run(name: str, limit_s: float) -> None:
    """Run `python -m bench.NAME`, relaying its lines with the "bench" key set."""
    process = subprocess.Popen(
        [sys.executable, "-m", f"bench.{name}"], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    started = time.monotonic()
    timer = threading.Timer(limit_s, process.kill)
    timer.start()
    try:
        for line in process.stdout:
            relay(name, line)
        code = process.wait()
    finally:
        timer.cancel()
    if code:
        emit(name, error=f"exited with code {code}", seconds=round(time.monotonic() - started, 1))


def relay(name: str, line: str) -> None:
    text = line.strip()
    if not text:
        return
    try:
        figure = json.loads(text)
    except ValueError:
        print(text, file=sys.stderr, flush=True)
        return
    if isinstance(figure, dict) and "bench" not in figure:
        figure = {"bench": name, **figure}
    print(json.dumps(figure), flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", choices=ORDER, help="Run these benchmarks only.")
    parser.add_argument("--limit-s", type=float, default=LIMIT_S, help="Per benchmark.")
    args = parser.parse_args(argv)
    names = [name for name in available() if not args.only or name in args.only]
    seconds: dict[str, float] = {}
    started = time.monotonic()
    for name in names:
        print(f"bench: {name}", file=sys.stderr, flush=True)
        began = time.monotonic()
        run(name, args.limit_s)
        seconds[name] = round(time.monotonic() - began, 1)
    emit("all", seconds=round(time.monotonic() - started, 1), per_bench_s=seconds)


if __name__ == "__main__":
    main()
