"""What the ask pipeline needs, as small interfaces, so tests can pass in small real parts."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from assistant.ask.budget import RequestBudget
from assistant.ask.followup import Similarities
from assistant.ask.retrieval import Retrieval
from assistant.ask.types import Source
from assistant.config import Config, ModelProfile
from assistant.guardrails.withholding import Recipient
from models.base import ChatModel

if TYPE_CHECKING:
    from assistant.log.cache import AnswerCache
    from assistant.log.egress import EgressLog
    from assistant.log.interactions import InteractionLog


class SourceSearch(Protocol):
    def retrieve(
        self,
        query: str,
        *,
        k: int | None = None,
        collection: str | None = None,
        where_local_only: bool | None = None,
        excluded_collections: Sequence[str] = (),
        recipient: Recipient | None = None,
    ) -> Retrieval: ...

    def nothing_ingested(self) -> bool: ...

    def following(self, source: Source) -> Source | None: ...

    def preceding(self, source: Source) -> Source | None: ...


class ModelRegistry:
    """Builds each model profile once, on first use, and keeps it loaded.

    Models passed in as `preloaded` belong to the caller: `close()` leaves them alone.
    """

    def __init__(
        self,
        profiles: dict[str, ModelProfile],
        build: Callable[[ModelProfile], ChatModel],
        preloaded: dict[str, ChatModel] | None = None,
    ):
        self._profiles = profiles
        self._build = build
        self._preloaded = dict(preloaded or {})
        self._models: dict[str, ChatModel] = dict(self._preloaded)
        self._lock = threading.Lock()

    def get(self, name: str) -> ChatModel:
        with self._lock:
            model = self._models.get(name)
            if model is None:
                model = self._build(self._profiles[name])
                self._models[name] = model
            return model

    def close(self) -> None:
        with self._lock:
            for name, model in self._models.items():
                if name not in self._preloaded:
                    model.close()
            self._models = dict(self._preloaded)


@dataclass(slots=True)
class AskDependencies:
    config: Config
    retriever: SourceSearch
    models: ModelRegistry
    log: InteractionLog
    cache: AnswerCache
    egress: EgressLog
    budget: RequestBudget
    similarities: Similarities | None = None  # which topic word "what about X?" replaces
