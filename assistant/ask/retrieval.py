"""Hybrid retrieval: vector and full-text rankings fused, diversified, numbered from 1.

Fusion is weighted reciprocal-rank fusion: each candidate scores
`w / (K + vector_rank) + (1 - w) / (K + text_rank)`, with w = `RetrievalConfig.vector_weight`.
Ranks, unlike raw scores, are comparable between cosine similarity and BM25. The score a
`Source` reports is always its cosine similarity to the question, so `min_relevance` means
the same thing whichever ranking found the chunk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.ask.types import Source
from assistant.config import RetrievalConfig
from ingest.embedder import Embedder
from ingest.store import ChunkStore
from ingest.store_schema import sql_in, where_clause
from ingest.types import StoredChunk

if TYPE_CHECKING:
    import numpy as np

RRF_K = 60  # the usual damping constant: top ranks matter, deep ranks still count
CANDIDATES_PER_RESULT = 4
MIN_CANDIDATES = 20


@dataclass(frozen=True, slots=True)
class Retrieval:
    """The sources for a question, and whether anything found is relevant enough."""

    sources: list[Source]
    best_similarity: float  # highest cosine similarity among the sources; 0.0 when none
    min_relevance: float

    @property
    def relevant(self) -> bool:
        return bool(self.sources) and self.best_similarity >= self.min_relevance


class Retriever:
    def __init__(self, store: ChunkStore, embedder: Embedder, config: RetrievalConfig):
        self.store = store
        self.embedder = embedder
        self.config = config

    def nothing_ingested(self) -> bool:
        return self.store.is_empty()

    def search(
        self,
        query: str,
        *,
        k: int | None = None,
        collection: str | None = None,
        where_local_only: bool | None = None,
    ) -> list[Source]:
        return self.retrieve(
            query, k=k, collection=collection, where_local_only=where_local_only
        ).sources

    def retrieve(
        self,
        query: str,
        *,
        k: int | None = None,
        collection: str | None = None,
        where_local_only: bool | None = None,
        vector_weight: float | None = None,
    ) -> Retrieval:
        """Top k chunks for `query`; `vector_weight` overrides the configured weighting."""
        if self.store.is_empty():  # nothing to find: no need to load the embedding model
            return Retrieval([], 0.0, self.config.min_relevance)
        wanted = k or self.config.k
        weight = self.config.vector_weight if vector_weight is None else vector_weight
        where = where_clause(collection=collection, local_only=where_local_only)
        pool = max(wanted * CANDIDATES_PER_RESULT, MIN_CANDIDATES)
        vector = self.embedder.embed_query(query)
        by_vector = self.store.vector_search(vector, pool, where) if weight > 0 else []
        by_text = self.store.text_search(query, pool, where) if weight < 1 else []
        fused = _fuse(by_vector, by_text, weight)
        chosen = _diversify(fused, wanted, self.config.per_document)
        similarity = self._similarities(vector, chosen, by_vector, where)
        sources = [
            _source(number, chunk, similarity[chunk.id])
            for number, chunk in enumerate(chosen, start=1)
        ]
        best = max((s.score for s in sources), default=0.0)
        return Retrieval(sources, best, self.config.min_relevance)

    def _similarities(
        self,
        vector: np.ndarray,
        chosen: Sequence[StoredChunk],
        by_vector: Sequence[StoredChunk],
        where: str | None,
    ) -> dict[str, float]:
        """Cosine similarity of each chosen chunk, looking up those only full text found."""
        known = {c.id: c.score for c in by_vector}
        missing = [c.id for c in chosen if c.id not in known]
        if missing:
            only = sql_in("id", missing)
            scoped = f"({where}) AND {only}" if where else only
            for chunk in self.store.vector_search(vector, len(missing), scoped):
                known[chunk.id] = chunk.score
        return {c.id: known.get(c.id, 0.0) for c in chosen}


def _fuse(
    by_vector: Sequence[StoredChunk], by_text: Sequence[StoredChunk], weight: float
) -> list[StoredChunk]:
    scores: dict[str, float] = {}
    chunks: dict[str, StoredChunk] = {}
    for ranking, share in ((by_vector, weight), (by_text, 1.0 - weight)):
        for rank, chunk in enumerate(ranking, start=1):
            scores[chunk.id] = scores.get(chunk.id, 0.0) + share / (RRF_K + rank)
            chunks.setdefault(chunk.id, chunk)
    order = sorted(scores, key=lambda chunk_id: (-scores[chunk_id], chunk_id))
    return [chunks[chunk_id] for chunk_id in order]


def _diversify(ranked: Sequence[StoredChunk], k: int, per_document: int) -> list[StoredChunk]:
    """The top k, taking at most `per_document` chunks from any one file."""
    taken: dict[str, int] = {}
    chosen = []
    for chunk in ranked:
        if taken.get(chunk.path, 0) >= per_document:
            continue
        taken[chunk.path] = taken.get(chunk.path, 0) + 1
        chosen.append(chunk)
        if len(chosen) == k:
            break
    return chosen


def _source(number: int, chunk: StoredChunk, similarity: float) -> Source:
    return Source(
        number=number,
        id=chunk.id,
        path=chunk.path,
        page=chunk.page,
        heading=chunk.heading,
        line=chunk.line,
        score=similarity,
        text=chunk.text,
        collection=chunk.collection,
        local_only=chunk.local_only,
    )
