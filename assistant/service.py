"""`Assistant`: the one object the CLI and the TUI use for asking, searching and ingesting."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from assistant.answer import Source
from assistant.ask import AskOptions, AskRun
from assistant.config import Config, ModelProfile
from assistant.dependencies import AskDependencies
from assistant.locations import Locations
from assistant.prompting import Turn

if TYPE_CHECKING:
    from assistant.indexing import Index
    from assistant.log.conversations import ConversationSummary
    from assistant.log.conversations import Turn as LoggedTurn
    from assistant.log.interactions import InteractionLog
    from assistant.log.stats import Stats
    from ingest.pipeline import IngestProgress
    from ingest.types import DocumentInfo, IngestReport


class Assistant:
    def __init__(
        self,
        *,
        config: Config,
        locations: Locations,
        index: Index,
        log: InteractionLog,
        ask_dependencies: AskDependencies,
    ):
        self.config = config
        self.locations = locations
        self._index = index
        self.log = log
        self._deps = ask_dependencies

    # Asking -------------------------------------------------------------------------------

    def ask(
        self,
        question: str,
        *,
        model: str | None = None,
        k: int | None = None,
        collection: str | None = None,
        history: Sequence[Turn] = (),
        conversation_id: str | None = None,
        use_cache: bool = True,
    ) -> AskRun:
        options = AskOptions(
            model=model,
            k=k,
            collection=collection,
            history=tuple(history),
            conversation_id=conversation_id,
            use_cache=use_cache,
        )
        return AskRun(self._deps, question, options)

    def search(
        self, query: str, *, k: int | None = None, collection: str | None = None
    ) -> list[Source]:
        return self._deps.retriever.search(
            query, k=k or self.config.retrieval.k, collection=collection
        )

    def warm_up(self, model: str | None = None) -> None:
        """Load the embedding model and a chat model now rather than at the first question."""
        self._index.embedder.embed_query("warm up")
        self._deps.models.get(self.config.profile(model).name)

    # Documents ----------------------------------------------------------------------------

    def ingest(
        self,
        paths: Sequence[Path],
        *,
        collection: str = "default",
        local_only: bool = False,
        progress: Callable[[IngestProgress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> IngestReport:
        return self._index.ingestor().run(
            paths, collection=collection, local_only=local_only, progress=progress, cancel=cancel
        )

    def sources(self) -> list[DocumentInfo]:
        return self._index.store.documents()

    def collections(self) -> list[str]:
        return sorted({doc.collection for doc in self.sources()})

    # Models, spending and the log ---------------------------------------------------------

    def profiles(self) -> list[ModelProfile]:
        return [self.config.models[name] for name in sorted(self.config.models)]

    def spend_today_usd(self) -> float:
        return self.log.spend_today()

    def feedback(self, interaction_id: int, rating: Literal["up", "down"], note: str = "") -> None:
        self.log.feedback(interaction_id, rating, note)

    def stats(self, since: datetime | None = None) -> Stats:
        from assistant.log.stats import compute_stats

        return compute_stats(self.log, since)

    def start_conversation(self, title: str) -> str:
        return self.log.start_conversation(title)

    def conversations(self, limit: int = 50) -> list[ConversationSummary]:
        return self.log.conversations(limit)

    def turns(self, conversation_id: str) -> list[LoggedTurn]:
        return self.log.turns(conversation_id)

    def close(self) -> None:
        self._deps.models.close()
        self.log.close()
