"""The one place that wires the real parts into an `Assistant`; tests pass in small ones."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from assistant.config import Config, load_config
from assistant.locations import Locations, resolve_locations

if TYPE_CHECKING:
    from assistant.service import Assistant
    from ingest.embedder import Embedder
    from models.base import ChatModel


def build_assistant(
    *,
    locations: Locations | None = None,
    config: Config | None = None,
    embedder: Embedder | None = None,
    models: Mapping[str, ChatModel] | None = None,
    verbose: bool = False,
) -> Assistant:
    """An Assistant over the data folder. Models and the embedder load on first use."""
    from assistant.budget import Budget
    from assistant.dependencies import AskDependencies, ModelRegistry
    from assistant.indexing import open_index
    from assistant.log.interactions import InteractionLog
    from assistant.model_factory import build_model
    from assistant.request_budget import RequestBudgetGate
    from assistant.service import Assistant
    from models.keys import KeyStore

    locations = (locations or resolve_locations()).ensure()
    config = config or load_config(locations.config_file)
    index = open_index(locations, config, embedder=embedder)
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
        budget=RequestBudgetGate(Budget(config.budget, log.spend_today)),
    )
    return Assistant(
        config=config,
        locations=locations,
        index=index,
        log=log,
        ask_dependencies=dependencies,
    )
