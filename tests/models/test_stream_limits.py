"""The token cap and the usage check of every chat stream (models.stream_limits)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from models.base import ChatModel, GenerationOptions, Message, Pricing, StreamEnd, Usage
from models.stream_limits import LENIENT_BYTES_PER_TOKEN, TokenCap, implausible_usage


def test_one_token_per_event_is_cut_after_the_cap() -> None:
    cap = TokenCap(3)
    assert [cap.admit(word) for word in ["a ", "b ", "c ", "d ", "e "]] == [
        "a ",
        "b ",
        "c ",
        "",
        "",
    ]
    assert cap.cut and cap.received_bytes == 10


def test_a_huge_event_is_cut_at_the_lenient_byte_count() -> None:
    cap = TokenCap(10)
    kept = cap.admit("é" * 100)  # two bytes each: never cut inside a character
    assert cap.cut and len(kept.encode()) <= 10 * LENIENT_BYTES_PER_TOKEN and set(kept) == {"é"}


def test_an_answer_that_ends_at_the_cap_is_not_flagged() -> None:
    cap = TokenCap(3)
    assert "".join(cap.admit(w) for w in ["one ", "two ", "three"]) == "one two three"
    assert not cap.cut


@pytest.mark.parametrize(
    ("prompt", "completion", "problem"),
    [
        (-5_000_000, 12, "prompt_tokens = -5000000"),
        (True, 12, "prompt_tokens = True"),
        (400, -1, "completion_tokens = -1"),
        (0, 12, "prompt_tokens = 0 for a prompt of 2,000 bytes"),
        (10**9, 12, "prompt_tokens = 1,000,000,000"),
        (400, 10**12, "completion_tokens = 1,000,000,000,000"),
        (400, 0, "completion_tokens = 0 for an answer of 1,000 bytes"),
    ],
)
def test_impossible_usage_is_named(prompt: object, completion: object, problem: str) -> None:
    found = implausible_usage(
        prompt, completion, prompt_bytes=2000, messages=3, answer_bytes=1000, max_tokens=256
    )
    assert found is not None and found.startswith(problem)


@pytest.mark.parametrize(
    ("prompt", "completion"), [(500, 250), (2100, 256), (84, 42), (400, 256 + 64)]
)
def test_possible_usage_is_kept(prompt: int, completion: int) -> None:
    assert (
        implausible_usage(
            prompt, completion, prompt_bytes=2000, messages=3, answer_bytes=1000, max_tokens=256
        )
        is None
    )


class Liar(ChatModel):
    """A backend that streams `words` and reports `usage`, whatever max_tokens says."""

    profile, model_id, is_remote, context_tokens = "liar", "liar", True, 4096

    def __init__(self, words: int, usage: Usage | None) -> None:
        self.pricing = Pricing(1.0, 2.0)
        self._words, self._usage = words, usage
        self.pulled = 0

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def _generate(
        self, messages: list[Message], options: GenerationOptions, cancel: threading.Event
    ) -> Iterator[str | StreamEnd]:
        for _ in range(self._words):
            self.pulled += 1
            yield "word "
        yield StreamEnd(self._usage)


def test_a_stream_stops_reading_past_the_cap_and_says_so() -> None:
    model = Liar(3000, Usage(20, 3000, estimated=False))
    completion = model.stream([Message("user", "hi")], GenerationOptions(max_tokens=5)).complete()
    assert completion.text == "word " * 5 and model.pulled == 6
    assert completion.finish_reason == "length" and completion.usage.estimated
    assert [note.kind for note in completion.notes] == ["stream.capped"]


def test_a_stream_rejects_impossible_usage_and_prices_its_estimate() -> None:
    model = Liar(3, Usage(-5_000_000, 3, estimated=False))
    completion = model.stream([Message("user", "a question")]).complete()
    assert completion.usage == Usage(6, 3, estimated=True) and completion.cost_usd > 0
    assert [note.kind for note in completion.notes] == ["usage.rejected"]
