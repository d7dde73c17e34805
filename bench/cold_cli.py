"""Whole-process wall time of the CLI: `--help`, `search` and `ask` to its first source line.

    .venv/bin/python -m bench.cold_cli [--runs N] [--corpus DIR]

Each figure is the median of --runs fresh processes, in a temporary MARGIN_HOME holding the
corpus (docs/ by default). `search` is timed three ways: in-process (MARGIN_NO_SERVICE=1),
cold (no service running: this call starts it and waits for the models) and warm (service
up); `ask` in-process and warm, to the first source line on stdout. Prints one JSON object
per line, with each target from issue 7 and the ratio to it; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MARGIN = str(Path(sys.executable).with_name("margin"))
QUERY = "How does margin keep API keys safe?"
TARGETS_S = {"help": 0.3, "search": 1.0, "ask_first_source": 1.0}


def emit(case: str, runs: list[float], target: str | None = None, **extra: Any) -> float:
    median = statistics.median(runs)
    figure: dict[str, Any] = {"bench": "cold_cli", "case": case, "median_s": round(median, 3)}
    figure["runs_s"] = [round(r, 3) for r in runs]
    figure["load_average"] = round(os.getloadavg()[0], 1)  # other work on the machine
    if target is not None:
        figure["target_s"] = TARGETS_S[target]
        figure["ratio_to_target"] = round(median / TARGETS_S[target], 2)
    print(json.dumps({**figure, **extra}), flush=True)
    return median


def timed(args: list[str], env: dict[str, str]) -> float:
    started = time.monotonic()
    subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.monotonic() - started


def service_pid(env: dict[str, str]) -> int | None:
    from assistant.locations import resolve_locations
    from assistant.service.client import ServiceUnavailable, connect_or_start

    client = connect_or_start(resolve_locations(env), start=False)
    try:
        return None if client is None else int(client.ping()["pid"])
    except ServiceUnavailable:
        return None


def warm_runs(measure: Callable[[], float], env: dict[str, str], count: int) -> dict[str, Any]:
    """Timings with the service up, and which runs found it restarting (code or config changed:
    in a working tree others edit, that happens); `clean_median_s` leaves those runs out."""
    timings, restarted = [], []
    for _ in range(count):
        before = service_pid(env)
        timings.append(measure())
        restarted.append(before is None or service_pid(env) != before)
    clean = [t for t, r in zip(timings, restarted, strict=True) if not r]
    extra: dict[str, Any] = {"restarted": restarted}
    if clean:
        extra["clean_median_s"] = round(statistics.median(clean), 3)
    return {"runs": timings, **extra}


def first_source_line(question: str, env: dict[str, str]) -> float:
    """Seconds from starting `margin ask` to its first numbered source line; then Ctrl+C."""
    started = time.monotonic()
    process = subprocess.Popen(
        [MARGIN, "ask", question], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert process.stdout is not None
    elapsed = float("nan")
    for line in process.stdout:
        if line.lstrip().startswith(b"[1]"):
            elapsed = time.monotonic() - started
            break
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=300)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    runs = range(args.runs)
    with tempfile.TemporaryDirectory(prefix="margin-bench-") as home:
        env = {**os.environ, "MARGIN_HOME": home}
        env.pop("MARGIN_NO_SERVICE", None)
        alone = {**env, "MARGIN_NO_SERVICE": "1"}
        subprocess.run(
            [MARGIN, "ingest", str(args.corpus), "--json"],
            env=alone,
            stdout=subprocess.DEVNULL,
            check=True,
        )
        stop = [MARGIN, "service", "stop"]
        try:
            emit("python_startup", [timed([sys.executable, "-c", "pass"], env) for _ in runs])
            emit("help", [timed([MARGIN, "--help"], env) for _ in runs], "help")
            search = [MARGIN, "search", QUERY, "--json"]
            in_process = emit("search_in_process", [timed(search, alone) for _ in runs], "search")
            cold = []
            for _ in runs:
                timed(stop, env)
                cold.append(timed(search, env))
            emit("search_cold_service", cold, "search")
            timed([MARGIN, "service", "start"], env)
            found = warm_runs(lambda: timed(search, env), env, args.runs)
            warm = emit("search_warm_service", found.pop("runs"), "search", **found)
            emit("search_speedup", [in_process / warm], in_process_s=round(in_process, 3))
            ask_alone = emit(
                "ask_first_source_in_process",
                [first_source_line(QUERY, alone) for _ in runs],
                "ask_first_source",
            )
            timed([MARGIN, "service", "start"], env)
            asked = warm_runs(lambda: first_source_line(QUERY, env), env, args.runs)
            ask_warm = emit(
                "ask_first_source_warm_service", asked.pop("runs"), "ask_first_source", **asked
            )
            emit("ask_first_source_speedup", [ask_alone / ask_warm])
        finally:
            timed(stop, env)


if __name__ == "__main__":
    main()
