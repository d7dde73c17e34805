"""Real Assistants over a tiny ingested folder, with the deterministic embedder and model."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.config import Config, load_config
from assistant.core import Assistant, build_assistant
from assistant.locations import resolve_locations
from ingest.embedder import Embedder
from ingest.fakes import HashingEmbedder
from models.base import ChatModel
from models.fake import ScriptedModel
from tests.tui.helpers import ANSWER, BUDGET_NOTE, KEYS_NOTE

AssistantMaker = Callable[..., Assistant]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder of its own, so paths show as ~/notes/... whatever the temp folder."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.setenv("EDITOR", "vim")
    monkeypatch.delenv("VISUAL", raising=False)
    return folder


@pytest.fixture
def notes(home: Path) -> Path:
    folder = home / "notes"
    folder.mkdir()
    (folder / "keys.md").write_text(KEYS_NOTE, encoding="utf-8")
    (folder / "budget.md").write_text(BUDGET_NOTE, encoding="utf-8")
    return folder


@pytest.fixture
def make_assistant(notes: Path) -> Iterator[AssistantMaker]:
    """`make_assistant(model, config=..., extra_models=..., ingest=True, mode="generate",
    embedder=...)`: a real Assistant (real store and log under MARGIN_HOME) with a scripted
    model, and the fake embedder unless another is given."""
    built: list[Assistant] = []

    def make(
        model: ChatModel | None = None,
        *,
        config: Config | None = None,
        extra_models: dict[str, ChatModel] | None = None,
        ingest: bool = True,
        mode: str = "generate",
        embedder: Embedder | None = None,
    ) -> Assistant:
        models = {"local": model or ScriptedModel([ANSWER]), **(extra_models or {})}
        # The scripted model stands in for the bundled one, which "auto" would quote instead.
        config = config or load_config(resolve_locations().config_file)
        config = replace(config, ask=replace(config.ask, mode=mode))
        assistant = build_assistant(
            config=config, embedder=embedder or HashingEmbedder(), models=models
        )
        built.append(assistant)
        if ingest:
            assistant.ingest([notes])
        return assistant

    yield make
    for assistant in built:
        assistant.close()
