"""Errors reach the person as notifications chosen by the error's type, never by its name.

`assistant.errors` re-exports every error `assistant` lets through (its own, and those of
ingest and models); the TUI maps each of them. Renaming one of these classes breaks the
imports of `assistant.errors` and `tui.errors` at once, loudly, instead of quietly turning
its notification into "Unexpected error".
"""

from __future__ import annotations

import assistant.errors
from assistant.errors import MissingKeyError, StoreBusyError
from tui.errors import KNOWN_ERRORS, describe_error

EXPORTED = {getattr(assistant.errors, name) for name in assistant.errors.__all__}


def test_every_error_assistant_lets_through_has_its_own_notification() -> None:
    mapped = {kind: title for kind, title, _ in KNOWN_ERRORS}
    assert set(mapped) == EXPORTED
    for kind, title in mapped.items():
        assert describe_error(kind("it broke")).title == title, kind.__name__


def test_no_entry_is_hidden_behind_a_more_general_one_before_it() -> None:
    for position, (earlier, _, _) in enumerate(KNOWN_ERRORS):
        for later, _, _ in KNOWN_ERRORS[position + 1 :]:
            assert not issubclass(later, earlier), f"{earlier.__name__} hides {later.__name__}"


def test_errors_are_matched_by_type_whatever_their_name() -> None:
    class KeyNotConfigured(MissingKeyError):
        """A subclass under another name is still a missing key."""

    assert describe_error(KeyNotConfigured("no key for 'work'")).title == "No API key"
    impostor = type("StoreBusyError", (Exception,), {})
    assert describe_error(impostor("busy")).title == "Unexpected error"
    assert describe_error(StoreBusyError("busy")).title == "Index busy"
