"""OpenAI-compatible HTTP: a real llama-cpp-python server on loopback, and a scripted server
for the failures a real one will not produce on demand."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import pytest

from models.base import GenerationOptions, Message, Pricing
from models.errors import RemoteModelError
from models.llama_cpp import LlamaCppModel
from models.openai_compat import OpenAICompatibleModel
from tests.fixtures.models import FlakyServer, Step, chat_reply, free_port

QUESTION = [Message("system", "Answer briefly."), Message("user", "Name a colour.")]
SHORT = GenerationOptions(max_tokens=16, temperature=0.0)
Start = Callable[..., FlakyServer]


def remote(base_url: str, **settings: object) -> OpenAICompatibleModel:
    options: dict[str, object] = {
        "api_key": None,
        "max_retries": 2,
        "retry_budget_s": 10.0,
        "backoff_s": 0.01,
        "read_timeout_s": 30.0,
    }
    options.update(settings)
    return OpenAICompatibleModel("work", base_url, "test-model", **options)  # type: ignore[arg-type]


# --- the real server ---------------------------------------------------------------------


@pytest.mark.slow
def test_streams_from_llama_cpp_server(llama_server: str, local_model: LlamaCppModel) -> None:
    model = remote(llama_server, pricing=Pricing(1.0, 2.0))
    stream = model.stream(QUESTION, SHORT)
    deltas = list(stream)
    completion = stream.completion
    assert completion is not None
    assert len(deltas) > 1 and "".join(deltas) == completion.text
    assert completion.ttft_s is not None
    # llama-cpp-python's server sends no usage in streams: margin's estimate stands, and it is
    # conservative (at least the exact count of the same template and tokenizer).
    assert completion.usage.estimated is True
    assert completion.usage.prompt_tokens >= local_model.count_message_tokens(QUESTION)
    model.close()


@pytest.mark.slow
def test_reported_usage_and_cost_from_llama_cpp_server(
    llama_server: str, local_model: LlamaCppModel
) -> None:
    model = remote(llama_server, pricing=Pricing(1.0, 2.0), stream=False)
    completion = model.stream(QUESTION, SHORT).complete()
    assert completion.text
    assert completion.usage.estimated is False
    assert completion.usage.prompt_tokens == local_model.count_message_tokens(QUESTION)
    assert 0 < completion.usage.completion_tokens <= SHORT.max_tokens
    expected = (
        completion.usage.prompt_tokens * 1.0 + completion.usage.completion_tokens * 2.0
    ) / 1e6
    assert completion.cost_usd == pytest.approx(expected)
    model.close()


@pytest.mark.slow
def test_wrong_base_url_says_check_base_url(llama_server: str) -> None:
    model = remote(llama_server.removesuffix("/v1"))
    with pytest.raises(RemoteModelError) as caught:
        model.stream(QUESTION, SHORT).complete()
    message = str(caught.value)
    assert message.startswith(f"Model profile 'work' ({model.url}): HTTP 404")
    assert "Check base_url" in message


def test_nothing_listening_retries_then_says_so() -> None:
    model = remote(f"http://127.0.0.1:{free_port()}/v1")
    with pytest.raises(RemoteModelError) as caught:
        model.stream(QUESTION).complete()
    message = str(caught.value)
    assert "the connection failed (ConnectError" in message
    assert "on all 3 attempts" in message
    assert "Check that the server is running and base_url is right" in message


# --- the scripted server -----------------------------------------------------------------


def test_streamed_usage_replaces_the_estimate(flaky_server: Start) -> None:
    server = flaky_server(Step.stream(["Blue", " it", " is."], usage=(21, 3)))
    model = remote(server.base_url, api_key="sk-test-123", pricing=Pricing(2.0, 4.0))
    estimate = model.count_message_tokens(QUESTION)
    completion = model.stream(QUESTION, SHORT).complete()
    assert completion.text == "Blue it is."
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (21, 3)
    assert completion.usage.estimated is False
    assert estimate > 21
    assert completion.cost_usd == pytest.approx((21 * 2.0 + 3 * 4.0) / 1e6)
    sent = server.requests[0]
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    assert sent["max_tokens"] == 16 and sent["model"] == "test-model"
    assert server.headers[0]["Authorization"] == "Bearer sk-test-123"


def test_no_key_sends_no_authorization(flaky_server: Start) -> None:
    server = flaky_server(Step.stream(["Hi"]))
    remote(server.base_url).stream(QUESTION).complete()
    assert "Authorization" not in server.headers[0]


def test_429_waits_for_retry_after_then_succeeds(
    flaky_server: Start, caplog: pytest.LogCaptureFixture
) -> None:
    server = flaky_server(Step.status(429, "slow down", {"Retry-After": "1"}), Step.stream(["Ok"]))
    with caplog.at_level(logging.INFO, logger="margin.models"):
        completion = remote(server.base_url).stream(QUESTION).complete()
    assert completion.text == "Ok"
    assert len(server.requests) == 2
    assert "HTTP 429: slow down; retrying in 1.00 s" in caplog.text


def test_500_then_success(flaky_server: Start) -> None:
    server = flaky_server(Step.status(500), Step.stream(["Fine"]))
    assert remote(server.base_url).stream(QUESTION).complete().text == "Fine"
    assert len(server.requests) == 2


def test_500_forever_gives_up_after_the_retries(flaky_server: Start) -> None:
    server = flaky_server(Step.status(500, "internal trouble"))
    model = remote(server.base_url, max_retries=2)
    with pytest.raises(RemoteModelError) as caught:
        model.stream(QUESTION).complete()
    assert len(server.requests) == 3
    assert str(caught.value) == (
        f"Model profile 'work' ({server.base_url}/chat/completions): HTTP 500: internal trouble, "
        "on all 3 attempts. The server is failing: try again later, or ask with --model local."
    )


def test_retry_after_beyond_the_budget_gives_up_at_once(flaky_server: Start) -> None:
    server = flaky_server(Step.status(503, "maintenance", {"Retry-After": "120"}))
    with pytest.raises(RemoteModelError) as caught:
        remote(server.base_url).stream(QUESTION).complete()
    assert "HTTP 503: maintenance; gave up after 1 attempt because waiting 120.0 s more would " in (
        str(caught.value)
    )
    assert "pass the retry budget of 10 s" in str(caught.value)
    assert len(server.requests) == 1


def test_hang_past_the_read_timeout_is_not_retried(flaky_server: Start) -> None:
    server = flaky_server(Step.hang())
    with pytest.raises(RemoteModelError) as caught:
        remote(server.base_url, read_timeout_s=0.5).stream(QUESTION).complete()
    assert len(server.requests) == 1
    assert "no answer within 0.5 s (read timeout)" in str(caught.value)
    assert "raise read_timeout_s in [models.work]" in str(caught.value)


def test_dropped_stream_keeps_the_text_so_far_and_says_so(flaky_server: Start) -> None:
    server = flaky_server(Step.stream(["One", " two", " three"], cut_after=2))
    stream = remote(server.base_url).stream(QUESTION)
    received: list[str] = []
    with pytest.raises(RemoteModelError, match="the answer stream ended early"):
        for delta in stream:
            received.append(delta)
    assert received == ["One", " two"]
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"{not json", "application/json"), (b"data: {oops\n\n", "text/event-stream")],
)
def test_malformed_json_is_one_clear_error(
    flaky_server: Start, body: bytes, content_type: str
) -> None:
    server = flaky_server(Step.raw(body, content_type))
    with pytest.raises(RemoteModelError) as caught:
        remote(server.base_url).stream(QUESTION).complete()
    assert "not OpenAI-compatible JSON" in str(caught.value)
    assert "Check that base_url points at an OpenAI-compatible /v1 endpoint" in str(caught.value)
    assert len(server.requests) == 1


def test_401_is_not_retried_and_never_shows_the_key(flaky_server: Start) -> None:
    key = "sk-live-very-secret-42"
    server = flaky_server(Step.status(401, f"Incorrect API key provided: {key}"))
    with pytest.raises(RemoteModelError) as caught:
        remote(server.base_url, api_key=key).stream(QUESTION).complete()
    message = str(caught.value)
    assert len(server.requests) == 1
    assert key not in message and key not in repr(caught.value)
    assert "HTTP 401: Incorrect API key provided: [key]" in message
    assert "check the key with `margin keys set work`" in message


def test_falls_back_to_whole_answers_when_streaming_is_refused(flaky_server: Start) -> None:
    server = flaky_server(
        Step.status(400, "stream is not supported"), Step.json(chat_reply("Whole answer", (7, 3)))
    )
    model = remote(server.base_url)
    completion = model.stream(QUESTION).complete()
    assert completion.text == "Whole answer"
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (7, 3)
    assert completion.usage.estimated is False
    model.stream(QUESTION).complete()
    assert [r.get("stream", False) for r in server.requests] == [True, False, False]


def test_cancel_closes_the_stream(flaky_server: Start) -> None:
    server = flaky_server(Step.stream([f" w{i}" for i in range(200)], gap_s=0.02))
    stream = remote(server.base_url).stream(QUESTION)
    first = next(stream)
    canceller = threading.Thread(target=stream.cancel)
    canceller.start()
    canceller.join()
    completion = stream.complete()
    assert first == " w0"
    assert completion.finish_reason == "cancelled"
    assert len(completion.text.split()) < 10
    assert server.handled.wait(30)  # the server could not keep writing: the client hung up
    assert server.chunks_sent < 200


def test_a_server_streaming_a_loop_is_hung_up_on(flaky_server: Start) -> None:
    intro = ["Keys", " live", " in", " the", " keyring."]
    loop = [" It", " is", " locked", " until", " you", " log", " in."] * 30
    server = flaky_server(Step.stream(intro + loop, usage=(40, 215), gap_s=0.005))
    completion = remote(server.base_url).stream(QUESTION).complete()
    assert completion.finish_reason == "repetition" and completion.repetition is not None
    assert completion.text[: completion.repetition.repeats_at] == (
        "Keys live in the keyring. It is locked until you log in. "
    )
    assert completion.usage.estimated  # the server's usage never came: margin counted
    assert server.handled.wait(30) and server.chunks_sent < len(intro + loop)
