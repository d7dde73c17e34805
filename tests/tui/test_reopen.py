"""A conversation reopened from the history list works as it did live: each answer's sources,
the line its citation opens at, and ratings that go to that answer."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from textual.pilot import Pilot

from assistant.config import parse_config
from assistant.locations import resolve_locations
from assistant.log.database import connect
from assistant.log.migrations import MIGRATIONS, migrate
from models.fake import ScriptedModel
from tests.tui.conftest import AssistantMaker
from tests.tui.helpers import ANSWER, KEYS_NOTE, QUESTION, Recorder, ask, settle
from tui.app import MarginApp
from tui.screens.source import SourceScreen
from tui.widgets.chat_log import ChatLog
from tui.widgets.sources import SourceList

pytestmark = pytest.mark.anyio

BUDGET_QUESTION = "What happens to a request above the daily budget?"
BUDGET_ANSWER = "A request above the daily budget is refused [1]."
REFUSED_QUESTION = "Which opera did Verdi write for the Cairo opera house?"
LONG = 120
WHEN = "2026-11-01T10:00:00.000000+00:00"


def places(app: MarginApp) -> list[str]:
    """The first row of each source in the panel: `[1] keys.md:3 > Keys`."""
    panel = app.query_one(SourceList)
    prompts = (panel.get_option_at_index(i).prompt for i in range(panel.option_count))
    return [str(prompt).split("\n")[0] for prompt in prompts]


async def reopen_latest(pilot: Pilot[object]) -> None:
    """Start a new chat, then reopen the latest conversation from the history list."""
    await pilot.press("ctrl+n")
    await pilot.pause()
    await pilot.press("ctrl+l")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def test_a_reopened_conversation_shows_each_answers_sources_as_they_were_live(
    make_assistant: AssistantMaker,
) -> None:
    editor = Recorder()
    assistant = make_assistant(ScriptedModel([ANSWER, BUDGET_ANSWER]))
    app = MarginApp(assistant, run_command=editor)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await ask(pilot)
        await settle(pilot)
        live_first = places(app)
        await ask(pilot, BUDGET_QUESTION)
        await settle(pilot)
        live_second = places(app)
        assert live_first[0] == "[1] keys.md:3 > Keys"  # the cited line, not the chunk's
        first, second = (e.interaction_id for e in app.query_one(ChatLog).exchanges)

        await reopen_latest(pilot)
        assert len(app.query_one(ChatLog).exchanges) == 2
        assert places(app) == live_second  # the newest answer's, as when it came in
        await pilot.press("ctrl+up")
        await pilot.pause()
        assert places(app) == live_first

        panel = app.query_one(SourceList)
        panel.focus()
        panel.highlighted = 0
        await pilot.press("e")
        await pilot.pause()
        [command] = editor.commands
        assert command[0] == "vim" and command[1] == "+3" and command[-1].endswith("/keys.md")

        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert first is not None and second is not None
        rated = assistant.log.get(first).feedback
        assert rated is not None and rated.rating == "up"
        assert assistant.log.get(second).feedback is None
        await pilot.press("ctrl+down")
        await pilot.pause()
        assert places(app) == live_second


def notifications(app: MarginApp) -> list[tuple[str, str]]:
    return [(n.title, n.message) for n in app._notifications]


async def test_a_file_moved_since_the_answer_says_so_and_opens_nothing(
    notes: Path, make_assistant: AssistantMaker
) -> None:
    editor = Recorder()
    app = MarginApp(make_assistant(), run_command=editor)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await ask(pilot)
        await settle(pilot)
        await reopen_latest(pilot)
        (notes / "keys.md").rename(notes / "keyring.md")
        panel = app.query_one(SourceList)
        assert places(app)[0] == "[1] keys.md:3 > Keys"
        panel.focus()
        await pilot.press("e")
        await pilot.pause()
        assert editor.commands == []
        [(title, message)] = notifications(app)
        assert title == "File not found"
        assert message.startswith("~/notes/keys.md is not there any more: it was moved or deleted")
        await pilot.press("enter")  # the passage the log kept still shows
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SourceScreen)
        assert "margin keeps API keys in the system keyring." in str(
            screen.query_one("#passage").render()
        )


async def test_an_answer_logged_before_cited_lines_opens_at_its_chunks_line(
    notes: Path, make_assistant: AssistantMaker
) -> None:
    """A log from before the support columns (m007): no sentences, so no cited line; the
    source opens at the line its chunk starts on, and the answer can still be rated."""
    log_file = resolve_locations().log_db
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with connect(log_file) as db:
        migrate(db, MIGRATIONS[:5])
        db.execute(
            "INSERT INTO conversations (id, title, started_at) VALUES ('c1', 'Keys', ?)", (WHEN,)
        )
        db.execute(
            """INSERT INTO interactions (created_at, conversation_id, text_kept, question,
                   question_sha256, question_chars, answer, answer_sha256, answer_chars, model,
                   model_id, mode, refused, cited, prompt_tokens, completion_tokens, cost_usd,
                   cost_estimated, cached, cancelled, groundedness)
               VALUES (?, 'c1', 1, ?, '', 1, ?, '', 1,
                   'local', 'm', 'model', 0, '[1]', 10, 3, 0.0, 0, 0, 0, 1.0)""",
            (WHEN, QUESTION, ANSWER),
        )
        db.execute(
            """INSERT INTO sources (interaction_id, number, chunk_id, path, page, heading, line,
                   score, collection, local_only, text, text_sha256, text_chars)
               VALUES (1, 1, 'k', ?, NULL, 'Keys', 1, 0.8, 'default', 0, ?, '', 1)""",
            (str(notes / "keys.md"), KEYS_NOTE),
        )
    editor = Recorder()
    assistant = make_assistant()
    app = MarginApp(assistant, run_command=editor)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        [exchange] = app.query_one(ChatLog).exchanges
        assert exchange.text == ANSWER
        assert places(app) == ["[1] keys.md:1 > Keys"]
        app.query_one(SourceList).focus()
        await pilot.press("e")
        await pilot.pause()
        assert editor.commands == [["vim", "+1", str(notes / "keys.md")]]
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        rated = assistant.log.get(1).feedback
        assert rated is not None and rated.rating == "up"


async def test_a_refused_answer_and_one_with_no_sources_reopen_as_they_were(
    make_assistant: AssistantMaker,
) -> None:
    """A refusal shows the nearest passages it found, as it did live, and can be rated; an
    answer without sources (the calculator's) leaves the panel empty."""
    assistant = make_assistant()
    app = MarginApp(assistant)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await ask(pilot, REFUSED_QUESTION)
        await settle(pilot)
        refused = app.query_one(ChatLog).last
        assert refused is not None and refused.answer is not None and refused.answer.refused
        live = places(app)
        assert len(live) == 2
        await ask(pilot, "What is 17% of 2350?")
        await settle(pilot)
        assert places(app) == []
        await reopen_latest(pilot)
        assert places(app) == []
        await pilot.press("ctrl+up")
        await pilot.pause()
        earlier = app.query_one(ChatLog).selected
        assert earlier is not None and earlier.has_class("refused")
        assert places(app) == live
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        interaction_id = earlier.interaction_id
        assert interaction_id is not None and interaction_id == refused.interaction_id
        rated = assistant.log.get(interaction_id).feedback
        assert earlier.rating == "down"
        assert rated is not None and rated.rating == "down"


async def test_an_answer_logged_without_its_text_still_shows_and_opens_its_sources(
    make_assistant: AssistantMaker, tmp_path: Path
) -> None:
    editor = Recorder()
    config = parse_config("[privacy]\nlog_text = false\n", tmp_path / "config.toml")
    app = MarginApp(make_assistant(config=config), run_command=editor)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        await ask(pilot)
        await settle(pilot)
        await reopen_latest(pilot)
        [exchange] = app.query_one(ChatLog).exchanges
        assert exchange.question == "(question not kept)"
        assert "the log keeps no text" in exchange.text
        assert places(app)[0] == "[1] keys.md:3 > Keys"
        panel = app.query_one(SourceList)
        panel.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert "keeps no text of this passage" in str(app.screen.query_one("#passage").render())
        await pilot.press("e")
        await pilot.pause()
        [command] = editor.commands
        assert command[1] == "+3" and command[-1].endswith("/keys.md")


async def test_a_long_conversation_reopens_at_its_newest_answer(
    make_assistant: AssistantMaker,
) -> None:
    assistant = make_assistant()
    app = MarginApp(assistant)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await ask(pilot)
        await settle(pilot)
        live = app.query_one(ChatLog).last
        assert live is not None and live.answer is not None
        conversation = app.chat.conversation_id
        for n in range(LONG - 1):  # the same answer again, under other questions
            assistant.log.record(replace(live.answer, question=f"{QUESTION} #{n}"))
        await reopen_latest(pilot)
        chat_log, panel = app.query_one(ChatLog), app.query_one(SourceList)
        exchanges = chat_log.exchanges
        assert len(exchanges) == LONG and chat_log.selected is exchanges[-1]
        assert places(app)[0] == "[1] keys.md:3 > Keys"
        assert chat_log.scroll_y == chat_log.max_scroll_y > 0  # at the newest
        for _ in range(10):
            await pilot.press("ctrl+up")
        await pilot.pause()
        picked = exchanges[-11]
        assert chat_log.selected is picked and picked.has_class("-picked")
        assert picked.question == f"{QUESTION} #{LONG - 12}"
        assert panel.sources == picked.sources and places(app)[0] == "[1] keys.md:3 > Keys"
        top = picked.virtual_region.y
        assert top - 1 <= chat_log.scroll_y <= top  # scrolled to it, at the top (its margin)
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert picked.rating == "up" and exchanges[-1].rating is None
        assert conversation == app.chat.conversation_id
