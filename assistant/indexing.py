"""Wiring for the index: the embedder, the store and what uses them, from Locations and Config.

The CLI and `Assistant` build everything here; tests build the parts directly and pass in
smaller ones (a fake embedder, a store in a temp folder).
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.config import Config, load_config
from assistant.locations import Locations, resolve_locations
from assistant.retrieval import Retriever
from ingest.embedder import Embedder, load_bundled_embedder
from ingest.fast_embedder import FastEmbedder
from ingest.pipeline import IngestOptions, Ingestor
from ingest.store import ChunkStore

LOCK_FILE = "ingest.lock"


@dataclass(frozen=True, slots=True)
class Index:
    """The opened index: its store and embedder, and the services built on them."""

    store: ChunkStore
    embedder: Embedder
    config: Config

    def ingestor(self) -> Ingestor:
        return Ingestor(self.store, self.embedder, IngestOptions.from_config(self.config.ingest))

    def retriever(self) -> Retriever:
        return Retriever(self.store, self.embedder, self.config.retrieval)


def load_embedder(config: Config, locations: Locations) -> FastEmbedder:
    """The bundled embedding model: queries through its ONNX export, documents through the
    backend measured fastest here (`ingest.fast_embedder`); everything loads on first use."""
    model = load_bundled_embedder(batch_size=config.ingest.batch_size)
    return FastEmbedder(model, locations.cache_dir / "embedding")


def open_store(locations: Locations, embedder: Embedder, *, check_model: bool = True) -> ChunkStore:
    """The store in the data folder; raises ModelMismatchError if built with another model."""
    locations.ensure()
    return ChunkStore(
        locations.store_dir,
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
) -> Index:
    """Open the index for this machine (or `MARGIN_HOME`), with the configured settings."""
    where = locations or resolve_locations()
    settings = config or load_config(where.config_file)
    model = embedder or load_embedder(settings, where)
    return Index(open_store(where, model, check_model=check_model), model, settings)
