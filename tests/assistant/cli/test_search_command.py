"""`margin search` through the real MiniLM and LanceDB: the scores order the results, and the
command says when none of them is close, as an ask would refuse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from ingest.embedder import SentenceTransformerEmbedder
from tests.fixtures.ingest import write_files

NOTES = {
    "bike.md": "# Fixing a flat\n\nTake the wheel off, lever the tyre from the rim, find the "
    "hole with soapy water, then patch the tube and pump it up.",
    "garden.md": "# Garden log\n\nThe hydrangeas were planted on 14 April 2021 by the shed.",
}


@pytest.fixture
def runner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, embedder: SentenceTransformerEmbedder
) -> CliRunner:
    monkeypatch.setattr("assistant.core.load_embedder", lambda config, locations: embedder)
    runner = CliRunner()
    folder = write_files(tmp_path / "notes", NOTES)
    assert runner.invoke(cli, ["ingest", str(folder)]).exit_code == 0
    return runner


def test_a_close_match_is_listed_without_a_warning(runner: CliRunner) -> None:
    shown = runner.invoke(cli, ["search", "how do I fix a flat tyre on my bike"])
    assert shown.exit_code == 0
    assert shown.stdout.startswith("[1] ") and "bike.md" in shown.stdout.splitlines()[0]
    assert "closely matches" not in shown.stderr
    found = json.loads(
        runner.invoke(cli, ["search", "when were the hydrangeas planted", "--json"]).stdout
    )
    assert found["close"] is True and found["why"] == ""


def test_nothing_close_is_said_before_the_nearest_passages(runner: CliRunner) -> None:
    shown = runner.invoke(cli, ["search", "lattice quantum chromodynamics on GPUs"])
    assert shown.exit_code == 0
    assert shown.stderr == (
        "Nothing in your documents closely matches this (none of the passages found mentions "
        "“chromodynamics” or “GPUs”); the nearest passages:\n"
    )
    assert shown.stdout.startswith("[1] ")  # still listed: they are the nearest
    named = runner.invoke(cli, ["search", "how do I patch a tube with a Zorgulator", "--json"])
    found = json.loads(named.stdout)
    assert found["close"] is False and "Zorgulator" in found["why"]
    assert found["results"] and "Zorgulator" in named.stderr


def test_k_has_a_short_form(runner: CliRunner) -> None:
    """`-k 1`, as `grep -m`-minded people type it, not "No such option"."""
    shown = runner.invoke(cli, ["search", "garden", "-k", "1", "--json"])
    assert shown.exit_code == 0, shown.output
    assert len(json.loads(shown.stdout)["results"]) == 1
