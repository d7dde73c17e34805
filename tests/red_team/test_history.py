"""Chat history through the TUI (issue 10, item 2): an answer that drew on a local-only
source, given by the local model, is never sent to a remote model as history, whether the
chat goes on in the same session or is reopened from the log; and the person is told.

The local model is scripted (it must repeat the secret for the test to mean anything); the
remote one is the recording server on loopback, the store, embedder and log are real.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core import build_assistant
from models.fake import ScriptedModel
from tests.fixtures.ingest import write_files
from tests.red_team.conftest import RedTeam
from tests.red_team.hostile import INJECTION, VAULT, VAULT_CODE
from tests.tui.helpers import ask, settle
from tui.app import MarginApp
from tui.widgets.chat_log import ChatLog

pytestmark = [pytest.mark.slow, pytest.mark.anyio]

PUBLIC_QUESTION = "How do gannets feed?"
PUBLIC_ANSWER = "Gannets dive for mackerel from thirty metres [1]."
VAULT_QUESTION = "What is the code of the gannet station vault?"
VAULT_ANSWER = f"The vault opens with the code {VAULT_CODE} [1]."


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def station(red_team: RedTeam, tmp_path: Path) -> None:
    home = write_files(
        tmp_path / "station",
        {"private/vault.md": VAULT, "public/feeding.md": INJECTION.split("Disregard")[0]},
    )
    red_team.ingest(home / "public", extra=("--collection", "birds"))
    red_team.ingest(home / "private", extra=("--collection", "wardens", "--local-only"))


def withheld_notes(app: MarginApp) -> list[str]:
    exchange = app.query_one(ChatLog).last
    assert exchange is not None and exchange.answer is not None
    return [
        event.detail
        for event in exchange.answer.guardrails
        if event.kind == "local_only.history_withheld"
    ]


async def test_a_local_answer_from_a_local_only_source_never_goes_remote_as_history(
    red_team: RedTeam, embedder: object, tmp_path: Path
) -> None:
    station(red_team, tmp_path)
    local = ScriptedModel([PUBLIC_ANSWER, VAULT_ANSWER])
    app = MarginApp(build_assistant(embedder=embedder, models={"local": local}))  # type: ignore[arg-type]
    async with app.run_test() as pilot:
        await settle(pilot)
        app.select_collection("birds")
        await ask(pilot, PUBLIC_QUESTION)  # local model, public source only: may go remote
        await settle(pilot)
        app.select_collection(None)
        await ask(pilot, VAULT_QUESTION)  # local model, the local-only vault
        await settle(pilot)
        app.select_profile("recorder")
        await ask(pilot, "And how deep do they dive?")
        await settle(pilot)
        conversation = app.chat.conversation_id
        notes = withheld_notes(app)
        shown = str(app.query_one(ChatLog).last.query_one(".guardrails").render())  # type: ignore[union-attr]
    sent = red_team.sent()
    assert len(red_team.server.requests) == 1
    assert VAULT_CODE not in sent and VAULT_QUESTION not in sent
    assert PUBLIC_ANSWER in sent  # the turn that saw no local-only text is still history
    assert notes == ["1 earlier turn of this chat drew on local-only sources and was not sent "
                     "to the remote model"]  # fmt: skip
    assert "local_only.history_withheld" in shown

    # The same chat reopened from the log, then a follow-up to the remote model.
    app = MarginApp(build_assistant(embedder=embedder, models={"local": local}))  # type: ignore[arg-type]
    async with app.run_test() as pilot:
        await settle(pilot)
        assert conversation is not None
        app.chat.open_conversation(conversation)
        await settle(pilot)
        app.select_profile("recorder")
        await ask(pilot, "Which fish do they eat?")
        await settle(pilot)
        notes = withheld_notes(app)
    assert len(red_team.server.requests) == 2
    assert VAULT_CODE not in red_team.sent() and len(notes) == 1
