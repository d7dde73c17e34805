"""How fast `margin chat` feels, measured in a real terminal (tmux) with the bundled model.

    .venv/bin/python -m bench.tui_latency [--runs N] [--corpus DIR]

Each run starts a fresh `margin chat` in a 100x30 tmux session over a temporary MARGIN_HOME
holding the corpus (docs/ by default) and reads the screen every few milliseconds:
start -> interactive (the question box is drawn), start -> models ready (status `ready`),
then, with the models loaded, Enter -> sources shown and Enter -> first token (and the
model's own time to first token, as the status bar reports it). Each run asks
a different question so the answer cache never answers. Prints one JSON object per figure
(median of the runs); asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARGIN = str(Path(sys.executable).with_name("margin"))
QUESTIONS = (
    "How does margin keep API keys safe?",
    "What happens when a request is over the budget?",
    "Which embedding model does margin use?",
    "How are local-only collections handled?",
    "Where does margin store its data?",
)
POLL_S = 0.01
TIMEOUT_S = 300.0


class Terminal:
    """A tmux session on a server of its own (`-L NAME`): when one run's session ends, its
    server goes with it, and the next run's `new-session` cannot race that shutdown ("server
    exited unexpectedly", seen on a shared default server)."""

    def __init__(self, name: str, env: dict[str, str]) -> None:
        self.name = name
        self.env = env
        self.tmux = ["tmux", "-L", name]

    def start(self, command: str) -> float:
        exports = [f"-e{key}={value}" for key, value in self.env.items()]
        size = ["-x", "100", "-y", "30"]
        started = time.monotonic()
        subprocess.run(
            [*self.tmux, "new-session", "-d", "-s", self.name, *size, *exports, command],
            check=True,
        )
        return started

    def screen(self) -> str:
        return subprocess.run(
            [*self.tmux, "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
        ).stdout

    def send(self, *keys: str) -> float:
        subprocess.run([*self.tmux, "send-keys", "-t", self.name, *keys], check=True)
        return time.monotonic()

    def until(self, seen: str, *, absent: tuple[str, ...] = ()) -> float:
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            screen = self.screen()
            if seen in screen and not any(text in screen for text in absent):
                return time.monotonic()
            time.sleep(POLL_S)
        raise TimeoutError(f"never saw {seen!r}:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], capture_output=True)


def one_run(env: dict[str, str], question: str, run: int) -> dict[str, float]:
    terminal = Terminal(f"margin-bench-{os.getpid()}-{run}", env)
    started = terminal.start(f"{MARGIN} chat")
    try:
        interactive = terminal.until("Ask a question")
        ready = terminal.until(" ready ")
        asked = terminal.send(question, "Enter")
        sources = terminal.until("[1] ")
        first_token = terminal.until(
            "[1] ", absent=("Searching your documents", "waiting for the model")
        )
        terminal.until(" ready ")
        reported = re.search(r"ttft ([\d.]+)s", terminal.screen())
        terminal.send("C-q")
    finally:
        terminal.close()
    return {
        "start_to_interactive": interactive - started,
        "start_to_models_ready": ready - started,
        "enter_to_sources": sources - asked,
        "enter_to_first_token": first_token - asked,
        # what the answer itself measured: the model's time to first token, prompt included
        "model_ttft_reported": float(reported.group(1)) if reported else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="margin-tui-bench-") as home:
        env = {"MARGIN_HOME": home, "HF_HUB_OFFLINE": "1", "TERM": "xterm-256color"}
        subprocess.run(
            [MARGIN, "ingest", str(args.corpus)],
            env={**os.environ, **env},
            check=True,
            capture_output=True,
        )
        runs = [one_run(env, QUESTIONS[run % len(QUESTIONS)], run) for run in range(args.runs)]
    for case in runs[0]:
        values = [run[case] for run in runs]
        figure = {
            "bench": "tui_latency",
            "case": case,
            "median_s": round(statistics.median(values), 3),
            "runs_s": [round(value, 3) for value in values],
            "load_average": round(os.getloadavg()[0], 1),
        }
        print(json.dumps(figure))


if __name__ == "__main__":
    main()
