"""API keys in the system keyring (service `margin`, user = profile name), then the environment.

keyring cannot list what it holds, so the store keeps the *names* it saved in a small 0600 file
(never the values). Every backend failure becomes a `KeyStoreError` that names both ways to
give margin a key; no key value ever appears in a message, a repr or a log.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from durable.private_files import write_private
from models.errors import KeyStoreError, MissingKeyError

SERVICE = "margin"
T = TypeVar("T")


class KeyStore:
    """Keys for model profiles. `backend` is a keyring backend; None means the system one."""

    def __init__(
        self,
        index_path: Path | None = None,
        *,
        backend: Any = None,
        environ: Mapping[str, str] | None = None,
    ):
        self._index_path = index_path
        self._backend = backend
        self._environ = os.environ if environ is None else environ

    def __repr__(self) -> str:
        return f"KeyStore(index_path={self._index_path!r})"

    def set(self, name: str, value: str) -> None:
        """Save a key and read it back: some backends drop writes without a word."""
        self._call(name, "save", lambda kr: kr.set_password(SERVICE, name, value))
        if self._call(name, "read", lambda kr: kr.get_password(SERVICE, name)) != value:
            raise KeyStoreError(
                f"The system keyring did not keep the key for {name!r} (its backend discards "
                f"writes). {_without_keyring(name)}"
            )
        self._save_names(self.names() | {name})

    def check_writable(self, name: str) -> None:
        """Raise KeyStoreError now if the keyring cannot be reached, before anyone types a key
        that could not be saved (a read reaches the backend the way a write would)."""
        self._call(name, "save", lambda kr: kr.get_password(SERVICE, name))

    def get(self, name: str) -> str | None:
        value: str | None = self._call(name, "read", lambda kr: kr.get_password(SERVICE, name))
        return value

    def remove(self, name: str) -> bool:
        """Delete the key; False when the keyring held none for this name."""
        from keyring.errors import PasswordDeleteError

        def delete(kr: Any) -> bool:
            try:
                kr.delete_password(SERVICE, name)
            except PasswordDeleteError:
                return False
            return True

        removed = self._call(name, "remove", delete)
        self._save_names(self.names() - {name})
        return removed

    def names(self) -> frozenset[str]:
        """Names this store has saved keys under (from the index file; values are not in it)."""
        if self._index_path is None or not self._index_path.exists():
            return frozenset()
        try:
            data = json.loads(self._index_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return frozenset()
        names = data.get("names", []) if isinstance(data, dict) else []
        return frozenset(n for n in names if isinstance(n, str))

    def resolve(self, profile_name: str, key_env: str) -> str:
        """The key for a profile: the keyring first, then the variable named by `key_env`."""
        keyring_problem: KeyStoreError | None = None
        try:
            value = self.get(profile_name)
        except KeyStoreError as exc:
            keyring_problem, value = exc, None
        if value:
            return value
        if key_env and self._environ.get(key_env):
            return self._environ[key_env]
        if keyring_problem is not None and key_env:
            raise MissingKeyError(
                f"No API key for model profile {profile_name!r}: the system keyring cannot be "
                f"read and {key_env} is not set. Start a keyring (such as gnome-keyring), or "
                f"`export {key_env}=...`."
            )
        if keyring_problem is not None:
            raise MissingKeyError(str(keyring_problem))
        raise MissingKeyError(
            f"No API key for model profile {profile_name!r}. {_both_ways(profile_name, key_env)}"
        )

    def _call(self, name: str, action: str, operation: Callable[[Any], T]) -> T:
        try:
            import keyring

            backend = self._backend if self._backend is not None else keyring.get_keyring()
            return operation(backend)
        except Exception as exc:  # every backend has its own errors; all mean the same here
            raise KeyStoreError(
                f"The system keyring could not {action} the key for {name!r} "
                f"({_describe(exc)}). {_without_keyring(name)}"
            ) from None

    def _save_names(self, names: frozenset[str]) -> None:
        if self._index_path is not None:
            self._index_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_private(self._index_path, json.dumps({"names": sorted(names)}, indent=2))


def _both_ways(name: str, key_env: str) -> str:
    variable = key_env or "THE_VARIABLE"
    hint = "" if key_env else f' and key_env = "{variable}" in [models.{name}]'
    return (
        f"Store it with `margin keys set {name}` (needs a running keyring such as "
        f"gnome-keyring), or `export {variable}=...`{hint}."
    )


def _without_keyring(name: str) -> str:
    """What to do when the keyring itself failed: not `margin keys set` again, which needs it."""
    return (
        f"Start a keyring (such as gnome-keyring), or give the key through an environment "
        f'variable: `export THE_VARIABLE=...` and key_env = "THE_VARIABLE" in [models.{name}].'
    )


def _describe(exc: Exception) -> str:
    from keyring.errors import NoKeyringError

    if isinstance(exc, NoKeyringError):
        return "no keyring backend is available on this machine"
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
