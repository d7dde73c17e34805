"""Any OpenAI-compatible `/v1/chat/completions` endpoint over httpx: a cloud API, llama.cpp's
server, vLLM, Ollama. Only `base_url` differs between them.

Streams server-sent events with `stream_options.include_usage` and falls back to one JSON
answer when a server refuses streaming. Retries rate limits, server errors and dropped
connections (bounded by `RetryPolicy`); never retries a request the server judged wrong, nor a
read timeout (the server may still be working on it). Every failure is one `RemoteModelError`
naming the profile, the URL, what happened and what to do, with the key masked out.
"""

from __future__ import annotations

import json
import logging
import math
import random
import threading
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from models.base import ChatModel, GenerationOptions, Message, Pricing, StreamEnd
from models.errors import RemoteModelError
from models.retry import RetryPolicy, is_retryable_status, parse_retry_after
from models.sse import SSEReader, StreamEventError, parse_answer, parse_usage

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("margin.models")

# Conservative: English runs about 4 UTF-8 bytes per token, code and other scripts fewer.
BYTES_PER_TOKEN_ESTIMATE = 3
MESSAGE_OVERHEAD_ESTIMATE = 8  # role markers and separators a template adds per message


class _StreamingRefused(Exception):
    """The server answered a streaming request with an error that blames `stream`."""


class _Failed(Exception):
    """One attempt failed; `retryable` says whether another attempt may help."""

    def __init__(self, what: str, todo: str, *, retryable: bool, retry_after: float | None = None):
        super().__init__(what)
        self.what, self.todo, self.retryable, self.retry_after = what, todo, retryable, retry_after


class OpenAICompatibleModel(ChatModel):
    is_remote = True

    def __init__(
        self,
        profile_name: str,
        base_url: str,
        model: str,
        *,
        api_key: str | None,
        connect_timeout_s: float = 5.0,
        read_timeout_s: float = 60.0,
        max_retries: int = 3,
        retry_budget_s: float = 30.0,
        pricing: Pricing | None = None,
        context_tokens: int = 4096,
        stream: bool = True,
        backoff_s: float = 0.5,
        rng: random.Random | None = None,
    ):
        self.profile = profile_name
        self.base_url = base_url.rstrip("/")
        self.url = self.endpoint = f"{self.base_url}/chat/completions"
        self.model_id = model
        self.context_tokens = context_tokens
        self.pricing = pricing or Pricing()
        self._api_key = api_key
        self._connect_timeout_s = connect_timeout_s
        self._read_timeout_s = read_timeout_s
        self._policy = RetryPolicy(max_retries, retry_budget_s, backoff_s)
        self._rng = rng or random.Random()
        self._streaming = stream
        self._client: httpx.Client | None = None
        self._client_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"OpenAICompatibleModel({self.profile!r}, {self.base_url!r}, {self.model_id!r})"

    def count_tokens(self, text: str) -> int:
        return math.ceil(len(text.encode("utf-8")) / BYTES_PER_TOKEN_ESTIMATE)

    def count_message_tokens(self, messages: Sequence[Message]) -> int:
        body = sum(self.count_tokens(m.content) + MESSAGE_OVERHEAD_ESTIMATE for m in messages)
        return body + MESSAGE_OVERHEAD_ESTIMATE  # the reply's opening markers

    def close(self) -> None:
        with self._client_lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def _generate(
        self, messages: list[Message], options: GenerationOptions, cancel: threading.Event
    ) -> Iterator[str | StreamEnd]:
        body: dict[str, Any] = {
            "model": self.model_id,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "max_tokens": options.max_tokens,
            "temperature": options.temperature,
        }
        if options.stop:
            body["stop"] = list(options.stop)
        if self._streaming:
            streaming = {**body, "stream": True, "stream_options": {"include_usage": True}}
            try:
                response = self._send(streaming, cancel)
            except _StreamingRefused:
                log.info(
                    "%s: %s refused streaming; asking for whole answers", self.profile, self.url
                )
                self._streaming = False
            else:
                if response is not None:
                    yield from self._read(response, cancel)
                return
        response = self._send(body, cancel)
        if response is not None:
            yield from self._read(response, cancel)

    def _http(self) -> httpx.Client:
        import httpx

        with self._client_lock:
            if self._client is None:
                timeout = httpx.Timeout(self._read_timeout_s, connect=self._connect_timeout_s)
                headers = {"Accept": "text/event-stream, application/json"}
                if self._api_key:
                    headers["Authorization"] = f"Bearer {self._api_key}"
                self._client = httpx.Client(timeout=timeout, headers=headers)
            return self._client

    def _send(self, body: dict[str, Any], cancel: threading.Event) -> httpx.Response | None:
        """POST with retries; the response is open for reading. None when cancelled."""
        started = time.monotonic()
        attempts = 0
        while True:
            attempts += 1
            try:
                return self._attempt(body)
            except _Failed as failure:
                if not failure.retryable:
                    raise self._error(failure.what, failure.todo) from None
                if attempts > self._policy.max_retries:
                    raise self._error(
                        f"{failure.what}, on all {attempts} attempts", failure.todo
                    ) from None
                wait = self._policy.delay(attempts - 1, failure.retry_after, self._rng)
                if time.monotonic() - started + wait > self._policy.budget_s:
                    raise self._error(
                        f"{failure.what}; gave up after {_attempts(attempts)} because waiting "
                        f"{wait:.1f} s more would pass the retry budget of "
                        f"{self._policy.budget_s:g} s",
                        failure.todo,
                    ) from None
                log.info("%s: %s; retrying in %.2f s", self.profile, failure.what, wait)
                if cancel.wait(wait):
                    return None

    def _attempt(self, body: dict[str, Any]) -> httpx.Response:
        import httpx

        client = self._http()
        try:
            response = client.send(client.build_request("POST", self.url, json=body), stream=True)
        except httpx.ConnectTimeout:
            raise _Failed(
                f"no connection within {self._connect_timeout_s:g} s", _CHECK_SERVER, retryable=True
            ) from None
        except httpx.ReadTimeout:
            raise _Failed(
                f"no answer within {self._read_timeout_s:g} s (read timeout)",
                f"The server may be overloaded: try again, or raise read_timeout_s in "
                f"[models.{self.profile}].",
                retryable=False,
            ) from None
        except httpx.HTTPError as exc:
            raise _Failed(
                f"the connection failed ({type(exc).__name__}: {self._clean(str(exc))})",
                _CHECK_SERVER,
                retryable=True,
            ) from None
        if response.status_code < 400:
            return response
        try:
            detail = self._clean(_error_detail(response.read()))
        except httpx.HTTPError:
            detail = ""
        finally:
            response.close()
        status = response.status_code
        if body.get("stream") and status in (400, 422) and "stream" in detail.lower():
            raise _StreamingRefused
        what = f"HTTP {status}" + (f": {detail}" if detail else "")
        raise _Failed(
            what,
            self._advice(status),
            retryable=is_retryable_status(status),
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )

    def _advice(self, status: int) -> str:
        if status in (401, 403):
            return (
                f"The server refused the API key: check the key with `margin keys set "
                f"{self.profile}`, or the variable named by key_env in [models.{self.profile}]."
            )
        if status == 404:
            return f"Check base_url (usually ending in /v1) and model = {self.model_id!r}."
        if status == 429:
            return "The server is rate limiting: wait a minute, or check your plan's limits."
        if status >= 500:
            return "The server is failing: try again later, or ask with --model local."
        return f"Check the settings of [models.{self.profile}] in config.toml."

    def _read(self, response: httpx.Response, cancel: threading.Event) -> Iterator[str | StreamEnd]:
        """Deltas from an event stream, or the one answer of a JSON body."""
        import httpx

        try:
            if "text/event-stream" not in response.headers.get("content-type", ""):
                yield from self._read_whole(response)
                return
            reader = SSEReader()
            for line in response.iter_lines():
                yield from reader.feed(line)
                if cancel.is_set() or reader.done:
                    break
            if not cancel.is_set() and not reader.finished:
                raise self._error(
                    "the answer stream ended early, before its final event",
                    "The connection was cut or the server crashed mid-answer: try again.",
                )
            yield StreamEnd(reader.usage, reader.finish_reason)
        except httpx.ReadTimeout:
            raise self._error(
                f"the server went silent for {self._read_timeout_s:g} s mid-answer",
                f"Try again, or raise read_timeout_s in [models.{self.profile}].",
            ) from None
        except httpx.HTTPError as exc:
            raise self._error(
                f"the connection dropped mid-answer ({type(exc).__name__})",
                "Try again; if it keeps happening, check your network or the server.",
            ) from None
        except StreamEventError as exc:
            raise self._error(
                f"the server reported an error mid-answer: {self._clean(str(exc))}",
                "Try again; if it keeps happening, check the server's logs or status page.",
            ) from None
        except ValueError as exc:
            raise self._error(
                f"it answered with something that is not OpenAI-compatible JSON ({exc})",
                "Check that base_url points at an OpenAI-compatible /v1 endpoint.",
            ) from None
        finally:
            response.close()

    def _read_whole(self, response: httpx.Response) -> Iterator[str | StreamEnd]:
        payload = json.loads(response.read())
        text, reason = parse_answer(payload)
        if text:
            yield text
        yield StreamEnd(parse_usage(payload), reason)

    def _clean(self, text: str) -> str:
        """Server text for a message: one line, short, and never the key."""
        if self._api_key:
            text = text.replace(self._api_key, "[key]")
        return " ".join(text.split())[:300]

    def _error(self, what: str, todo: str) -> RemoteModelError:
        return RemoteModelError(f"Model profile {self.profile!r} ({self.url}): {what}. {todo}")


def _attempts(count: int) -> str:
    return "1 attempt" if count == 1 else f"{count} attempts"


_CHECK_SERVER = "Check that the server is running and base_url is right, and your network."


def _error_detail(raw: bytes) -> str:
    """The `error.message` of an OpenAI-style error body, else the start of the body."""
    text = raw.decode("utf-8", errors="replace")
    try:
        payload = json.loads(text)
    except ValueError:
        return text[:200]
    error = payload.get("error") if isinstance(payload, dict) else None
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])
    if isinstance(error, str):
        return error
    detail = payload.get("detail") if isinstance(payload, dict) else None
    return json.dumps(detail)[:200] if detail else text[:200]
