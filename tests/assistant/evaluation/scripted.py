"""A small scripted assistant for evaluation tests: fixed rankings and fixed answers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from assistant.ask.types import (
    Answer,
    AnswerDone,
    AskEvent,
    AskOptions,
    Source,
    SourcesFound,
    TextDelta,
)


def source(number: int, path: str, score: float = 0.5) -> Source:
    return Source(
        number=number,
        id=f"{path}:{number}",
        path=path,
        page=None,
        heading="",
        line=None,
        score=score,
        text="text",
    )


@dataclass
class ScriptedRun:
    result: Answer
    answer: Answer | None = None

    def __iter__(self) -> Iterator[AskEvent]:
        yield SourcesFound(self.result.sources)
        yield TextDelta(self.result.answer)
        self.answer = self.result
        yield AnswerDone(self.result)

    def cancel(self) -> None:
        """A scripted answer is over at once: nothing to stop."""

    def close(self) -> None:
        """Nothing to release."""


@dataclass
class ScriptedAssistant:
    """`rankings` maps a question to result paths (chunks, repeats allowed) in rank order;
    `answers` maps it to the Answer `ask` returns."""

    rankings: dict[str, list[str]]
    answers: dict[str, Answer] = field(default_factory=dict)
    searched_k: list[int | None] = field(default_factory=list)
    used_cache: list[bool] = field(default_factory=list)
    asked_k: list[int | None] = field(default_factory=list)

    def search(self, query: str, *, k: int | None = None, collection: str | None = None):
        self.searched_k.append(k)
        paths = self.rankings.get(query, [])[: k or 6]
        return [source(n, p, 1.0 - n / 100) for n, p in enumerate(paths, start=1)]

    def ask(self, question: str, options: AskOptions | None = None) -> ScriptedRun:
        options = options or AskOptions()
        self.used_cache.append(options.use_cache)
        self.asked_k.append(options.k)
        return ScriptedRun(self.answers[question])
