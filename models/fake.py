"""A deterministic chat model for tests: scripted replies streamed word by word, exact usage.

    model = ScriptedModel(["First reply.", "Second reply."])       # one reply per call, in turn
    model = ScriptedModel(lambda messages: messages[-1].content)   # or a function of the prompt
    model = ScriptedModel(["slow"], delay_s=0.05)                  # a pause before every word
    model = ScriptedModel(["Half an answer"], fail_after=2, error=RemoteModelError("boom"))
    # fail_after=N raises `error` after N words have streamed (N below the word count)

Tokens are whitespace-separated words, so counts are easy to predict in assertions.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Sequence

from models.base import (
    ChatModel,
    FinishReason,
    GenerationOptions,
    Message,
    Pricing,
    StreamEnd,
    Usage,
)
from models.errors import ModelError

Reply = Callable[[Sequence[Message]], str]


class ScriptedModel(ChatModel):
    def __init__(
        self,
        replies: Sequence[str] | Reply = ("OK",),
        *,
        profile: str = "fake",
        is_remote: bool = False,
        pricing: Pricing | None = None,
        context_tokens: int = 4096,
        delay_s: float = 0.0,
        fail_after: int | None = None,
        error: ModelError | None = None,
    ):
        self.profile = profile
        self.model_id = "scripted"
        self.is_remote = is_remote
        self.context_tokens = context_tokens
        self.pricing = pricing or Pricing()
        self._replies = replies
        self._delay_s = delay_s
        self._fail_after = fail_after
        self._error = error or ModelError(f"Model profile {profile!r} failed (scripted).")
        self.calls: list[list[Message]] = []

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def _next_reply(self, messages: list[Message]) -> str:
        if callable(self._replies):
            return self._replies(messages)
        return self._replies[(len(self.calls) - 1) % len(self._replies)]

    def _generate(
        self, messages: list[Message], options: GenerationOptions, cancel: threading.Event
    ) -> Iterator[str | StreamEnd]:
        self.calls.append(list(messages))
        words = re.findall(r"\s*\S+", self._next_reply(messages))
        sent: list[str] = []
        finish: FinishReason = "stop"
        for index, word in enumerate(words):
            if index == self._fail_after:
                raise self._error
            if index == options.max_tokens:
                finish = "length"
                break
            if cancel.wait(self._delay_s) if self._delay_s else cancel.is_set():
                break
            if any(stop in "".join([*sent, word]) for stop in options.stop):
                break
            sent.append(word)
            yield word
        yield StreamEnd(
            usage=Usage(
                prompt_tokens=self.count_message_tokens(messages),
                completion_tokens=len(sent),
                estimated=False,
            ),
            finish_reason=finish,
        )
