"""`margin collections list|show|set` on a real config.toml under MARGIN_HOME."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from click.testing import CliRunner

from assistant.cli import cli
from assistant.config import load_config

PROFILES = """# my models
[models.eu]
kind = "openai"
base_url = "http://127.0.0.1:9/v1"
model = "m"
region = "eu"
"""


def config_file(margin_home: Path) -> Path:
    path = margin_home / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PROFILES)
    return path


def test_set_writes_a_checked_table_and_list_and_show_read_it(margin_home: Path) -> None:
    path = config_file(margin_home)
    runner = CliRunner()
    done = runner.invoke(
        cli, ["collections", "set", "clients", "--models", "eu", "--answer", "quote"]
    )
    assert done.exit_code == 0, done.output
    assert path.read_text().startswith("# my models\n[models.eu]")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    policy = load_config(path).policy("clients")
    assert policy.models == ("eu",) and policy.answer == "quote"

    listed = runner.invoke(cli, ["collections", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.stdout)["collections"] == [
        {"collection": "clients", "models": ["eu"], "local_only": False, "answer": "quote",
         "redact": None}
    ]  # fmt: skip
    shown = runner.invoke(cli, ["collections", "show", "clients"])
    assert "may go to: eu (region eu)" in shown.stdout

    again = runner.invoke(cli, ["collections", "set", "clients", "--all-models", "--no-redact"])
    assert again.exit_code == 0, again.output
    assert path.read_text().count("[collections.clients]") == 1
    assert load_config(path).policy("clients").models is None


def test_an_invalid_policy_is_refused_and_nothing_is_written(margin_home: Path) -> None:
    path = config_file(margin_home)
    refused = CliRunner().invoke(cli, ["collections", "set", "clients", "--models", "asia"])
    assert refused.exit_code != 0
    assert "'asia'" in refused.output and "known profiles" in refused.output
    assert path.read_text() == PROFILES


def test_sources_shows_each_collections_policy(
    margin_home: Path,
    tmp_path: Path,
    seeded_embedding_cache: Path,  # the ingest finds the export: no torch child process
) -> None:
    path = config_file(margin_home)
    path.write_text(PROFILES + '\n[collections.clients]\nmodels = ["eu"]\n')
    runner = CliRunner()
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.md").write_text("# Retainer\n\nThe retainer renews in March.\n")
    ingested = runner.invoke(cli, ["ingest", str(tmp_path / "notes"), "--collection", "clients"])
    assert ingested.exit_code == 0, ingested.output
    listed = runner.invoke(cli, ["sources", "--json"])
    assert json.loads(listed.stdout)["policies"]["clients"]["models"] == ["eu"]
    human = runner.invoke(cli, ["sources"])
    assert "collection clients: models: eu; answer: generate" in human.stderr


def test_doctor_lists_each_policy(tmp_path: Path) -> None:
    from assistant.cli.doctor import check_policies
    from assistant.config import parse_config

    config = parse_config(PROFILES + '[collections.legal]\nanswer = "quote"\n', tmp_path / "c")
    assert [(c.name, c.detail) for c in check_policies(config)] == [
        ("collection legal", "models: all; answer: quote")
    ]
