"""Collection policies (issue 17) through the real CLI and pipeline: two recording
OpenAI-compatible servers on loopback as the profiles "eu" and "us", the real embedder,
LanceDB and SQLite. What each server received is checked in its request bodies."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from assistant import core
from assistant.ask.types import AskOptions, PlainTurn
from assistant.cli import cli
from tests.fixtures.ingest import write_files
from tests.fixtures.models import FlakyServer, Step
from tests.red_team.conftest import GATE_OFF

pytestmark = pytest.mark.slow

KEY_ENV = "POLICY_API_KEY"
PROFILES = (
    """
[models.eu]
kind = "openai"
base_url = "{eu}"
model = "eu-model"
key_env = "{key_env}"
region = "eu"

[models.us]
kind = "openai"
base_url = "{us}"
model = "us-model"
key_env = "{key_env}"

[budget]
request_usd = 5.0
daily_usd = 50.0
"""
    + GATE_OFF
    + """
[ask]
k = 6
mode = "generate"
"""
)
CLIENT_CODE = "WRF-4471-EU"
CLIENT_HEADING = "Wrenfield retainer terms"
CLIENTS = f"""# {CLIENT_HEADING}

The Wrenfield retainer renews every March. The Wrenfield account code is {CLIENT_CODE}, and
the retainer covers forty hours of review each quarter.
"""
LEGAL = """# Tenancy notice

A tenant must give the landlord two months of written notice before leaving the flat.
The notice period starts on the first day of the next rent period.
"""
PUBLIC = """# Harbour seals

Harbour seals haul out on sandbanks at low tide and rest there for several hours.
The seal survey account code is written on every survey form the wardens fill in.
"""
REPLY = ["The account code is in the retainer notes [1]."]


@dataclass
class Policies:
    home: Path
    eu: FlakyServer
    us: FlakyServer

    def configure(self, collections: str = "") -> None:
        config = self.home / "config" / "config.toml"
        text = PROFILES.format(eu=self.eu.base_url, us=self.us.base_url, key_env=KEY_ENV)
        config.write_text(text + collections)

    def ingest(self, path: Path, collection: str) -> None:
        result = CliRunner().invoke(cli, ["ingest", str(path), "--collection", collection])
        assert result.exit_code == 0, result.output

    def ask(self, question: str, model: str, *, cache: bool = False) -> dict[str, Any]:
        flags = [] if cache else ["--no-cache"]
        result = CliRunner().invoke(cli, ["ask", question, "--model", model, *flags, "--json"])
        assert result.exit_code == 0, result.output
        answer: dict[str, Any] = json.loads(result.stdout)
        return answer


def sent(server: FlakyServer) -> str:
    return json.dumps(server.requests, ensure_ascii=False)


@pytest.fixture
def policies(
    margin_home: Path,
    embedder: object,
    flaky_server: Callable[..., FlakyServer],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Policies:
    monkeypatch.setattr(core, "load_embedder", lambda config, locations: embedder)
    monkeypatch.setenv(KEY_ENV, "policy-key")
    eu = flaky_server(Step.stream(REPLY, usage=(100, 10)))
    us = flaky_server(Step.stream(REPLY, usage=(100, 10)))
    (margin_home / "config").mkdir(parents=True, exist_ok=True)
    found = Policies(margin_home, eu, us)
    found.configure()
    files = write_files(
        tmp_path / "files",
        {"clients/wrenfield.md": CLIENTS, "legal/tenancy.md": LEGAL, "public/seals.md": PUBLIC},
    )
    found.ingest(files / "clients", "clients")
    found.ingest(files / "legal", "legal")
    found.ingest(files / "public", "public")
    return found


EU_ONLY = """
[collections.clients]
models = ["eu"]
"""


def test_a_collection_allowed_only_to_eu_never_reaches_us_and_reaches_eu(
    policies: Policies,
) -> None:
    policies.configure(EU_ONLY)
    question = "What is the Wrenfield account code?"
    to_us = policies.ask(question, "us")
    assert policies.us.requests, to_us
    assert CLIENT_CODE not in sent(policies.us) and CLIENT_HEADING not in sent(policies.us)
    assert all(s["collection"] != "clients" for s in to_us["sources"])
    withheld = [e for e in to_us["guardrails"] if e["kind"] == "policy.withheld"]
    assert withheld and "clients" in withheld[0]["detail"]
    assert "models = ['eu']" in withheld[0]["detail"]

    to_eu = policies.ask(question, "eu")
    assert any(s["collection"] == "clients" for s in to_eu["sources"])
    assert CLIENT_CODE in sent(policies.eu) and CLIENT_HEADING in sent(policies.eu)

    egress = CliRunner().invoke(cli, ["egress", "--json"])
    assert egress.exit_code == 0, egress.output
    entries = json.loads(egress.stdout)["entries"]
    assert [(e["profile"], e["region"]) for e in entries] == [("eu", "eu"), ("us", "")]
    shown = CliRunner().invoke(cli, ["egress"])
    assert "eu (region eu) -> http://127.0.0.1" in shown.output
    assert all(e["policy"] == {"clients": {"models": ["eu"]}} for e in entries)

    stats = CliRunner().invoke(cli, ["stats", "--json"])
    assert stats.exit_code == 0, stats.output
    withheld_from_us = len(withheld[0]["collections"])
    assert withheld_from_us >= 1
    assert json.loads(stats.stdout)["by_collection"] == {
        "clients": {
            "sources_withheld": withheld_from_us,
            "turns_withheld": 0,
            "quote_only_answers": 0,
        }
    }


def test_chat_history_that_used_a_withheld_collection_is_not_sent(policies: Policies) -> None:
    policies.configure(EU_ONLY)
    assistant = core.build_assistant()
    try:
        first = assistant.ask("What is the Wrenfield account code?", AskOptions(model="eu"))
        earlier = first.complete()
        assert any(s.collection == "clients" for s in earlier.sources)
        follow = assistant.ask(
            "And when does it renew?",
            AskOptions(model="us", history=(PlainTurn.of(earlier),), use_cache=False),
        )
        answer = follow.complete()
    finally:
        assistant.close()
    assert policies.us.requests, "the us model was never asked"
    assert "Wrenfield" not in sent(policies.us) and CLIENT_CODE not in sent(policies.us)
    history = [e for e in answer.guardrails if e.kind == "policy.history_withheld"]
    assert history and history[0].collections == ("clients",)


def test_a_quote_only_collection_is_quoted_verbatim_and_no_model_is_asked(
    policies: Policies,
) -> None:
    policies.configure('\n[collections.legal]\nanswer = "quote"\n')
    answer = policies.ask("How much notice must a tenant give the landlord?", "eu")
    assert not policies.eu.requests and not policies.us.requests
    assert answer["mode"] == "quote"
    assert answer["cited"], "a quote answer cites its sources"
    assert "two months of written notice" in answer["answer"]
    assert any(e["kind"] == "policy.quote_only" for e in answer["guardrails"])

    shown = CliRunner().invoke(cli, ["stats"])
    assert shown.exit_code == 0, shown.output
    assert "Collection policies" in shown.output
    rows = [line.split("│")[1:5] for line in shown.output.splitlines() if "legal" in line]
    assert [[cell.strip() for cell in row] for row in rows] == [["legal", "0", "0", "1"]]


def test_a_policy_change_applies_to_the_next_question_even_if_cached(policies: Policies) -> None:
    question = "What is the Wrenfield account code?"
    first = policies.ask(question, "us", cache=True)
    assert any(s["collection"] == "clients" for s in first["sources"])
    assert CLIENT_CODE in sent(policies.us)
    again = policies.ask(question, "us", cache=True)
    assert again["cached"] and len(policies.us.requests) == 1

    policies.configure(EU_ONLY)
    after = policies.ask(question, "us", cache=True)
    assert not after["cached"]
    assert all(s["collection"] != "clients" for s in after["sources"])
    assert CLIENT_CODE not in after["answer"]
    assert CLIENT_CODE not in json.dumps(policies.us.requests[1:])

    policies.configure('\n[collections.clients]\nanswer = "quote"\n')
    quoted = policies.ask(question, "us", cache=True)
    assert quoted["mode"] == "quote" and not quoted["cached"]
    assert len(policies.us.requests) == 2  # the quote asked no model
