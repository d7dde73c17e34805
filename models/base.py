"""The one chat-model interface: stream text deltas, then report usage, cost and timings.

A backend implements `count_tokens` and `_generate`; `ChatModel.stream` wraps the backend's
generator in a `ChatStream`, which measures time to first token and total time on a monotonic
clock, fills in usage the backend did not report, prices it, and lets any thread cancel. It
stops reading at max_tokens, and when the model repeats itself (`models.repetition`), local
and remote alike.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from models.repetition import Repetition, RepetitionStop
from models.stream_limits import StreamNote, TokenCap, implausible_usage

Role = Literal["system", "user", "assistant"]
# "repetition": margin stopped a model that was writing the same words over and over
FinishReason = Literal["stop", "length", "cancelled", "repetition"]

# Tokens a chat template adds around each message (role markers, separators).
MESSAGE_OVERHEAD_TOKENS = 4


@dataclass(frozen=True, slots=True)
class Message:
    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class GenerationOptions:
    max_tokens: int = 512
    temperature: float = 0.2
    stop: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int
    estimated: bool  # False when exact: reported by the server, or counted by a local tokenizer


@dataclass(frozen=True, slots=True)
class Pricing:
    input_usd_per_mtok: float = 0.0
    output_usd_per_mtok: float = 0.0

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (
            prompt_tokens * self.input_usd_per_mtok + completion_tokens * self.output_usd_per_mtok
        ) / 1_000_000


@dataclass(frozen=True, slots=True)
class StreamEnd:
    """The last item a backend yields: usage if the model reported it, and why it stopped."""

    usage: Usage | None
    finish_reason: FinishReason = "stop"


@dataclass(frozen=True, slots=True)
class Completion:
    """A finished generation, measured."""

    text: str
    usage: Usage
    cost_usd: float
    ttft_s: float | None  # None when no token came
    total_s: float
    finish_reason: FinishReason
    notes: tuple[StreamNote, ...] = ()  # what the server did wrong: ignored max_tokens, ...
    repetition: Repetition | None = None  # the loop the stream was stopped in, if it was


class ChatStream:
    """Iterate for text deltas; read `completion` once iteration ends; `cancel()` from anywhere."""

    def __init__(self, model: ChatModel, messages: Sequence[Message], options: GenerationOptions):
        self._model = model
        self._messages = list(messages)
        self._cancel = threading.Event()
        self._parts: list[str] = []
        self._started = time.monotonic()
        self._ttft: float | None = None
        self._end: StreamEnd | None = None
        self._cap = TokenCap(options.max_tokens)
        self._loop = RepetitionStop()
        self.completion: Completion | None = None
        self._deltas = model._generate(self._messages, options, self._cancel)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        if self.completion is not None:
            raise StopIteration
        stopped = self._cap.cut or self._loop.found is not None
        for item in self._deltas if not stopped else ():
            if isinstance(item, StreamEnd):
                self._end = item
                continue
            if not item:
                continue
            if self._cancel.is_set():  # the text is what the reader was given, nothing more
                break
            item = self._cap.admit(item)
            if not item:  # past max_tokens: stop reading; closing the stream hangs up
                break
            if self._ttft is None:
                self._ttft = time.monotonic() - self._started
            self._parts.append(item)
            self._loop.feed(item)  # a loop found: this delta is the last one read
            return item
        self._finish()
        raise StopIteration

    def _finish(self) -> None:
        close = getattr(self._deltas, "close", None)
        if close is not None:
            close()
        text = "".join(self._parts)
        end = self._end or StreamEnd(usage=None)
        reason: FinishReason = "cancelled" if self._cancel.is_set() else end.finish_reason
        notes: list[StreamNote] = []
        if self._cap.cut:
            reason = "length"
            notes.append(self._cap.note())
        if self._loop.found is not None and reason != "cancelled":
            reason = "repetition"
        usage = end.usage
        problem = None if usage is None else self._implausible(usage)
        if problem is not None:
            notes.append(
                StreamNote(
                    "usage.rejected",
                    f"the server reported impossible usage ({problem}); margin counted its "
                    "own estimate instead",
                )
            )
        if usage is None or problem is not None:
            usage = Usage(
                prompt_tokens=self._model.count_message_tokens(self._messages),
                completion_tokens=self._model.count_tokens(text) if text else 0,
                estimated=True,
            )
        self.completion = Completion(
            text=text,
            usage=usage,
            cost_usd=self._model.pricing.cost(usage.prompt_tokens, usage.completion_tokens),
            ttft_s=self._ttft,
            total_s=time.monotonic() - self._started,
            finish_reason=reason,
            notes=tuple(notes),
            repetition=self._loop.found if reason == "repetition" else None,
        )

    def _implausible(self, usage: Usage) -> str | None:
        return implausible_usage(
            usage.prompt_tokens,
            usage.completion_tokens,
            prompt_bytes=sum(len(m.content.encode("utf-8")) for m in self._messages),
            messages=len(self._messages),
            answer_bytes=self._cap.received_bytes,
            max_tokens=self._cap.max_tokens,
        )

    def complete(self) -> Completion:
        """Drain the stream and return the completion."""
        for _ in self:
            pass
        assert self.completion is not None
        return self.completion


class ChatModel(ABC):
    """A chat model: a profile name, an id, a context size, prices, and one streaming call."""

    profile: str
    model_id: str
    is_remote: bool
    context_tokens: int
    pricing: Pricing
    endpoint: str = ""  # where prompts are sent; empty for a model running in process

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Exact for local models; a conservative (high) estimate for remote ones."""

    def count_message_tokens(self, messages: Sequence[Message]) -> int:
        return sum(self.count_tokens(m.content) + MESSAGE_OVERHEAD_TOKENS for m in messages)

    @abstractmethod
    def _generate(
        self, messages: list[Message], options: GenerationOptions, cancel: threading.Event
    ) -> Iterator[str | StreamEnd]:
        """Yield text deltas, then optionally one StreamEnd; stop promptly once `cancel` is set."""

    def stream(
        self, messages: Sequence[Message], options: GenerationOptions | None = None
    ) -> ChatStream:
        return ChatStream(self, messages, options or GenerationOptions())

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (a loaded model, an HTTP client)."""
