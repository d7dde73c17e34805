"""What the person types is never lost: a refused question stays in the input, Escape
brings the input back, and keys typed while reading the conversation go into it."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from models.fake import ScriptedModel
from tests.tui.conftest import AssistantMaker
from tests.tui.helpers import Gate, ask, settle, wait_for
from tui.app import MarginApp
from tui.screens.feedback import FeedbackScreen
from tui.widgets.chat_log import ChatLog

pytestmark = pytest.mark.anyio


def question_input(app: MarginApp) -> Input:
    return app.query_one("#question", Input)


def notes(app: MarginApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_a_question_asked_while_an_answer_comes_stays_typed(
    make_assistant: AssistantMaker,
) -> None:
    gate = Gate()
    app = MarginApp(make_assistant(ScriptedModel(gate)))
    async with app.run_test() as pilot:
        await settle(pilot)
        await ask(pilot)
        await wait_for(gate.reached)
        await ask(pilot, "And where is the budget set?")
        await pilot.pause()
        assert question_input(app).value == "And where is the budget set?"
        assert "An answer is still coming: press escape to stop it first." in notes(app)
        gate.release.set()
        await settle(pilot)
        assert len(app.query_one(ChatLog).exchanges) == 1


async def test_a_question_over_the_limit_stays_typed_and_is_not_asked(
    make_assistant: AssistantMaker,
) -> None:
    model = ScriptedModel()
    app = MarginApp(make_assistant(model))
    too_long = "Where are keys kept? " * 100  # 2,100 characters; the limit is 2,000
    async with app.run_test() as pilot:
        await settle(pilot)
        await ask(pilot, too_long)
        await settle(pilot)
        assert question_input(app).value == too_long
        [note] = notes(app)
        assert "the limit is 2,000" in note and "Shorten it and ask again" in note
        assert app.query_one(ChatLog).exchanges == [] and model.calls == []


async def test_escape_brings_back_the_question_when_no_answer_is_coming(
    make_assistant: AssistantMaker,
) -> None:
    app = MarginApp(make_assistant())
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("tab")
        assert isinstance(app.focused, ChatLog)
        await pilot.press("escape")
        assert app.focused is question_input(app)


async def test_keys_typed_in_the_conversation_go_to_the_question_and_never_rate(
    make_assistant: AssistantMaker,
) -> None:
    assistant = make_assistant()
    app = MarginApp(assistant)
    async with app.run_test() as pilot:
        await settle(pilot)
        await ask(pilot)
        await settle(pilot)
        await pilot.press(*"why", "tab")
        assert isinstance(app.focused, ChatLog)
        await pilot.press(*" -+", "enter")  # back in the question, after what it held
        await settle(pilot)
        assert not isinstance(app.screen, FeedbackScreen)
        assert assistant.stats().feedback_down == 0 and assistant.stats().feedback_up == 0
        last = app.query_one(ChatLog).last
        assert last is not None and last.question == "why -+"
