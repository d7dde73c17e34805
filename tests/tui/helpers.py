"""Test doubles and waits shared by the TUI tests."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from assistant.ask.types import AnswerDone, AskEvent, AskOptions
from assistant.config import Config, parse_config
from assistant.core import Assistant
from assistant.log.stats import Percentiles, Stats
from models.base import Message, Pricing
from models.fake import ScriptedModel
from tui.app import MarginApp
from tui.screens.ingest import IngestScreen

KEYS_NOTE = """# Keys

margin keeps API keys in the system keyring. When no keyring is available, it reads the
key from the environment variable named by the profile's key_env setting.
"""

BUDGET_NOTE = """# Budget

Every remote request is priced before it is sent. A request above the daily budget is
refused, and the refusal says how to raise the budget in config.toml.
"""

QUESTION = "Where does margin keep API keys?"
ANSWER = "margin keeps API keys in the system keyring [1]."

TWO_PROFILES = """
[models.work]
kind = "openai"
base_url = "http://127.0.0.1:9/v1"
model = "remote-model"
region = "eu"
input_usd_per_mtok = 0.15
output_usd_per_mtok = 0.60

[collections.default]
models = ["local", "work"]
"""


INVENTED = "margin was written in 1987 by Jane Doe at the Bell Labs."


def inventing_remote(make_assistant: Any, folder: Path) -> tuple[Assistant, ScriptedModel]:
    """An assistant in "auto" mode whose default model is a capable remote one (so auto lets
    it write) that answers with what no note says: auto replaces its answer with a quote."""
    work = ScriptedModel([INVENTED], profile="work", is_remote=True, pricing=Pricing(0.15, 0.6))
    config = parse_config(f'[defaults]\nmodel = "work"\n{TWO_PROFILES}', folder / "config.toml")
    return make_assistant(config=config, extra_models={"work": work}, mode="auto"), work


def two_profile_config(folder: Path) -> Config:
    return parse_config(TWO_PROFILES, folder / "config.toml")


class Gate:
    """A model reply that waits: `reached` is set when the model is called, and the reply
    comes once `release` is set. Lets a test look at the screen before the first token."""

    def __init__(self, reply: str = ANSWER) -> None:
        self.reply = reply
        self.reached = threading.Event()
        self.release = threading.Event()

    def __call__(self, messages: Sequence[Message]) -> str:
        self.reached.set()
        if not self.release.wait(timeout=30):
            raise TimeoutError("the test never released the model")
        return self.reply


class Recorder:
    """Stands in for running an editor: records the command, returns exit status 0."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []

    def __call__(self, argv: Sequence[str]) -> int:
        self.commands.append(list(argv))
        return 0


async def settle(pilot: Pilot[object]) -> None:
    """Wait for every worker to finish and the messages they posted to be handled."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def wait_for(event: threading.Event) -> None:
    """Wait, off the event loop, for something a worker thread signals."""
    assert await asyncio.to_thread(event.wait, 30), "the worker never got there"


async def start_ingest(app: MarginApp, pilot: Pilot[Any], folder: Path) -> IngestScreen:
    """Open the ingest screen and start ingesting `folder` there; the screen, mid-run."""
    await settle(pilot)
    await pilot.press("ctrl+o")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, IngestScreen)
    field = screen.query_one("#paths", Input)
    assert field.has_focus  # the screen opens ready for the paths
    field.value = str(folder)  # typed key by key, a temp folder's path took seconds
    await pilot.press("enter")
    return screen


async def ask(pilot: Pilot[object], question: str = QUESTION) -> None:
    """Put a question in the input and press enter (typing it key by key only adds time)."""
    field = pilot.app.query_one("#question", Input)
    field.focus()
    field.value = question
    await pilot.press("enter")


FIXED_LATENCY_MS = {
    "retrieve": 12.0,
    "prompt": 1.0,
    "ttft": 340.0,
    "generate": 900.0,
    "total": 1250.0,
}


class SteadyRun:
    """An AskRun whose answer reports fixed timings, so screenshots do not vary."""

    def __init__(self, run: Any) -> None:
        self._run = run

    @property
    def answer(self) -> Any:
        return self._run.answer

    def cancel(self) -> None:
        self._run.cancel()

    def close(self) -> None:
        self._run.close()

    def __iter__(self) -> Iterator[AskEvent]:
        for event in self._run:
            if isinstance(event, AnswerDone):
                event.answer.latency_ms = dict(FIXED_LATENCY_MS)
            yield event


class SteadyAssistant:
    """The real Assistant with its clock-dependent figures fixed (timings, stats)."""

    def __init__(self, inner: Assistant, stats: Stats | None = None) -> None:
        self._inner = inner
        self._stats = stats

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def ask(self, question: str, options: AskOptions | None = None) -> SteadyRun:
        return SteadyRun(self._inner.ask(question, options))

    def stats(self, since: Any = None) -> Stats:
        return self._stats if self._stats is not None else self._inner.stats(since)


def fixed_stats() -> Stats:
    """A week of made-up figures, fixed for the stats screen's screenshot."""
    days = [f"2026-11-{day:02d}" for day in range(22, 29)]
    return Stats(
        since=None,
        interactions=42,
        refused=3,
        cached=5,
        cancelled=1,
        latency_ms={
            "retrieve": Percentiles(42, 35.0, 80.0, 120.0),
            "generate": Percentiles(42, 1800.0, 4200.0, 6100.0),
            "total": Percentiles(42, 2100.0, 4600.0, 6500.0),
        },
        ttft_ms=Percentiles(40, 420.0, 900.0, 1300.0),
        cost_total_usd=0.0315,
        cost_today_usd=0.004,
        cost_per_day=dict(zip(days, [0.002, 0.0, 0.011, 0.006, 0.003, 0.0055, 0.004], strict=True)),
        prompt_tokens=38120,
        completion_tokens=5210,
        feedback_up=9,
        feedback_down=2,
        feedback_per_day={
            days[1]: {"up": 2, "down": 0},
            days[3]: {"up": 3, "down": 1},
            days[6]: {"up": 4, "down": 1},
        },
        guardrails_by_kind={"pii.redacted": 4, "grounding.unsupported": 2, "injection": 1},
        models={"local": 40, "work": 2},
    )
