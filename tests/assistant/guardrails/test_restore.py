"""StreamRestorer: placeholders split across streamed deltas still come back whole."""

from __future__ import annotations

from assistant.guardrails.restore import StreamRestorer


def restore(text: str) -> str:
    return text.replace("[EMAIL_1]", "ada@example.org")


def streamed(deltas: list[str]) -> list[str]:
    restorer = StreamRestorer(restore)
    shown = [restorer.feed(delta) for delta in deltas]
    return [*shown, restorer.flush()]


def test_a_placeholder_split_over_deltas_is_held_back_then_restored() -> None:
    shown = streamed(["Write to [EM", "AIL", "_1] today."])
    assert shown == ["Write to ", "", "ada@example.org today.", ""]


def test_a_bracket_that_cannot_be_a_placeholder_is_released_at_once() -> None:
    long_text = "[" + "not a placeholder, just a long aside " * 2
    assert streamed([long_text]) == [long_text, ""]


def test_an_unclosed_bracket_at_the_end_is_flushed() -> None:
    assert streamed(["See [1", ""]) == ["See ", "", "[1"]
    assert "".join(streamed(["mail [EMAIL_1", "]"])) == "mail ada@example.org"
