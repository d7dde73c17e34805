"""A question typed without its accents, about a document written with them: ecothesis's guide
(Portuguese, LPPL, tests/data/papers), ingested through the CLI with the session's MiniLM into
LanceDB. The full-text index folds accents; margin's own checks of what the passages mention
must fold them too, or "Dissertacoes" is a name no passage holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from tests.fixtures.cli import ingested_home, use_home

pytestmark = pytest.mark.slow

GUIDE = Path(__file__).resolve().parents[2] / "data" / "papers" / "ecothesis.pdf"


@pytest.fixture(scope="module")
def guide_home(tmp_path_factory: pytest.TempPathFactory, embedder: object) -> Path:
    return ingested_home(tmp_path_factory.mktemp("accents") / "margin-home", [GUIDE], embedder)


@pytest.fixture
def guide(
    guide_home: Path, margin_home: Path, embedder: object, monkeypatch: pytest.MonkeyPatch
) -> Path:
    return use_home(guide_home, margin_home, embedder, monkeypatch)


def test_search_without_accents_finds_the_words_with_them(guide: Path) -> None:
    result = CliRunner().invoke(cli, ["search", "Dissertacoes utilizacao"])
    assert result.exit_code == 0, result.output
    assert "Nothing in your documents closely matches" not in result.output
    assert "ecothesis.pdf" in result.output


def test_a_question_typed_without_accents_is_answered_as_typed(guide: Path) -> None:
    typed = "Quais pacotes sao necessarios para a compilacao?"
    result = CliRunner().invoke(cli, ["ask", typed, "--mode", "quote", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert not answer["refused"], answer["answer"]
    assert answer["sources"][0]["heading"].endswith("2.1 Pacotes necessários")
    assert "são necessários alguns pacotes" in answer["answer"]
    # Portuguese, though typed without accents: no word of it is "corrected" into English
    assert not [e for e in answer["guardrails"] if e["kind"] == "question.respelt"]
