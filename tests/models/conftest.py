"""Keyring fixtures for the model tests: the real Secret Service, or no backend at all."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest


@pytest.fixture
def secret_service() -> Iterator[str]:
    """A unique profile name whose key lives in the real Secret Service; removed afterwards."""
    if not os.environ.get("MARGIN_TEST_KEYRING"):
        pytest.skip(
            "needs a running Secret Service; `make test` provides one (MARGIN_TEST_KEYRING=1 "
            "under dbus-run-session with gnome-keyring-daemon)"
        )
    import keyring

    backend = keyring.get_keyring()
    assert "SecretService" in type(backend).__module__, (
        f"MARGIN_TEST_KEYRING is set but the keyring backend is {backend!r}"
    )
    name = f"margin-test-{uuid.uuid4().hex[:8]}"
    yield name
    if keyring.get_password("margin", name) is not None:
        keyring.delete_password("margin", name)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """The process-wide keyring is keyring's `fail` backend, as on a headless machine."""
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)
