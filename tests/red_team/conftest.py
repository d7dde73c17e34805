"""The red-team harness: margin's CLI in process, a recording OpenAI-compatible server on
loopback as the remote model, and the real embedder, LanceDB and SQLite under MARGIN_HOME.

`red_team.ingest(...)` and `red_team.ask(...)` run `margin ingest --json` and `margin ask
--json --model recorder` exactly as a person would; `red_team.sent()` is every request body
the server received, as text, to search for what must never leave the machine.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from assistant import core
from assistant.cli import cli
from tests.fixtures.models import FlakyServer, Step
from tests.red_team.hostile import EVIL_IMAGE

KEY_ENV = "RED_TEAM_API_KEY"
# The whole relevance gate off: these tests are about what reaches a model.
GATE_OFF = """
[retrieval]
min_relevance = 0.0
min_coverage = 0.0
passing_mentions = -1
"""
CONFIG = (
    """
[models.recorder]
kind = "openai"
base_url = "{base_url}"
model = "recorder"
key_env = "{key_env}"
input_usd_per_mtok = 0.15
output_usd_per_mtok = 0.60

[budget]
request_usd = 5.0
daily_usd = 50.0
"""
    + GATE_OFF
    + """
[ask]
k = 6
mode = "generate"  # scripted local models answer; a quote would hide what they were sent
"""
)
# The model's reply: a citation, then the exfiltration image a hostile source asked for.
REPLY = ["Gannets dive from thirty metres [1]. ", EVIL_IMAGE]


@dataclass
class RedTeam:
    home: Path
    server: FlakyServer

    def ingest(self, *paths: Path, extra: tuple[str, ...] = ()) -> dict[str, Any]:
        result = CliRunner().invoke(cli, ["ingest", *map(str, paths), *extra, "--json"])
        assert result.exit_code == 0, result.output
        report: dict[str, Any] = json.loads(result.stdout)
        return report

    def ask(self, question: str) -> tuple[dict[str, Any], str]:
        """The `--json` answer, and what the person saw on stderr."""
        result = CliRunner().invoke(
            cli, ["ask", question, "--model", "recorder", "--no-cache", "--json"]
        )
        assert result.exit_code == 0, result.output
        answer: dict[str, Any] = json.loads(result.stdout)
        return answer, result.stderr

    def ask_human(self, question: str) -> str:
        """What `margin ask` prints on stdout for a person (sources and the answer)."""
        result = CliRunner().invoke(cli, ["ask", question, "--model", "recorder", "--no-cache"])
        assert result.exit_code == 0, result.output
        return result.stdout

    def sent(self) -> str:
        """Every request body the remote model received, as one text."""
        return json.dumps(self.server.requests, ensure_ascii=False)


@pytest.fixture
def red_team(
    margin_home: Path,
    embedder: object,
    flaky_server: Callable[..., FlakyServer],
    monkeypatch: pytest.MonkeyPatch,
) -> RedTeam:
    monkeypatch.setattr(core, "load_embedder", lambda config, locations: embedder)
    monkeypatch.setenv(KEY_ENV, "red-team-key")
    server = flaky_server(Step.stream(REPLY, usage=(120, 12)))
    config = margin_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(CONFIG.format(base_url=server.base_url, key_env=KEY_ENV))
    return RedTeam(margin_home, server)
