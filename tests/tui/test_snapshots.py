"""How the main screens look, at fixed sizes, with timings and dates fixed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from tests.tui.conftest import AssistantMaker
from tests.tui.helpers import (
    SteadyAssistant,
    ask,
    fixed_stats,
    inventing_remote,
    settle,
)
from tui.app import MarginApp

Compare = Callable[..., bool]


def steady_app(make_assistant: AssistantMaker) -> MarginApp:
    return MarginApp(SteadyAssistant(make_assistant(), stats=fixed_stats()))  # type: ignore[arg-type]


async def started(pilot: Pilot[Any]) -> None:
    """Models loaded, and a steady cursor: a blinking one differs from shot to shot."""
    pilot.app.query_one("#question", Input).cursor_blink = False
    await settle(pilot)


async def answered(pilot: Pilot[Any]) -> None:
    await started(pilot)
    await ask(pilot)
    await settle(pilot)


def test_main_screen_after_an_answer(snap_compare: Compare, make_assistant: AssistantMaker) -> None:
    assert snap_compare(steady_app(make_assistant), terminal_size=(80, 24), run_before=answered)


def test_an_answer_replaced_by_a_quote(
    snap_compare: Compare, make_assistant: AssistantMaker, tmp_path: Path
) -> None:
    assistant, _ = inventing_remote(make_assistant, tmp_path)
    app = MarginApp(SteadyAssistant(assistant, stats=fixed_stats()))  # type: ignore[arg-type]
    assert snap_compare(app, terminal_size=(80, 24), run_before=answered)


def test_main_screen_light_theme(snap_compare: Compare, make_assistant: AssistantMaker) -> None:
    async def light(pilot: Pilot[Any]) -> None:
        await answered(pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()

    assert snap_compare(steady_app(make_assistant), terminal_size=(100, 30), run_before=light)


def test_help_screen(snap_compare: Compare, make_assistant: AssistantMaker) -> None:
    async def help_open(pilot: Pilot[Any]) -> None:
        await started(pilot)
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(steady_app(make_assistant), terminal_size=(80, 24), run_before=help_open)


def test_stats_screen(snap_compare: Compare, make_assistant: AssistantMaker) -> None:
    async def stats_open(pilot: Pilot[Any]) -> None:
        await started(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(steady_app(make_assistant), terminal_size=(100, 30), run_before=stats_open)
