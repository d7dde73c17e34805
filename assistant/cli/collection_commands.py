"""`margin collections list|show|set`: each collection's policy ([collections.NAME])."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import click

from assistant.cli.output import emit_json, guarded, say
from assistant.config_collections import ANSWER_POLICIES

if TYPE_CHECKING:
    from assistant.config import Config
    from assistant.config_collections import AnswerPolicy


@click.group()
def collections() -> None:
    """Which models may receive each collection, quote-only answers, redaction."""


def _config_and_names() -> tuple[Config, list[str]]:
    from assistant.cli.ingest_commands import _documents
    from assistant.config import load_config
    from assistant.locations import resolve_locations

    config = load_config(resolve_locations().config_file)
    names = sorted({d.collection for d in _documents()} | set(config.collections))
    return config, names


@collections.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@guarded
def list_collections(as_json: bool) -> None:
    """Every collection (ingested or configured) with its policy."""
    config, names = _config_and_names()
    policies = [config.policy(name) for name in names]
    if as_json:
        emit_json({"collections": [p.to_json() for p in policies]})
        return
    if not policies:
        say("No collections yet: ingest some files first.")
    for policy in policies:
        click.echo(f"{policy.name}  {policy.describe()}")


@collections.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@guarded
def show(name: str, as_json: bool) -> None:
    """One collection's policy, with the profiles (and regions) that may receive it."""
    config, _ = _config_and_names()
    policy = config.policy(name)
    allowed = [p for p in config.models.values() if policy.refusal(p.name, p.is_remote) is None]
    if as_json:
        emit_json({**policy.to_json(), "allowed_profiles": [p.name for p in allowed]})
        return
    click.echo(f"{name}  {policy.describe()}")
    click.echo(f"  may go to: {', '.join(p.label for p in allowed) or 'no profile'}")


@collections.command("set")
@click.argument("name")
@click.option("--models", help="Comma-separated profiles allowed to receive it.")
@click.option("--all-models", is_flag=True, help="Every profile may receive it (the default).")
@click.option("--local-only/--not-local-only", default=None, help="Local profiles only.")
@click.option("--answer", type=click.Choice(ANSWER_POLICIES), help="quote: verbatim quotes only.")
@click.option("--redact/--no-redact", default=None, help="Mask personal data before it leaves.")
@click.option("--default-redact", is_flag=True, help="Follow [privacy] redact_for_remote.")
@guarded
def set_policy(
    name: str,
    models: str | None,
    all_models: bool,
    local_only: bool | None,
    answer: str | None,
    redact: bool | None,
    default_redact: bool,
) -> None:
    """Write [collections.NAME] to config.toml (checked first, written atomically)."""
    from dataclasses import replace

    from assistant.config import load_config, parse_config
    from assistant.config_collections import with_policy_table
    from assistant.locations import resolve_locations
    from durable.private_files import write_private

    path = resolve_locations().config_file
    config = load_config(path)
    policy = config.policy(name)
    if models is not None:
        policy = replace(policy, models=tuple(m.strip() for m in models.split(",") if m.strip()))
    if all_models:
        policy = replace(policy, models=None)
    if local_only is not None:
        policy = replace(policy, local_only=local_only)
    if answer is not None:
        policy = replace(policy, answer=cast("AnswerPolicy", answer))
    if redact is not None or default_redact:
        policy = replace(policy, redact=None if default_redact else redact)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    updated = with_policy_table(text, policy)
    parse_config(updated, path)  # an invalid policy is refused before anything is written
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, updated)
    say(f"{name}: {policy.describe()} (applies from the next question)")
