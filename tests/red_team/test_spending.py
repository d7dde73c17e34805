"""Servers that lie, and budgets under pressure (issue 10, items 7, 8, 9, 15), through the
real CLI against the recording server on loopback, with the real SQLite log.

A server that ignores `max_tokens` is cut at the cap however it streams (8); usage a server
reports that cannot be true is rejected, estimated instead and flagged (9).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from tests.fixtures.ingest import write_files
from tests.fixtures.models import Step
from tests.red_team.conftest import RedTeam
from tests.red_team.hostile import INJECTION

pytestmark = pytest.mark.slow

CAP = 97


def feeding_notes(red_team: RedTeam, tmp_path: Path, *, max_tokens: int = CAP) -> None:
    config = red_team.home / "config" / "config.toml"
    config.write_text(config.read_text().replace("[ask]\n", f"[ask]\nmax_tokens = {max_tokens}\n"))
    red_team.ingest(write_files(tmp_path / "station", {"feeding.md": INJECTION}))


def kinds(answer: dict[str, object]) -> dict[str, str]:
    return {e["kind"]: e["detail"] for e in answer["guardrails"]}  # type: ignore[attr-defined, index]


@pytest.mark.parametrize(
    "deltas",
    [["gannet "] * 3000, ["gannet " * 3000]],
    ids=["one token per event", "one huge event"],
)
def test_a_server_that_ignores_max_tokens_is_cut_at_the_cap(
    red_team: RedTeam, tmp_path: Path, deltas: list[str]
) -> None:
    feeding_notes(red_team, tmp_path)
    red_team.server.steps[:] = [Step.stream(deltas, usage=(300, 3000))]
    answer, _ = red_team.ask("How do gannets feed?")
    assert red_team.server.requests[-1]["max_tokens"] == CAP
    assert len(answer["answer"].split()) <= CAP
    assert answer["usage"]["completion_tokens"] <= 2 * CAP  # margin's own, high, estimate
    assert answer["usage"]["cost_usd"] < 0.0002
    assert "max_tokens = 97" in kinds(answer)["stream.capped"]


@pytest.mark.parametrize(
    ("usage", "named"),
    [((-5_000_000, 12), "prompt_tokens = -5000000"), ((400, 10**12), "completion_tokens")],
)
def test_impossible_usage_is_rejected_estimated_and_flagged(
    red_team: RedTeam, tmp_path: Path, usage: tuple[int, int], named: str
) -> None:
    feeding_notes(red_team, tmp_path)
    red_team.server.steps[:] = [Step.stream(["Gannets dive [1]."], usage=usage)]
    answer, _ = red_team.ask("How do gannets feed?")
    assert answer["usage"]["estimated"] is True
    assert answer["usage"]["prompt_tokens"] > 100 and 0 < answer["usage"]["cost_usd"] < 0.01
    assert named in kinds(answer)["usage.rejected"]
    stats = CliRunner().invoke(cli, ["stats", "--json"])
    spent = json.loads(stats.stdout)["cost"]["today_usd"]
    assert spent == pytest.approx(answer["usage"]["cost_usd"])
