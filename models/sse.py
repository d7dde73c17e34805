"""Reading a chat-completions answer: the server-sent events of a stream, and usage figures."""

from __future__ import annotations

import json
from typing import Any

from models.base import FinishReason, Usage


class StreamEventError(Exception):
    """The server sent an error event in the middle of a stream."""


class SSEReader:
    """Feed it the lines of an event stream; it returns text deltas and keeps usage and the end."""

    def __init__(self) -> None:
        self.done = False  # saw `data: [DONE]`
        self.usage: Usage | None = None
        self.finish_reason: FinishReason = "stop"
        self._saw_finish = False

    @property
    def finished(self) -> bool:
        """The stream reached its end properly (a finish reason or [DONE]), not a cut."""
        return self.done or self._saw_finish

    def feed(self, line: str) -> list[str]:
        if not line.startswith("data:"):
            return []  # blank separators, comments (": ping"), `event:` and `id:` fields
        data = line[len("data:") :].strip()
        if data == "[DONE]":
            self.done = True
            return []
        event = json.loads(data)
        if not isinstance(event, dict):
            raise ValueError("an event is not a JSON object")
        if event.get("error"):
            error = event["error"]
            message = error.get("message") if isinstance(error, dict) else error
            raise StreamEventError(str(message))
        self.usage = parse_usage(event) or self.usage
        deltas: list[str] = []
        choices = event.get("choices") or []
        if not isinstance(choices, list) or not all(isinstance(c, dict) for c in choices):
            raise ValueError("`choices` is not a list of objects")
        for choice in choices:
            delta = choice.get("delta") or {}
            content = delta.get("content") if isinstance(delta, dict) else None
            if isinstance(content, str) and content:
                deltas.append(content)
            if choice.get("finish_reason"):
                self._saw_finish = True
                self.finish_reason = "length" if choice["finish_reason"] == "length" else "stop"
        return deltas


def parse_usage(payload: dict[str, Any]) -> Usage | None:
    """The `usage` a server reported, or None when it sent none (or nonsense)."""
    usage = payload.get("usage")
    if not isinstance(usage, dict):
        return None
    prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
    if not isinstance(prompt, int) or not isinstance(completion, int):
        return None
    return Usage(prompt_tokens=prompt, completion_tokens=completion, estimated=False)


def parse_answer(payload: Any) -> tuple[str, FinishReason]:
    """Text and finish reason of a whole (non-streamed) chat completion."""
    try:
        choice = payload["choices"][0]
        text = choice["message"].get("content") or ""
    except (KeyError, IndexError, TypeError, AttributeError):
        raise ValueError("no choices[0].message in the answer") from None
    if not isinstance(text, str):
        raise ValueError("choices[0].message.content is not text")
    return text, "length" if choice.get("finish_reason") == "length" else "stop"
