"""`margin ask` with an option pasted from a manual page's roff source, on real pages.

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
