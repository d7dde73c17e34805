"""What people hit in their first hour with the command line: a mistyped command, blank or
dash-led search text, and an index with nothing in it yet."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from assistant import core
from assistant.cli import cli
from assistant.errors import INGEST_FIRST, NOTHING_INGESTED
from ingest.fakes import HashingEmbedder
from tests.fixtures.ingest import write_files


def test_a_mistyped_command_is_answered_with_the_one_meant() -> None:
    result = CliRunner().invoke(cli, ["injest", "notes"])
    assert result.exit_code == 2
    assert "No such command 'injest'. Did you mean 'ingest'?" in result.stderr


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_blank_search_text_is_a_usage_error_like_a_blank_question(text: str) -> None:
    result = CliRunner().invoke(cli, ["search", text])
    assert result.exit_code == 2
    assert "the search text is empty" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["search", "-e option"], "margin search -- '-e option'"),
        (["search", "-e"], "margin search -- -e"),
        (["ask", "-v: what does it do?"], "margin ask -- '-v: what does it do?'"),
    ],
)
def test_text_starting_with_a_dash_is_explained_with_the_command_to_type(
    argv: list[str], hint: str
) -> None:
    result = CliRunner().invoke(cli, argv, prog_name="margin")
    assert result.exit_code == 2
    assert "No such option" in result.stderr and hint in result.stderr


def test_a_mistyped_option_still_gets_click_s_suggestion() -> None:
    result = CliRunner().invoke(cli, ["search", "--jsn", "keys"])
    assert result.exit_code == 2
    assert "Did you mean '--json'?" in result.stderr and " -- " not in result.stderr


def test_help_shows_how_to_search_for_dash_led_text() -> None:
    result = CliRunner().invoke(cli, ["search", "--help"])
    assert 'margin search -- "-e option"' in result.output


class _UnusedEmbedder(HashingEmbedder):
    """An embedder that must not be used: an empty index has nothing to compare against."""

    def embed_query(self, text: str) -> np.ndarray:
        pytest.fail("an empty index needs no embedding")

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        pytest.fail("an empty index needs no embedding")


@pytest.mark.parametrize("as_json", [False, True])
def test_an_empty_index_gets_one_message_and_exit_code_from_search_and_ask(
    monkeypatch: pytest.MonkeyPatch, as_json: bool
) -> None:
    """Nothing ingested: `search`, `search -- "-e option"` and `ask` say so the same way, exit
    0 (a refusal with its reason), load no embedding model and call no chat model."""
    monkeypatch.setattr(core, "load_embedder", lambda config, locations: _UnusedEmbedder())
    flag = ["--json"] if as_json else []
    expected = f"{NOTHING_INGESTED} {INGEST_FIRST}"
    for argv in (["search", "keys"], ["search", "--", "-e option"]):
        result = CliRunner().invoke(cli, [argv[0], *flag, *argv[1:]])
        assert result.exit_code == 0, result.output
        assert expected in result.stderr
        if as_json:
            assert json.loads(result.stdout)["results"] == []
    result = CliRunner().invoke(cli, ["ask", "What do my notes say about keys?", *flag])
    assert result.exit_code == 0, result.output
    if as_json:
        answer = json.loads(result.stdout)
        assert answer["refusal_reason"] == "no_documents" and answer["answer"] == NOTHING_INGESTED
        assert answer["usage"]["prompt_tokens"] == 0
    else:
        assert result.stdout.strip() == NOTHING_INGESTED
        assert INGEST_FIRST in result.stderr
    sources = CliRunner().invoke(cli, ["sources"])
    assert expected in sources.stderr


def test_sources_are_listed_by_path_with_totals_without_loading_the_assistant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(core, "load_embedder", lambda config, locations: HashingEmbedder())
    notes = write_files(tmp_path / "notes", {"b.md": "# B\n\nbeta", "a.md": "# A\n\nalpha"})
    papers = write_files(tmp_path / "papers", {"c.md": "# C\n\ngamma"})
    for folder, collection in ((notes, "default"), (papers, "papers")):
        ingested = CliRunner().invoke(cli, ["ingest", str(folder), "--collection", collection])
        assert ingested.exit_code == 0, ingested.output

    def no_assistant(*_: object, **__: object) -> None:
        pytest.fail("listing sources needs neither the assistant nor an embedding model")

    monkeypatch.setattr(core, "open_index", no_assistant)
    monkeypatch.setattr(core, "load_embedder", no_assistant)
    result = CliRunner().invoke(cli, ["sources"])
    assert result.exit_code == 0, result.output
    listed = [Path(line.split("  ")[0]).name for line in result.stdout.splitlines()]
    assert listed == ["a.md", "b.md", "c.md"]
    assert result.stderr.splitlines() == [
        "3 documents, 3 chunks in 2 collections (default 2, papers 1)",
        "collection default: models: all; answer: generate",
        "collection papers: models: all; answer: generate",
    ]
