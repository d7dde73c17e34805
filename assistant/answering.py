"""What callers need of an Assistant, as protocols: the warm service, eval, and test stubs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from assistant.answer import Answer, AskEvent, Source


class AskStream(Protocol):
    """An answer in progress: events to iterate, `cancel()`, and the answer once done."""

    answer: Answer | None

    def __iter__(self) -> Iterator[AskEvent]: ...

    def cancel(self) -> None: ...


class Answering(Protocol):
    def search(
        self, query: str, *, k: int | None = None, collection: str | None = None
    ) -> list[Source]: ...

    def ask(
        self,
        question: str,
        *,
        model: str | None = None,
        k: int | None = None,
        collection: str | None = None,
        use_cache: bool = True,
    ) -> AskStream: ...
