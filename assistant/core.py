"""`Assistant`, the one object the CLI and the TUI use, and the one place that wires its parts.

`build_assistant` opens the index (`open_index`: the store in the data folder and the bundled
embedder), the interaction log, the budget and the model registry (`build_model` turns a config
profile into a chat model). Tests pass in small real parts (an embedder, models) instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from assistant.ask.evidence import EvidenceSelector
from assistant.ask.followup import embedding_similarities
from assistant.ask.names import NameCheck, tokenizer_vocabulary
from assistant.ask.reranker import CrossEncoderReranker
from assistant.ask.retrieval import Retriever
from assistant.ask.spelling import Speller
from assistant.ask.term_stats import TERMS_FILE, TermStatistics
from assistant.ask.types import AskOptions, Found
from assistant.config import BUNDLED, Config, ModelProfile, load_config
from assistant.locations import Locations, resolve_locations
from assistant.store_access import store_location
from ingest.embedder import Embedder, load_bundled_embedder
from ingest.embedding_folder import load_folder_embedder
from ingest.english_words import is_clipped_english, is_common_english
from ingest.fast_embedder import FastEmbedder
from ingest.store import ChunkStore
from models.base import ChatModel, Pricing
from models.errors import KeyStoreError

# A search needs only the index: what an answer, an ingest or a chat model needs is imported
# where it is built (a cold `margin search` is a fresh process; each import is paid there).
if TYPE_CHECKING:
    from assistant.ask.dependencies import AskDependencies
    from assistant.ask.pipeline import AskRun
    from assistant.log.conversations import ConversationSummary
    from assistant.log.conversations import Turn as LoggedTurn
    from assistant.log.interactions import InteractionLog, InteractionRecord
    from assistant.log.stats import Stats
    from ingest.pipeline import Ingestor, IngestProgress
    from ingest.types import DocumentInfo, IngestReport, StoredChunk
    from models.keys import KeyStore

LOCK_FILE = "ingest.lock"
JOURNAL_FILE = "vector-journal.sqlite"  # vectors of documents an ingest had not committed


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
        options: AskOptions | None = None,
        *,
        on_close: Callable[[], None] | None = None,
    ) -> AskRun:
        """Start answering; `on_close` runs when the returned run is closed."""
        from assistant.ask.pipeline import AskRun

        return AskRun(self._deps, question, options or AskOptions(), on_close=on_close)

    def search(
        self,
        query: str,
        *,
        k: int | None = None,
        collection: str | None = None,
        include_local_only: bool = True,
        excluded_collections: Sequence[str] = (),
    ) -> Found:
        return self._deps.retriever.retrieve(
            query,
            k=k or self.config.retrieval.k,
            collection=collection,
            where_local_only=None if include_local_only else False,
            excluded_collections=excluded_collections,
        ).found()

    def passage(self, chunk_id: str, *, around: int = 1) -> list[StoredChunk]:
        """The chunk `chunk_id` (an id from a search) with up to `around` chunks each side of
        it in its document, in reading order; empty when no current chunk has that id."""
        return self._index.store.passage(chunk_id, around=around)

    def warm_up(self, model: str | None = None) -> None:
        """Load the embedding model now rather than at the first question, and the chat
        model when answers will need it: not when `ask.mode` quotes with this profile (the
        bundled model under "auto"), which a question's `--mode generate` still loads."""
        from assistant.ask.quote import answer_style

        self._index.embedder.embed_query("warm up")
        profile = self.config.profile(model)
        if answer_style(self.config.ask.mode, profile) == "generate":
            self._deps.models.get(profile.name)

    # Documents ----------------------------------------------------------------------------

    def ingest(
        self,
        paths: Sequence[Path],
        *,
        collection: str | None = None,
        local_only: bool = False,
        progress: Callable[[IngestProgress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> IngestReport:
        report = self._index.ingestor().run(
            paths, collection=collection, local_only=local_only, progress=progress, cancel=cancel
        )
        self._index.terms.refresh()  # counted now, so the next question does not wait for it
        return report

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

    def conversation(self, conversation_id: str) -> list[InteractionRecord]:
        return self.log.conversation(conversation_id)

    def close(self) -> None:
        self._deps.models.close()
        self.log.close()


def build_assistant(
    *,
    locations: Locations | None = None,
    config: Config | None = None,
    embedder: Embedder | None = None,
    models: Mapping[str, ChatModel] | None = None,
    verbose: bool = False,
) -> Assistant:
    """An Assistant over the data folder. Models and the embedder load on first use."""
    from assistant.ask.budget import Budget, RequestBudgetGate
    from assistant.ask.dependencies import AskDependencies, ModelRegistry
    from assistant.log.interactions import InteractionLog
    from models.keys import KeyStore

    locations = (locations or resolve_locations()).ensure()
    config = config or load_config(locations.config_file)
    index = open_index(locations, config, embedder=embedder, for_queries=True)
    log = InteractionLog(locations.log_db, log_text=config.privacy.log_text)
    keys = KeyStore(locations.key_names_file)
    registry = ModelRegistry(
        config.models,
        build=lambda profile: build_model(profile, keys=keys, verbose=verbose),
        preloaded=dict(models or {}),
    )
    dependencies = AskDependencies(
        config=config,
        retriever=index.retriever(),
        models=registry,
        log=log,
        cache=log.cache,
        egress=log.egress,
        budget=RequestBudgetGate(Budget(config.budget, log.spend_today), ledger=log.budget),
        similarities=embedding_similarities(index.embedder),
    )
    return Assistant(
        config=config,
        locations=locations,
        index=index,
        log=log,
        ask_dependencies=dependencies,
    )


# The index: the embedder, the store and what uses them --------------------------------------


@dataclass(frozen=True, slots=True)
class Index:
    """The opened index: its store and embedder, and the services built on them."""

    store: ChunkStore
    embedder: Embedder
    config: Config
    terms: TermStatistics  # how common each term is, for the evidence's lexical coverage
    cache_dir: Path | None = None  # the data folder's cache (None: no vector journal)

    def ingestor(self) -> Ingestor:
        from ingest.pipeline import IngestOptions, Ingestor
        from ingest.vector_journal import VectorJournal

        journal = None if self.cache_dir is None else VectorJournal(self.cache_dir / JOURNAL_FILE)
        return Ingestor(
            self.store, self.embedder, IngestOptions.from_config(self.config.ingest), journal
        )

    def retriever(self) -> Retriever:
        settings = self.config.retrieval
        names = self.name_check()
        return Retriever(
            self.store,
            self.embedder,
            settings,
            evidence=EvidenceSelector(
                self.terms.idf,
                self.embedder,
                dense_sentences=settings.dense_sentences,
                term_counts=self.terms.chunk_counts,
            ),
            reranker=CrossEncoderReranker.from_setting(settings.reranker),
            names=names,
            speller=None if names is None else Speller(names.known_word, self.terms.chunk_counts),
        )

    def name_check(self) -> NameCheck | None:
        """The names rule of the relevance gate, or None when `passing_mentions` is -1."""
        passing = self.config.retrieval.passing_mentions
        if passing < 0:
            return None
        vocabulary = tokenizer_vocabulary(self.embedder.count_tokens)

        def known(word: str) -> bool:  # whole to the embedding model, or a common word
            return vocabulary(word) or is_common_english(word) or is_clipped_english(word)

        return NameCheck(known, self.terms.chunk_counts, passing)


def load_embedder(config: Config, locations: Locations) -> FastEmbedder:
    """The configured embedding model (bundled, or a local folder): queries through its ONNX
    export, documents through the backend measured fastest here (`ingest.fast_embedder`);
    everything loads on first use."""
    if config.embedding.model != BUNDLED:
        folder = Path(config.embedding.model).expanduser()
        model = load_folder_embedder(folder, batch_size=config.ingest.batch_size)
    else:
        model = load_bundled_embedder(batch_size=config.ingest.batch_size)
    return FastEmbedder(model, locations.cache_dir / "embedding")


def open_store(
    locations: Locations,
    embedder: Embedder,
    *,
    config: Config | None = None,
    check_model: bool = True,
) -> ChunkStore:
    """The store `[store]` names (the data folder by default); raises ModelMismatchError if
    built with another model, StoreError when an object store cannot be reached."""
    locations.ensure()
    settings = config or load_config(locations.config_file)
    return ChunkStore(
        store_location(settings, locations),
        model_id=embedder.model_id,
        dim=embedder.dim,
        lock_path=locations.run_dir / LOCK_FILE,
        check_model=check_model,
    )


def open_index(
    locations: Locations | None = None,
    config: Config | None = None,
    *,
    embedder: Embedder | None = None,
    check_model: bool = True,
    for_queries: bool = False,
) -> Index:
    """Open the index for this machine (or `MARGIN_HOME`), with the configured settings;
    `for_queries`: the query model loads while the store opens."""
    where = locations or resolve_locations()
    settings = config or load_config(where.config_file)
    model = embedder or load_embedder(settings, where)
    if for_queries and isinstance(model, FastEmbedder):
        model.open_query_encoder_early()
    store = open_store(where, model, config=settings, check_model=check_model)
    terms = TermStatistics(where.cache_dir / TERMS_FILE, store)
    return Index(store, model, settings, terms, where.cache_dir)


# Chat models: a config profile made real -----------------------------------------------------


def build_model(
    profile: ModelProfile, *, keys: KeyStore | None = None, verbose: bool = False
) -> ChatModel:
    """The model a profile describes. Nothing loads or connects until the first question."""
    if profile.kind == "llama-cpp":
        from assistant.local_models import gguf_path
        from models.llama_cpp import LlamaCppModel

        path = gguf_path(profile)
        return LlamaCppModel(
            profile.name, path, context=profile.context, threads=profile.threads, verbose=verbose
        )
    from models.keys import KeyStore
    from models.openai_compat import OpenAICompatibleModel

    return OpenAICompatibleModel(
        profile.name,
        profile.base_url,
        profile.model,
        api_key=_api_key(profile, keys if keys is not None else KeyStore()),
        connect_timeout_s=profile.connect_timeout_s,
        read_timeout_s=profile.read_timeout_s,
        max_retries=profile.max_retries,
        retry_budget_s=profile.retry_budget_s,
        pricing=Pricing(profile.input_usd_per_mtok, profile.output_usd_per_mtok),
        context_tokens=profile.context,
    )


def _api_key(profile: ModelProfile, keys: KeyStore) -> str | None:
    """The profile's key. A profile with no key_env and no stored key talks to a server that
    needs none (llama.cpp's server, Ollama); if it does need one, its 401 says how to add it."""
    try:
        return keys.resolve(profile.name, profile.key_env)
    except KeyStoreError:
        if profile.key_env:
            raise
        return None
