"""A model pulled from a loopback server answers through llama.cpp, chosen with `models use`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.ask.types import TextDelta
from assistant.cli import cli
from assistant.config import load_config
from assistant.core import build_assistant
from assistant.local_models import registry_for
from assistant.locations import Locations
from ingest.fakes import HashingEmbedder
from models.download import Downloader
from models.llama_cpp import LlamaCppModel
from models.pull import pull_model
from tests.fixtures.downloads import Route, serve_files
from tests.fixtures.ingest import write_files

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pulled-home")


@pytest.fixture(scope="module")
def pulled_model(home: Path, bundled_gguf: Path) -> Iterator[LlamaCppModel]:
    """The bundled GGUF pulled as "smol" from a Hugging Face-shaped loopback server, with a
    dropped connection on the way; loaded once (one thread) for the module."""
    locations = Locations(config_dir=home / "config", data_dir=home / "data").ensure()
    sha = hashlib.sha256(bundled_gguf.read_bytes()).hexdigest()
    routes = {
        "/o/r/resolve/main/smol.gguf": Route(
            bundled_gguf, redirect="/cdn/smol.gguf", redirect_headers={"X-Linked-Etag": sha}
        ),
        "/cdn/smol.gguf": Route(bundled_gguf, drops=[30_000_000]),
    }
    with serve_files(routes) as server:
        url = server.url("/o/r/resolve/main/smol.gguf")
        pulled = pull_model(url, "smol", registry_for(locations), Downloader(backoff_s=0))
    assert pulled.sha256 == sha and pulled.path == locations.models_dir / "smol.gguf"
    model = LlamaCppModel("smol", pulled.path, threads=1)
    model.llama  # noqa: B018 - load once, up front
    yield model
    model.close()


def test_the_pulled_model_answers_once_it_is_the_default(
    home: Path, pulled_model: LlamaCppModel, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MARGIN_HOME", str(home))
    chosen = CliRunner().invoke(cli, ["models", "use", "smol"])
    assert chosen.exit_code == 0, chosen.stderr

    locations = Locations(config_dir=home / "config", data_dir=home / "data")
    config = load_config(locations.config_file)
    assert config.profile().name == "smol"
    assistant = build_assistant(
        locations=locations,
        config=config,
        embedder=HashingEmbedder(dim=64, max_tokens=256),
        models={"smol": pulled_model},
    )
    write_files(
        tmp_path / "notes",
        {"tides.md": "# Tides\n\nThe tide tables for Harwich are kept in the blue folder."},
    )
    assert not assistant.ingest([tmp_path / "notes"]).failed
    run = assistant.ask("Where are the tide tables for Harwich kept?")
    events = list(run)
    answer = run.answer
    assert answer is not None and not answer.refused, answer
    assert answer.model == "smol" and answer.model_id == "smol"
    assert any(isinstance(event, TextDelta) for event in events)
    assert answer.answer.strip() and answer.usage.completion_tokens > 0
    assert not answer.usage.estimated  # counted by the pulled model's own tokenizer
    assistant.close()
