"""`margin chat` in a real terminal (tmux) with the real embedder and the bundled model."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.tui.helpers import BUDGET_NOTE, KEYS_NOTE

MARGIN = str(Path(sys.executable).with_name("margin"))
SESSION = f"margin-smoke-{os.getpid()}"
DEADLINE_S = 240

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux (make system-deps)"),
]


class Tmux:
    """One detached tmux session running a command; read its screen, type into it."""

    def __init__(self, name: str, env: dict[str, str]) -> None:
        self.name = name
        self.env = env

    def start(self, command: str, *, width: int, height: int) -> None:
        exports = [f"-e{key}={value}" for key, value in self.env.items()]
        subprocess.run(
            [
                "tmux",
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                str(width),
                "-y",
                str(height),
                *exports,
                command,
            ],
            check=True,
        )

    def screen(self) -> str:
        result = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
        )
        return result.stdout

    def send(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def wait_for(self, *texts: str, deadline: float) -> str:
        """Poll the screen until every text is on it; fail with the screen at the deadline."""
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if all(text in screen for text in texts):
                return screen
            time.sleep(0.25)
        pytest.fail(f"never saw {texts!r}; the screen was:\n{screen}")

    def kill(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


def test_ask_in_a_real_terminal_and_quit(
    tmp_path: Path, margin_home: Path, seeded_embedding_cache: Path
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "keys.md").write_text(KEYS_NOTE, encoding="utf-8")
    (notes / "budget.md").write_text(BUDGET_NOTE, encoding="utf-8")
    env = {"MARGIN_HOME": str(margin_home), "HF_HUB_OFFLINE": "1", "TERM": "xterm-256color"}
    subprocess.run(
        [MARGIN, "ingest", str(notes)], env={**os.environ, **env}, check=True, capture_output=True
    )
    status_file = tmp_path / "exit-status"
    tmux = Tmux(SESSION, env)
    tmux.start(f"{MARGIN} chat; echo $? > {status_file}", width=100, height=30)
    try:
        deadline = time.monotonic() + DEADLINE_S
        tmux.wait_for("Ask a question", deadline=deadline)
        tmux.wait_for(" ready ", deadline=deadline)
        tmux.send("Where does margin keep API keys?", "Enter")
        tmux.wait_for("[1] keys.md", deadline=deadline)
        screen = tmux.wait_for(" ready ", " · #1", deadline=deadline)
        assert "Where does margin keep API keys?" in screen
        tmux.send("C-q")
        while not status_file.exists() and time.monotonic() < deadline:
            time.sleep(0.25)
        assert status_file.exists(), tmux.screen()
        assert status_file.read_text().strip() == "0"
    finally:
        tmux.kill()
