"""KeyStore against the real Secret Service, and without any keyring backend."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from keyring.backends import fail, null

from models.errors import KeyStoreError, MissingKeyError
from models.keys import KeyStore

SECRET = "sk-proj-test-0123456789"


def test_round_trip_in_the_secret_service(secret_service: str, tmp_path: Path) -> None:
    name = secret_service
    index = tmp_path / "config" / "key-names.json"
    store = KeyStore(index, environ={"WORK_API_KEY": "sk-from-env"})
    store.set(name, SECRET)
    assert store.get(name) == SECRET
    assert store.resolve(name, "WORK_API_KEY") == SECRET  # the keyring comes first
    assert store.names() == {name}
    assert stat.S_IMODE(index.stat().st_mode) == 0o600
    assert SECRET not in index.read_text() and SECRET not in repr(store)
    assert store.remove(name) is True
    assert store.get(name) is None
    assert store.remove(name) is False
    assert store.names() == frozenset()
    assert store.resolve(name, "WORK_API_KEY") == "sk-from-env"


def test_no_backend_names_both_ways_and_never_the_key(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "names.json", backend=fail.Keyring())
    with pytest.raises(KeyStoreError) as caught:
        store.set("work", SECRET)
    message = str(caught.value)
    assert "no keyring backend is available" in message
    assert "`export " in message and "margin keys set" not in message
    assert SECRET not in message
    assert not (tmp_path / "names.json").exists()


def test_backend_that_drops_writes_is_caught(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "names.json", backend=null.Keyring())
    with pytest.raises(KeyStoreError, match="did not keep the key for 'work'"):
        store.set("work", SECRET)
    assert store.names() == frozenset()


def test_environment_when_the_keyring_is_unavailable() -> None:
    store = KeyStore(backend=fail.Keyring(), environ={"WORK_API_KEY": "sk-env"})
    assert store.resolve("work", "WORK_API_KEY") == "sk-env"


def test_no_keyring_and_no_variable_names_the_variable_not_the_keyring_command() -> None:
    store = KeyStore(backend=fail.Keyring(), environ={})
    with pytest.raises(MissingKeyError) as caught:
        store.resolve("work", "WORK_API_KEY")
    assert str(caught.value) == (
        "No API key for model profile 'work': the system keyring cannot be read and "
        "WORK_API_KEY is not set. Start a keyring (such as gnome-keyring), or "
        "`export WORK_API_KEY=...`."
    )


def test_missing_everywhere_names_both_ways() -> None:
    store = KeyStore(backend=null.Keyring(), environ={})
    with pytest.raises(MissingKeyError) as caught:
        store.resolve("work", "WORK_API_KEY")
    assert str(caught.value) == (
        "No API key for model profile 'work'. Store it with `margin keys set work` (needs a "
        "running keyring such as gnome-keyring), or `export WORK_API_KEY=...`."
    )


def test_no_keyring_without_a_session_bus_is_one_clear_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    env.pop("PYTHON_KEYRING_BACKEND", None)
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    env["MARGIN_HOME"] = str(tmp_path / "home")
    run = subprocess.run(
        [sys.executable, "-c", "from assistant.cli import main; main()", "keys", "set", "work"],
        input=SECRET + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "no keyring backend is available" in run.stderr
    assert "`export " in run.stderr and "margin keys set" not in run.stderr
    assert SECRET not in run.stdout + run.stderr
