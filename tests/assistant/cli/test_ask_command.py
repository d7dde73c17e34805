"""`margin ask` as a person runs it: sources first, the streamed answer, exit codes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant import core
from assistant.cli import cli
from tests.fixtures.cli import margin_command

DOCS = Path(__file__).resolve().parents[3] / "docs"


@pytest.fixture
def ingested(margin_home: Path, embedder: object, monkeypatch: pytest.MonkeyPatch) -> Path:
    """docs/ ingested through the CLI with the session's real embedder."""
    monkeypatch.setattr(core, "load_embedder", lambda config, locations: embedder)
    result = CliRunner().invoke(cli, ["ingest", str(DOCS / "models.md"), str(DOCS / "ask.md")])
    assert result.exit_code == 0, result.output
    return margin_home


def write_config(margin_home: Path, text: str) -> None:
    config = margin_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text)


def test_arithmetic_is_answered_without_documents_or_a_model() -> None:
    result = CliRunner().invoke(cli, ["ask", "What is 17% of 2350?", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["mode"] == "calculator" and "399.5" in answer["answer"]
    assert answer["interaction_id"] == 1 and answer["sources"] == []


def test_empty_question_is_a_usage_error_without_traceback() -> None:
    result = CliRunner().invoke(cli, ["ask", "  "])
    assert result.exit_code == 2
    assert "question is empty" in result.stderr and "Traceback" not in result.output


def test_a_100_kb_question_is_a_usage_error_naming_the_limit() -> None:
    result = CliRunner().invoke(cli, ["ask", "why " * 25_600, "--json"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "the limit is 2,000" in result.stderr and "Traceback" not in result.output


def test_a_question_that_is_not_utf8_is_a_usage_error_in_a_real_process() -> None:
    """The bytes reach Python as lone surrogates; nothing may fail on them later."""
    done = subprocess.run(
        [*margin_command(), "ask", b"what is \xff\xfe this?"], capture_output=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert b"not valid UTF-8" in done.stderr and b"Traceback" not in done.stderr


@pytest.mark.slow
def test_answer_streams_after_its_sources_with_the_bundled_model(
    ingested: Path, bundled_gguf: Path
) -> None:
    write_config(ingested, "[ask]\nmax_tokens = 24\n\n[models.local]\nthreads = 1\n")
    question = "How does margin keep API keys safe?"
    result = CliRunner().invoke(cli, ["ask", question, "--mode", "generate"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Sources\n  [1] ") and "models.md" in out.splitlines()[1]
    answer_text = out.split("\n\n", 1)[1]
    assert answer_text.strip(), out
    assert "local · " in result.stderr and "tokens" in result.stderr


@pytest.mark.slow
def test_mode_quote_answers_in_the_documents_words_without_a_model(ingested: Path) -> None:
    question = "Where does margin keep API keys?"
    result = CliRunner().invoke(cli, ["ask", question, "--mode", "quote", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["mode"] == "quote" and answer["model"] == "quote" and answer["cited"]
    assert answer["usage"]["completion_tokens"] == 0
    assert all(s["status"] == "cited" for s in answer["sentences"])
    scores = [s["score"] for s in answer["sources"]]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    wrong = CliRunner().invoke(cli, ["ask", question, "--mode", "poetry"])
    assert wrong.exit_code == 2 and "Traceback" not in wrong.output


@pytest.mark.slow
def test_unrelated_question_is_refused_with_nearest_sources(ingested: Path) -> None:
    result = CliRunner().invoke(cli, ["ask", "What is the airspeed of an unladen swallow?"])
    assert result.exit_code == 0
    assert "Not found in your documents." in result.stdout
    assert "nearest matches" in result.stderr


@pytest.mark.slow
def test_request_over_budget_exits_4_and_sends_nothing(ingested: Path) -> None:
    write_config(
        ingested,
        '[defaults]\nmodel = "far"\n\n[budget]\nrequest_usd = 0.000001\n\n'
        '[models.far]\nkind = "openai"\nbase_url = "http://127.0.0.1:9/v1"\nmodel = "m"\n'
        "input_usd_per_mtok = 5.0\noutput_usd_per_mtok = 15.0\n",
    )
    result = CliRunner().invoke(cli, ["ask", "How does margin keep API keys safe?", "--json"])
    assert result.exit_code == 4, result.output
    answer = json.loads(result.stdout)
    assert answer["refused"] and answer["refusal_reason"] == "budget"
    assert "budget.request_usd" in answer["answer"]
    egress = CliRunner().invoke(cli, ["egress", "--json"])
    assert json.loads(egress.stdout)["entries"] == []
