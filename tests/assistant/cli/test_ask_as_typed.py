"""`margin ask` with questions as people type or paste them, on real manual pages: an option
pasted from roff source, a short command name with two letters swapped.

gzip(1), sftp(1) and tar(1) from tests/data/man_roff, ingested through the CLI with the
session's MiniLM into LanceDB (`man_pages`). Quote mode: no chat model is needed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli

pytestmark = pytest.mark.slow


def test_an_option_pasted_from_roff_source_is_answered_from_its_page(man_pages: Path) -> None:
    pasted = r"What does \fB\-k\fR do in gzip?"
    result = CliRunner().invoke(cli, ["ask", pasted, "--mode", "quote", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["question"] == pasted  # shown and logged as typed
    assert not answer["refused"], answer["answer"]
    assert Path(answer["sources"][0]["path"]).name == "gzip.1"
    assert "Keep (don't delete) input files" in answer["answer"]


def test_the_terminal_says_what_was_searched_for(man_pages: Path) -> None:
    result = CliRunner().invoke(
        cli, ["ask", r"what is \fI\-\-exclude\fP in tar", "--mode", "quote"]
    )
    assert result.exit_code == 0, result.output
    assert "searching for: what is --exclude in tar" in result.output
    assert "tar.1" in result.output


def test_a_four_letter_command_with_two_letters_swapped_is_put_right(man_pages: Path) -> None:
    typed = CliRunner().invoke(
        cli, ["ask", "How do I keep the original file with gizp?", "--mode", "quote", "--json"]
    )
    spelt = CliRunner().invoke(
        cli, ["ask", "How do I keep the original file with gzip?", "--mode", "quote", "--json"]
    )
    assert typed.exit_code == 0 and spelt.exit_code == 0, typed.output + spelt.output
    answer, meant = json.loads(typed.stdout), json.loads(spelt.stdout)
    assert not answer["refused"] and answer["answer"] == meant["answer"]
    assert [s["path"] for s in answer["sources"]] == [s["path"] for s in meant["sources"]]
    assert Path(answer["sources"][0]["path"]).name == "gzip.1"
    [respelt] = [e for e in answer["guardrails"] if e["kind"] == "question.respelt"]
    assert respelt["detail"] == "“gizp” is in no document; searched for “gzip” instead"


def test_search_reads_pasted_markup_too(man_pages: Path) -> None:
    result = CliRunner().invoke(cli, ["search", r"\fB\-\-exclude\fR=\fIPATTERN\fR"])
    assert result.exit_code == 0, result.output
    assert "searching for: --exclude=PATTERN" in result.output
    assert "tar.1" in result.output.split("searching for:")[1]
