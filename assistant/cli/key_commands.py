"""`margin keys set|list|remove NAME`: API keys in the system keyring, names only on screen."""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING

import click

from assistant.cli.output import guarded, say
from assistant.errors import UsageError

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")

if TYPE_CHECKING:
    from models.keys import KeyStore


def _store() -> KeyStore:
    from assistant.locations import resolve_locations
    from models.keys import KeyStore

    return KeyStore(resolve_locations().key_names_file)


def _checked(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise UsageError(f"{name!r} is not a profile name: use letters, digits, '_', '-' and '.'.")
    return name


@click.group()
def keys() -> None:
    """Store API keys for remote model profiles in the system keyring."""


@keys.command("set")
@click.argument("name")
@guarded
def set_key(name: str) -> None:
    """Save the key for profile NAME (prompted without echo, or read from stdin)."""
    _checked(name)
    store = _store()
    store.check_writable(name)  # before the key is typed: no asking for what cannot be kept
    value = _read_key(name).strip()
    if not value:
        raise UsageError(f"No key given for {name!r}; nothing was saved.")
    store.set(name, value)
    say(f"Saved the key for {name!r} in the system keyring.")


def _read_key(name: str) -> str:
    if sys.stdin.isatty():
        value: str = click.prompt(f"API key for {name}", hide_input=True, err=True)
        return value
    return sys.stdin.read()


@keys.command("list")
@guarded
def list_keys() -> None:
    """Names of profiles with keys, and where each key comes from (never the value)."""
    from assistant.config import load_config
    from assistant.locations import resolve_locations

    config = load_config(resolve_locations().config_file)
    remote = {p.name: p.key_env for p in config.models.values() if p.is_remote}
    store = _store()
    names = sorted(set(remote) | store.names())
    if not names:
        say("No keys saved and no remote model profiles in config.toml.")
        return
    for name in names:
        click.echo(f"{name}\t{_source(store, name, remote.get(name, ''))}")


def _source(store: KeyStore, name: str, key_env: str) -> str:
    from models.errors import KeyStoreError

    try:
        if store.get(name) is not None:
            return "keyring"
        unavailable = False
    except KeyStoreError:
        unavailable = True
    if key_env and os.environ.get(key_env):
        return f"env {key_env}"
    return "missing (keyring unavailable)" if unavailable else "missing"


@keys.command("remove")
@click.argument("name")
@guarded
def remove_key(name: str) -> None:
    """Delete the key for profile NAME from the system keyring."""
    if _store().remove(_checked(name)):
        say(f"Removed the key for {name!r} from the system keyring.")
    else:
        say(f"The system keyring held no key for {name!r}.")
