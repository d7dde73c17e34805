"""`margin watch` as a person runs it: each file it changes named, Ctrl+C ends it quietly."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from assistant import core
from assistant.cli import cli
from ingest.fakes import HashingEmbedder
from tests.fixtures.ingest import write_files

WAIT_S = 60  # generous: a loaded machine may be slow to deliver file events


class CtrlCWhileEmbedding(HashingEmbedder):
    """Ctrl+C arrives while a text saying "interrupt" is being embedded."""

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if any("interrupt" in text for text in texts):
            raise KeyboardInterrupt
        return super().embed_documents(list(texts))


def _write_until(path: Path, text: str, done: Callable[[], bool]) -> None:
    """Write `path`, again every few seconds until `done()`: the watcher starts only after its
    catch-up run, so a change made just before that is not seen."""
    deadline = time.monotonic() + WAIT_S
    while True:
        path.write_text(text)
        for _ in range(30):
            if done():
                return
            time.sleep(0.1)
        assert time.monotonic() < deadline, f"the watcher did not take {path.name}"


def test_watch_names_each_file_it_changes_and_ctrl_c_during_a_run_ends_it_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedder = CtrlCWhileEmbedding()
    monkeypatch.setattr(core, "load_embedder", lambda config, locations: embedder)
    folder = write_files(tmp_path / "notes", {"a.md": "# A\n\nfirst"})
    embedded: list[str] = []
    original = embedder.embed_documents
    monkeypatch.setattr(
        embedder, "embed_documents", lambda texts: embedded.extend(texts) or original(texts)
    )

    def change_files() -> None:
        _write_until(folder / "b.md", "# B\n\nsecond", lambda: len(embedded) == 2)
        _write_until(folder / "a.md", "# A\n\nfirst, edited", lambda: len(embedded) == 3)
        (folder / "c.md").write_text("# C\n\nplease interrupt here")

    editor = threading.Thread(target=change_files, daemon=True)
    editor.start()
    result = CliRunner().invoke(cli, ["watch", str(folder)])
    editor.join(timeout=WAIT_S)

    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    changed = [line.strip() for line in lines if line.startswith("  ")]
    assert [c.split(": ")[0] for c in changed] == ["added", "added", "updated"], lines
    assert [Path(c.split(": ")[1]).name for c in changed] == ["a.md", "b.md", "a.md"]
    assert lines[-1] == "Stopped watching."
    assert "interrupted" not in result.stderr and "Traceback" not in result.output
    store = core.open_index(embedder=embedder).store
    assert [Path(d.path).name for d in store.documents()] == ["a.md", "b.md"]  # kept
