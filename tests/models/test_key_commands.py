"""`margin keys set|list|remove` through click, with the real keyring or none."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli

SECRET = "sk-ant-cli-secret-987"


def run(*args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["keys", *args], input=stdin)


def test_set_list_remove_in_the_secret_service(secret_service: str, margin_home: Path) -> None:
    name = secret_service
    saved = run("set", name, stdin=SECRET + "\n")
    assert saved.exit_code == 0, saved.output
    assert f"Saved the key for '{name}'" in saved.stderr
    index = margin_home / "config" / "key-names.json"
    assert stat.S_IMODE(index.stat().st_mode) == 0o600

    listed = run("list")
    assert listed.exit_code == 0
    assert f"{name}\tkeyring" in listed.stdout.splitlines()

    removed = run("remove", name)
    assert removed.exit_code == 0
    assert f"Removed the key for '{name}'" in removed.stderr
    assert name not in run("list").stdout
    for result in (saved, listed, removed):
        assert SECRET not in result.output


def test_list_names_remote_profiles_and_where_their_keys_come_from(
    no_keyring: None, margin_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (margin_home / "config").mkdir(parents=True)
    (margin_home / "config" / "config.toml").write_text(
        '[models.work]\nkind = "openai"\nbase_url = "https://api.example.com/v1"\n'
        'model = "m"\nkey_env = "WORK_API_KEY"\n\n'
        '[models.lab]\nkind = "openai"\nbase_url = "http://127.0.0.1:8080/v1"\nmodel = "m"\n'
    )
    monkeypatch.setenv("WORK_API_KEY", SECRET)
    listed = run("list")
    assert listed.exit_code == 0
    assert listed.stdout.splitlines() == [
        "lab\tmissing (keyring unavailable)",
        "work\tenv WORK_API_KEY",
    ]
    assert SECRET not in listed.output


def test_set_without_a_keyring_is_one_clear_error(no_keyring: None) -> None:
    result = run("set", "work", stdin=SECRET)
    assert result.exit_code == 1
    assert result.stderr.startswith("margin: The system keyring could not save the key for 'work'")
    assert "`export " in result.stderr and "Start a keyring" in result.stderr
    assert "margin keys set" not in result.stderr  # not the command that just failed
    assert SECRET not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_set_without_a_keyring_fails_before_asking_for_the_key(
    no_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.cli import key_commands

    def read_key(name: str) -> str:
        pytest.fail("asked for a key that could not be saved")

    monkeypatch.setattr(key_commands, "_read_key", read_key)
    result = run("set", "work")
    assert result.exit_code == 1 and "could not save the key" in result.stderr


def test_a_bad_name_is_a_usage_error_before_the_keyring(no_keyring: None) -> None:
    result = run("set", "../x", stdin="k")
    assert result.exit_code == 2
    assert result.stderr.startswith("margin: ")


def test_an_empty_key_is_a_usage_error() -> None:
    import keyring
    from keyring.backends import null

    previous = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())  # reachable, so the key is asked for
    try:
        result = run("set", "work", stdin="\n")
    finally:
        keyring.set_keyring(previous)
    assert result.exit_code == 2
    assert result.stderr.startswith("margin: No key given for 'work'")
