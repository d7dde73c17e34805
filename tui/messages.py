"""Typed messages that thread workers post to the UI.

Workers never touch widgets: they post these, and handlers on the UI thread render them.
Streaming and progress messages carry the whole state so far, so a newer one may replace an
older one still waiting in the queue: a UI that falls behind skips frames, not text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from textual.message import Message

from assistant.ask.types import Answer, Source

if TYPE_CHECKING:
    from assistant.core import Assistant
    from assistant.log.conversations import Turn
    from assistant.log.interactions import InteractionRecord


class AssistantReady(Message):
    """The Assistant is built; questions can be asked (models may still be loading)."""

    def __init__(self, assistant: Assistant, spent_today_usd: float) -> None:
        super().__init__()
        self.assistant = assistant
        self.spent_today_usd = spent_today_usd


class ModelsWarm(Message):
    """The embedder and the default model are loaded."""


class AssistantFailed(Message):
    """Building the Assistant, or loading its models (`warm_up`), failed."""

    def __init__(self, error: BaseException, *, stage: Literal["build", "warm_up"]) -> None:
        super().__init__()
        self.error = error
        self.stage = stage


class _AskMessage(Message):
    def __init__(self, request: int) -> None:
        super().__init__()
        self.request = request


class AnswerStarted(_AskMessage):
    def __init__(self, request: int, conversation_id: str | None) -> None:
        super().__init__(request)
        self.conversation_id = conversation_id


class SourcesReady(_AskMessage):
    """The sources, and what was searched when earlier turns shaped it (None: the question)."""

    def __init__(self, request: int, sources: list[Source], search_query: str | None) -> None:
        super().__init__(request)
        self.sources = sources
        self.search_query = search_query


class AnswerChunk(_AskMessage):
    """The answer text so far (not just the newest delta)."""

    def __init__(self, request: int, text: str) -> None:
        super().__init__(request)
        self.text = text

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, AnswerChunk) and message.request == self.request


class AnswerFinished(_AskMessage):
    def __init__(self, request: int, answer: Answer, spent_today_usd: float) -> None:
        super().__init__(request)
        self.answer = answer
        self.spent_today_usd = spent_today_usd


class AnswerFailed(_AskMessage):
    def __init__(self, request: int, error: BaseException) -> None:
        super().__init__(request)
        self.error = error


class IngestProgress(Message):
    """How far an ingest run is: `done` of `total` bytes, and a line saying so for people."""

    def __init__(self, done: int, total: int, description: str) -> None:
        super().__init__()
        self.done = done
        self.total = total
        self.description = description

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, IngestProgress)


class IngestFinished(Message):
    """The run's report; a stopped run's `interruption` says what it kept."""

    def __init__(self, report: Any) -> None:
        super().__init__()
        self.report = report


class IngestFailed(Message):
    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


class FeedbackSaved(Message):
    def __init__(self, interaction_id: int, rating: str) -> None:
        super().__init__()
        self.interaction_id = interaction_id
        self.rating = rating


class ConversationLoaded(Message):
    """A past conversation, to show again (`records`) and to follow up (`turns`)."""

    def __init__(
        self, conversation_id: str, records: list[InteractionRecord], turns: list[Turn]
    ) -> None:
        super().__init__()
        self.conversation_id = conversation_id
        self.records = records
        self.turns = turns


class WorkFailed(Message):
    """A background call other than asking failed; `what` says which, for the notification."""

    def __init__(self, what: str, error: BaseException) -> None:
        super().__init__()
        self.what = what
        self.error = error
