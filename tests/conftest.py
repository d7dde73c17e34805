"""Shared test setup: every test runs offline with MARGIN_HOME in a temp folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Set before any test module imports sentence-transformers or huggingface_hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

pytest_plugins = [
    "tests.fixtures.disk",
    "tests.fixtures.ingest",
    "tests.fixtures.models",
    "tests.fixtures.downloads",
    "tests.fixtures.rerankers",
    "tests.fixtures.object_store",
    "tests.fixtures.cli",
]


@pytest.fixture(autouse=True)
def margin_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Never touch the real home: config and data live in a per-test folder, and commands
    work in process (the service tests switch the warm service back on)."""
    home = tmp_path / "margin-home"
    monkeypatch.setenv("MARGIN_HOME", str(home))
    monkeypatch.setenv("MARGIN_NO_SERVICE", "1")
    return home
