"""ScriptedModel and the ChatStream measurements every backend shares."""

from __future__ import annotations

import threading

import pytest

from models.base import GenerationOptions, Message, Pricing
from models.errors import RemoteModelError
from models.fake import ScriptedModel

QUESTION = [Message("system", "Be brief."), Message("user", "What is margin?")]


def test_streams_scripted_replies_word_by_word_with_exact_usage() -> None:
    model = ScriptedModel(["A local assistant.", "Second."], pricing=Pricing(1_000_000, 2_000_000))
    stream = model.stream(QUESTION)
    assert list(stream) == ["A", " local", " assistant."]
    completion = stream.completion
    assert completion is not None
    assert completion.text == "A local assistant."
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (
        13,
        3,
    )  # words + 4 per message
    assert completion.cost_usd == pytest.approx(13 * 1 + 3 * 2)
    assert completion.finish_reason == "stop"
    assert completion.ttft_s is not None and completion.ttft_s <= completion.total_s
    assert model.stream(QUESTION).complete().text == "Second."
    assert model.calls[0] == QUESTION


def test_reply_function_max_tokens_and_stop() -> None:
    model = ScriptedModel(lambda messages: "echo: " + messages[-1].content)
    assert model.stream(QUESTION).complete().text == "echo: What is margin?"
    short = model.stream(QUESTION, GenerationOptions(max_tokens=2)).complete()
    assert (short.text, short.finish_reason) == ("echo: What", "length")
    stopped = model.stream(QUESTION, GenerationOptions(stop=("margin",))).complete()
    assert (stopped.text, stopped.finish_reason) == ("echo: What is", "stop")


def test_cancel_from_another_thread_stops_a_slow_reply() -> None:
    model = ScriptedModel([" ".join(["word"] * 100)], delay_s=0.01)
    stream = model.stream(QUESTION)
    first = next(stream)
    canceller = threading.Thread(target=stream.cancel)
    canceller.start()
    canceller.join()
    completion = stream.complete()
    assert first == "word"
    assert completion.finish_reason == "cancelled"
    assert completion.usage.completion_tokens < 5


def test_scripted_failure_mid_stream() -> None:
    model = ScriptedModel(["one two three"], fail_after=2, error=RemoteModelError("gone"))
    stream = model.stream(QUESTION)
    assert [next(stream), next(stream)] == ["one", " two"]
    with pytest.raises(RemoteModelError, match="gone"):
        next(stream)
