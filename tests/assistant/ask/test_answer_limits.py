"""How long an answer may be, and why it stopped short."""

from __future__ import annotations

import pytest

from assistant.ask.answer_limits import (
    answer_limit,
    answer_reserve,
    describe_truncation,
    truncation_of,
)


def test_the_answer_gets_the_room_the_prompt_leaves_unless_a_ceiling_is_set() -> None:
    assert answer_limit(2048, 1500, 0) == 548
    assert answer_limit(2048, 1500, 256) == 256
    assert answer_limit(2048, 2100, 0) == 16  # a prompt that fills the context still asks


def test_the_prompt_leaves_a_quarter_of_the_context_at_most_1024() -> None:
    assert answer_reserve(2048, 0) == 512
    assert answer_reserve(32768, 0) == 1024
    assert answer_reserve(2048, 100) == 100


@pytest.mark.parametrize(
    ("finish", "given", "limit", "ceiling", "expected"),
    [
        ("stop", 500, 500, 0, None),
        ("cancelled", 500, 500, 0, "cancelled"),
        ("repetition", 500, 500, 512, "repetition"),
        ("length", 500, 500, 0, "context"),
        ("length", 256, 256, 256, "max_tokens"),
        ("length", 100, 256, 256, "budget"),
        ("length", 200, 200, 256, "context"),
    ],
)
def test_why_an_answer_stopped_short(
    finish: str, given: int, limit: int, ceiling: int, expected: str | None
) -> None:
    assert truncation_of(finish, given=given, limit=limit, ceiling=ceiling) == expected  # type: ignore[arg-type]


def test_each_reason_is_said_in_words_with_what_to_change() -> None:
    assert "ask.max_tokens" in describe_truncation("max_tokens", 256)
    assert "budget.request_usd" in describe_truncation("budget", 1_200)
    assert "1,200" in describe_truncation("budget", 1_200)
    assert "context" in describe_truncation("context", 300)
    assert describe_truncation("cancelled", 3).startswith("Stopped")
    assert "repeating itself" in describe_truncation("repetition", 512)


@pytest.mark.parametrize("ceiling", [512, 300])
def test_the_max_tokens_message_is_true_with_or_without_a_setting(ceiling: int) -> None:
    said = describe_truncation("max_tokens", ceiling)
    assert said.startswith(f"Cut off at {ceiling} tokens, the limit ask.max_tokens sets")
    assert "(512 by default; set it in config.toml" in said
