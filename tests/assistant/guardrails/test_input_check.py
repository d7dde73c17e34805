from __future__ import annotations

import pytest

from assistant.errors import UsageError
from assistant.guardrails.input_check import EMPTY_QUESTION, check_input


@pytest.mark.parametrize("question", ["", "   ", "\n\t \r\n", "\x1b[2J", "\u200b\u200b"])
def test_empty_or_invisible_question_is_a_usage_error(question: str) -> None:
    with pytest.raises(UsageError, match="the question is empty") as raised:
        check_input(question, max_chars=100)
    assert str(raised.value) == EMPTY_QUESTION
    assert raised.value.exit_code == 2


def test_ordinary_question_passes_unchanged_without_events() -> None:
    checked = check_input("What does the install guide say about proxies?", max_chars=2000)
    assert checked.text == "What does the install guide say about proxies?"
    assert checked.events == []


@pytest.mark.parametrize(
    ("question", "cleaned", "removed"),
    [
        ("what is \x1b[31mred\x1b[0m?", "what is red?", 9),
        ("title\x1b]0;pwned\x07 please", "title please", 10),
        ("copy \x1b]52;c;ZXZpbA==\x07this", "copy this", 16),
        ("bell\x07 and\x00 null", "bell and null", 2),
        ("c1\x9b31m code", "c131m code", 1),
        ("zero\u200bwidth and \u202eoverride", "zerowidth and override", 2),
    ],
)
def test_control_sequences_are_stripped_and_counted(
    question: str, cleaned: str, removed: int
) -> None:
    checked = check_input(question, max_chars=2000)
    assert checked.text == cleaned
    [event] = checked.events
    assert event.kind == "input.control_chars"
    assert event.detail.startswith(f"removed {removed} control")


def test_whitespace_is_normalised_but_line_breaks_survive() -> None:
    checked = check_input(
        "  compare\t\tthese:\r\n\r\n\r\n\r\n  first   line \n second  ", max_chars=99
    )
    assert checked.text == "compare these:\n\nfirst line\nsecond"
    assert checked.events == []


def test_unicode_is_composed_so_lookups_match() -> None:
    assert check_input("cafe\u0301", max_chars=10).text == "café"


def test_over_long_question_is_a_usage_error_naming_the_limit() -> None:
    with pytest.raises(UsageError) as caught:
        check_input("why " * 25_600, max_chars=2000)
    message = str(caught.value)
    assert "102,399 characters" in message and "the limit is 2,000" in message
    assert "ask.max_question_chars" in message and caught.value.exit_code == 2


def test_undecodable_bytes_are_a_usage_error() -> None:
    """Bytes that are not UTF-8 reach Python as lone surrogates (surrogateescape)."""
    question = b"what is \xff\xfe this".decode("utf-8", "surrogateescape")
    with pytest.raises(UsageError, match="not valid UTF-8"):
        check_input(question, max_chars=2000)


def test_length_is_measured_after_cleaning() -> None:
    question = "a" * 10 + "\x1b[0m" * 50
    checked = check_input(question, max_chars=10)
    assert checked.text == "a" * 10
