"""Whole-process wall time of the CLI from a fresh shell, against its bare components.

    .venv/bin/python -m bench.cold_cli [--runs N] [--corpus DIR]

Each figure is the median of --runs fresh processes (after one unmeasured run that writes
the bytecode caches), in a temporary MARGIN_HOME holding the corpus (docs/ by default):

- bare parts, each a fresh process: Python itself; onnxruntime + tokenizers loading the
  cached export and embedding one query; `import lancedb`, connect and one vector search of
  the chunks table. `bare_floor` is the two together, less one Python start-up.
- `margin --help`; `margin search` with no service running (the cold case a person meets
  after every idle break: it runs in-process and starts no service), in-process with
  MARGIN_NO_SERVICE=1, and through a warm service;
- `margin ask` to its first numbered source line: no service running (this call starts it),
  in-process, and warm.

The page cache cannot be dropped here (no root over the host), so "cold" means a new process
with the files already cached, as after any recent use. On a shared machine wall time grows
with the load; the CPU time of the measured process (user + system, `cpu_median_s`) is what
the same run costs an idle machine, near enough, for these mostly single-threaded start-ups.
Prints one JSON object per line with each target from issue 14 and the ratio to it and to
the bare floor; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MARGIN = str(Path(sys.executable).with_name("margin"))
QUERY = "How does margin keep API keys safe?"
TARGETS_S = {"help": 0.3, "search": 1.0, "ask_first_source": 1.2}
PAGE_CACHE = "warm: dropping caches needs root over the host"

BARE_ONNX = """
import sys
from pathlib import Path
import onnxruntime as ort
from tokenizers import Tokenizer
model = next(Path(sys.argv[1]).glob("embedding/onnx/*/model.onnx"))
session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
tokenizer = Tokenizer.from_file(sys.argv[2])
tokenizer.enable_truncation(max_length=256)
encoding = tokenizer.encode(sys.argv[3])
import numpy as np
feeds = {name: np.array([values], dtype=np.int64) for name, values in (
    ("input_ids", encoding.ids), ("attention_mask", encoding.attention_mask),
    ("token_type_ids", encoding.type_ids))}
print(session.run(None, feeds)[0].shape)
"""

BARE_LANCEDB = """
import sys
import lancedb
table = lancedb.connect(sys.argv[1]).open_table("chunks")
print(len(table.search([0.05] * 384).distance_type("cosine").limit(6).to_list()))
"""


Timing = tuple[float, float | None]  # wall seconds, CPU seconds of the measured process


def emit(case: str, timings: list[Timing], target: str | None = None, **extra: Any) -> Timing:
    """Print the medians (wall and, where measured, CPU) and return them."""
    runs = [wall for wall, _ in timings]
    median = statistics.median(runs)
    figure: dict[str, Any] = {"bench": "cold_cli", "case": case, "median_s": round(median, 3)}
    cpu = [spent for _, spent in timings if spent is not None]
    cpu_median = statistics.median(cpu) if cpu else None
    if cpu_median is not None:
        figure["cpu_median_s"] = round(cpu_median, 3)
    figure["runs_s"] = [round(r, 3) for r in runs]
    figure["load_average"] = round(os.getloadavg()[0], 1)  # other work on the machine
    if target is not None:
        figure["target_s"] = TARGETS_S[target]
        figure["ratio_to_target"] = round(median / TARGETS_S[target], 2)
    print(json.dumps({**figure, **extra}), flush=True)
    return median, cpu_median


def timed(args: list[str], env: dict[str, str]) -> Timing:
    """Wall time of the command, and the CPU time of it and the children it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def repeat(count: int, measure: Callable[[], Timing]) -> list[Timing]:
    """`count` timings after one unmeasured run (bytecode caches, first page-ins)."""
    measure()
    return [measure() for _ in range(count)]


def service_pid(env: dict[str, str]) -> int | None:
    from assistant.locations import resolve_locations
    from assistant.service.client import ServiceUnavailable, connect_or_start

    client = connect_or_start(resolve_locations(env), start=False)
    try:
        return None if client is None else int(client.ping()["pid"])
    except ServiceUnavailable:
        return None


def warm_runs(measure: Callable[[], Timing], env: dict[str, str], count: int) -> dict[str, Any]:
    """Timings with the service up, and which runs found it restarting (code or config changed:
    in a working tree others edit, that happens); `clean_median_s` leaves those runs out."""
    timings, restarted = [], []
    for _ in range(count):
        before = service_pid(env)
        timings.append(measure())
        restarted.append(before is None or service_pid(env) != before)
    clean = [t[0] for t, r in zip(timings, restarted, strict=True) if not r]
    extra: dict[str, Any] = {"restarted": restarted}
    if clean:
        extra["clean_median_s"] = round(statistics.median(clean), 3)
    return {"runs": timings, **extra}


def first_source_line(question: str, env: dict[str, str]) -> Timing:
    """Seconds from starting `margin ask` to its first numbered source line; then Ctrl+C.
    No CPU time: a cold ask starts the service, which does the retrieval."""
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
    return elapsed, None


def bare_parts(runs: int, env: dict[str, str], data: Path) -> Timing:
    """The bare components, each in a fresh process; returns their sum less one Python
    start-up (wall, CPU): the floor a cold search stands on."""
    from ingest.embedder import bundled_model_dir

    python = [sys.executable]
    tokenizer = str(bundled_model_dir() / "tokenizer.json")
    cache = str(data / "cache")
    startup = emit("python_startup", repeat(runs, lambda: timed([*python, "-c", "pass"], env)))
    onnx = emit(
        "bare_onnxruntime_query",
        repeat(runs, lambda: timed([*python, "-c", BARE_ONNX, cache, tokenizer, QUERY], env)),
    )
    lance = emit(
        "bare_lancedb_search",
        repeat(runs, lambda: timed([*python, "-c", BARE_LANCEDB, str(data / "lancedb")], env)),
    )
    wall = onnx[0] + lance[0] - startup[0]
    cpu = None
    if onnx[1] is not None and lance[1] is not None and startup[1] is not None:
        cpu = onnx[1] + lance[1] - startup[1]
    emit("bare_floor", [(wall, cpu)])
    return wall, cpu


def over(measured: Timing, floor: Timing) -> Timing:
    """The ratio of two timings, wall to wall and CPU to CPU."""
    cpu = None
    if measured[1] is not None and floor[1]:
        cpu = measured[1] / floor[1]
    return measured[0] / floor[0], cpu


def three_ways(
    name: str,
    target: str,
    measure: Callable[[dict[str, str]], Timing],
    env: dict[str, str],
    floor: Timing,
    runs: int,
) -> None:
    """`measure` with no service running (stopped before each run), in-process
    (MARGIN_NO_SERVICE=1), and through a warm service."""

    def cold() -> Timing:
        timed([MARGIN, "service", "stop"], env)
        return measure(env)

    first = emit(f"{name}_cold_no_service", repeat(runs, cold), target, page_cache=PAGE_CACHE)
    emit(f"{name}_cold_over_bare_floor", [over(first, floor)])
    alone = {**env, "MARGIN_NO_SERVICE": "1"}
    emit(f"{name}_in_process", repeat(runs, lambda: measure(alone)), target)
    timed([MARGIN, "service", "start"], env)
    found = warm_runs(lambda: measure(env), env, runs)
    emit(f"{name}_warm_service", found.pop("runs"), target, **found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    runs = args.runs
    with tempfile.TemporaryDirectory(prefix="margin-bench-") as home:
        env = {**os.environ, "MARGIN_HOME": home}
        for name in ("MARGIN_NO_SERVICE", "PYTHONDONTWRITEBYTECODE", "MARGIN_EMBED_BACKEND"):
            env.pop(name, None)  # bytecode caches as an installed margin has them
        subprocess.run(
            [MARGIN, "ingest", str(args.corpus), "--json"],
            env={**env, "MARGIN_NO_SERVICE": "1"},
            stdout=subprocess.DEVNULL,
            check=True,
        )
        try:
            floor = bare_parts(runs, env, Path(home) / "data")
            emit("help", repeat(runs, lambda: timed([MARGIN, "--help"], env)), "help")
            search = [MARGIN, "search", QUERY, "--json"]
            three_ways("search", "search", lambda e: timed(search, e), env, floor, runs)
            ask = partial(first_source_line, QUERY)
            three_ways("ask_first_source", "ask_first_source", ask, env, floor, runs)
        finally:
            timed([MARGIN, "service", "stop"], env)


if __name__ == "__main__":
    main()
