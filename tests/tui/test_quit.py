"""Quitting while work runs: Ctrl+Q stops it the way Escape does, lets it log what it did,
and only then closes the Assistant, so the app exits instead of waiting on a thread that
was never told to stop."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.core import Assistant
from models.base import GenerationOptions, Message, StreamEnd
from models.fake import ScriptedModel
from tests.tui.conftest import AssistantMaker
from tests.tui.helpers import QUESTION, ask, settle, start_ingest, wait_for
from tui.app import MarginApp

pytestmark = pytest.mark.anyio

LIVENESS_S = 60  # far longer than stopped work takes to end; only a hang reaches it


class SlowModel(ScriptedModel):
    """Fifty words, each of which waits for a cancel (at most 30 s): `writing` is set when
    the stream starts, `ended` when it has ended."""

    def __init__(self) -> None:
        super().__init__([" ".join(f"word{n}" for n in range(50))], delay_s=30)
        self.writing = threading.Event()
        self.ended = threading.Event()

    def _generate(
        self, messages: list[Message], options: GenerationOptions, cancel: threading.Event
    ) -> Iterator[str | StreamEnd]:
        self.writing.set()
        try:
            yield from super()._generate(messages, options, cancel)
        finally:
            self.ended.set()


def watch_close(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch, running: Callable[[], bool]
) -> list[bool]:
    """Whether the work was `running` each time the app closed the Assistant."""
    close = assistant.close
    running_at_close: list[bool] = []

    def closing() -> None:
        running_at_close.append(running())
        close()

    monkeypatch.setattr(assistant, "close", closing)
    return running_at_close


async def test_quitting_mid_answer_stops_it_logs_it_and_exits(
    make_assistant: AssistantMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = SlowModel()
    assistant = make_assistant(model)
    running_at_close = watch_close(assistant, monkeypatch, lambda: not model.ended.is_set())
    app = MarginApp(lambda: assistant)  # built by the app, so the app closes it on quitting
    async with app.run_test() as pilot:
        await settle(pilot)
        await ask(pilot)
        await wait_for(model.writing)
        assert app.chat.answering
        await pilot.press("ctrl+q")
    assert app.return_code == 0  # Ctrl+Q ended the app, not the end of the test
    assert running_at_close == [False]
    [record] = make_assistant(ingest=False).log.recent(5)
    assert record.answer.question == QUESTION and record.answer.cancelled


async def test_quitting_mid_ingest_stops_it_before_the_assistant_is_closed(
    make_assistant: AssistantMaker, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assistant = make_assistant(ingest=False)
    ingest = assistant.ingest
    ingesting, ended = threading.Event(), threading.Event()
    cancels: list[threading.Event] = []

    def held_ingest(paths: Any, *, cancel: threading.Event, **options: Any) -> Any:
        cancels.append(cancel)
        ingesting.set()
        try:
            cancel.wait(LIVENESS_S)  # a run inside a long document, until it is stopped
            return ingest(paths, cancel=cancel, **options)
        finally:
            ended.set()

    monkeypatch.setattr(assistant, "ingest", held_ingest)
    running_at_close = watch_close(assistant, monkeypatch, lambda: not ended.is_set())
    app = MarginApp(lambda: assistant)
    async with app.run_test() as pilot:
        await start_ingest(app, pilot, home / "notes")
        await wait_for(ingesting)
        await pilot.press("ctrl+q")
    assert app.return_code == 0
    [cancel] = cancels
    assert cancel.is_set() and running_at_close == [False]
