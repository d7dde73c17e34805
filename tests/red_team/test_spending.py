"""Servers that lie, and budgets under pressure (issue 10, items 7, 8, 9, 15), through the
real CLI against the recording server on loopback, with the real SQLite log.

A server that ignores `max_tokens` is cut at the cap however it streams (8); usage a server
reports that cannot be true is rejected, estimated instead and flagged (9); four real
`MARGIN_NO_SERVICE=1 margin ask` processes at once share one daily budget (7); a call whose
cost could not be logged still counts, and its answer is still shown (15).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.ask.types import AskOptions
from assistant.cli import cli
from assistant.core import build_assistant
from tests.fixtures.cli import margin_command
from tests.fixtures.disk import Refusing
from tests.fixtures.ingest import write_files
from tests.fixtures.models import FlakyServer, Handler, Step, _stream
from tests.red_team.conftest import GATE_OFF, RedTeam
from tests.red_team.hostile import INJECTION

pytestmark = pytest.mark.slow

CAP = 97


def feeding_notes(red_team: RedTeam, tmp_path: Path, *, max_tokens: int = CAP) -> None:
    config = red_team.home / "config" / "config.toml"
    config.write_text(config.read_text().replace("[ask]\n", f"[ask]\nmax_tokens = {max_tokens}\n"))
    red_team.ingest(write_files(tmp_path / "station", {"feeding.md": INJECTION}))


def kinds(answer: dict[str, object]) -> dict[str, str]:
    return {e["kind"]: e["detail"] for e in answer["guardrails"]}  # type: ignore[attr-defined, index]


# Filler a model streams: two words in the Thue-Morse order, which never has the same run
# three times in a row, so the repetition stop (models.repetition) leaves it to the cap and
# the budget these tests are about; two distinct words are no claim for the support check.
def filler(words: int, pair: tuple[str, str]) -> list[str]:
    return [f"{pair[bin(n).count('1') % 2]} " for n in range(words)]


RUNAWAY = filler(3000, ("gannet", "gannets"))  # a word at least a token: the cap is in tokens
WORDS = filler(300, ("ab", "ba"))


@pytest.mark.parametrize(
    "deltas",
    [RUNAWAY, ["".join(RUNAWAY)]],
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


PARALLEL = 4
# $0.001 per answer token, nothing for the prompt: 300 tokens are $0.30, four are $1.20.
PRICED = (
    """
[models.recorder]
kind = "openai"
base_url = "{base_url}"
model = "recorder"
key_env = "RED_TEAM_API_KEY"
input_usd_per_mtok = 0.0
output_usd_per_mtok = 1000.0

[budget]
request_usd = 1.0
daily_usd = 1.0
"""
    + GATE_OFF
    + """
[ask]
k = 2
max_tokens = 300
"""
)


def together(count: int, deltas: list[str]) -> Step:
    """Answer no request before `count` have arrived (or 60 s passed): every ask has
    decided on its budget before any answer is logged."""

    def play(handler: Handler, server: FlakyServer) -> None:
        deadline = time.monotonic() + 60
        while len(server.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        _stream(handler, server, deltas, None, None, 0.0)

    return Step(play, "together")


def test_parallel_asks_without_the_service_share_the_daily_budget(
    red_team: RedTeam,
    tmp_path: Path,
    seeded_embedding_cache: Path,  # each process embeds its question with the export in place
) -> None:
    config = red_team.home / "config" / "config.toml"
    config.write_text(PRICED.format(base_url=red_team.server.base_url))
    red_team.ingest(write_files(tmp_path / "station", {"feeding.md": INJECTION}))
    red_team.server.steps[:] = [together(PARALLEL, WORDS)]
    environment = {**os.environ, "MARGIN_NO_SERVICE": "1"}
    asks = [
        subprocess.Popen(
            [*margin_command(), "ask", "How do gannets feed?", "--model", "recorder", "--json"],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(PARALLEL)
    ]
    answers = []
    for process in asks:
        out, err = process.communicate(timeout=300)
        assert process.returncode in (0, 4), err.decode()
        answers.append(json.loads(out))
    spent = sum(answer["usage"]["cost_usd"] for answer in answers)
    assert 0.99 <= spent <= 1.0 + 1e-9, [a["usage"] for a in answers]
    capped = [a for a in answers if "budget.capped" in kinds(a)]
    assert len(capped) == 1 and sorted(r["max_tokens"] for r in red_team.server.requests) == [
        100,
        300,
        300,
        300,
    ]
    stats = CliRunner().invoke(cli, ["stats", "--json"])
    assert json.loads(stats.stdout)["cost"]["today_usd"] == pytest.approx(spent)


def test_a_call_whose_cost_could_not_be_logged_still_counts_and_is_shown(
    red_team: RedTeam, embedder: object, tmp_path: Path
) -> None:
    config = red_team.home / "config" / "config.toml"
    config.write_text(
        PRICED.format(base_url=red_team.server.base_url).replace(
            "daily_usd = 1.0", "daily_usd = 0.5"
        )
    )
    red_team.ingest(write_files(tmp_path / "station", {"feeding.md": INJECTION}))
    assistant = build_assistant(embedder=embedder)  # type: ignore[arg-type]
    log = assistant.log
    working = log.db._connection

    def disk_fills_then_answer(handler: Handler, server: FlakyServer) -> None:
        log.db._connection = Refusing(working)  # type: ignore[assignment]
        _stream(handler, server, WORDS, None, None, 0.0)

    red_team.server.steps[:] = [Step(disk_fills_then_answer, "full"), Step.stream(WORDS)]
    options = AskOptions(model="recorder", use_cache=False)
    try:
        first = assistant.ask("How do gannets feed?", options).complete()
        log.db._connection = working  # room again
        assert first.answer.startswith("ab ba ba ab") and first.interaction_id is None
        assert "the disk is full" in {e.kind: e.detail for e in first.guardrails}["log.not_written"]
        assert log.spend_today() == 0.0 and log.budget.held_today() == pytest.approx(0.30)
        second = assistant.ask("How do gannets feed?", options).complete()
    finally:
        log.db._connection = working
        assistant.close()
    # $0.30 of $0.50 still held by the unlogged call: the second may spend $0.20 (200 tokens).
    assert [r["max_tokens"] for r in red_team.server.requests] == [300, 200]
    assert second.interaction_id is not None and second.usage.cost_usd == pytest.approx(0.20)
