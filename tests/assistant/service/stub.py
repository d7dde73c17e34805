"""A small scripted engine for the service tests: real sockets and threads, no models."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from assistant.ask.types import (
    Answer,
    AnswerDone,
    AskEvent,
    AskOptions,
    Found,
    Source,
    SourcesFound,
    TextDelta,
)
from assistant.errors import BudgetExceededError, UsageError
from models.errors import ModelLoadError


def source(number: int, query: str) -> Source:
    return Source(
        number=number,
        id=f"doc:{number}",
        path=f"/notes/{query.replace(' ', '-')}-{number}.md",
        page=number if number % 2 else None,
        heading=f"Part {number}",
        line=number * 10,
        score=1 / (number + 0.3),
        text=f"text {number} about {query}",
    )


def _raise_for(text: str) -> None:
    if text == "over budget":
        raise BudgetExceededError("This question would cost $0.20, over the $0.05 budget.")
    if text == "bad usage":
        raise UsageError("The question is empty.")
    if text == "model missing":
        raise ModelLoadError("The model file /models/x.gguf does not exist.")
    if text == "crash":
        raise RuntimeError("boom")


class StubRun:
    """Streams words; `endless` keeps streaming until cancelled."""

    def __init__(self, question: str, endless: bool):
        self.question = question
        self.endless = endless
        self.cancelled = threading.Event()
        self.closed = False
        self.answer: Answer | None = None

    def cancel(self) -> None:
        self.cancelled.set()

    def close(self) -> None:
        self.closed = True

    def __iter__(self) -> Iterator[AskEvent]:
        sources = [source(n, self.question) for n in (1, 2)]
        yield SourcesFound(sources)
        text = ""
        words = 0
        while not self.cancelled.is_set() and (self.endless or words < 3):
            word = f"word{words} "
            text += word
            words += 1
            yield TextDelta(word)
            if self.endless:
                self.cancelled.wait(0.01)
        answer = Answer(question=self.question, answer=text, sources=sources, model="stub")
        answer.cancelled = self.cancelled.is_set()
        answer.latency_ms = {"retrieve": 1.23456, "total": 9.87654}
        answer.event("stub.note", "scripted")
        self.answer = answer
        yield AnswerDone(answer)


class StubEngine:
    def __init__(self) -> None:
        self.runs: list[StubRun] = []
        self.options: list[AskOptions | None] = []
        self.closed = False
        self.threads: set[str] = set()

    def search(self, query: str, *, k: int | None = None, collection: str | None = None):
        self.threads.add(threading.current_thread().name)
        _raise_for(query)
        return Found(source(n, query) for n in range(1, (k or 3) + 1))

    def ask(self, question: str, options: AskOptions | None = None) -> StubRun:
        self.threads.add(threading.current_thread().name)
        _raise_for(question)
        run = StubRun(question, endless=question.startswith("endless"))
        self.runs.append(run)
        self.options.append(options)
        return run

    def warm_up(self) -> None:
        self.threads.add(threading.current_thread().name)

    def close(self) -> None:
        self.closed = True
