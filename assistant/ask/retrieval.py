"""Hybrid retrieval: vector and full-text rankings fused, re-ranked, numbered from 1.

1. Fusion is weighted reciprocal-rank fusion over the top `pool` chunks of each ranking:
   `w / (K + vector_rank) + (1 - w) / (K + text_rank)`, w = `RetrievalConfig.vector_weight`,
   of chunks and of their documents (`assistant.ask.ranking.fuse`). Ranks, unlike raw
   scores, are comparable between cosine similarity and BM25.
2. Withholding: chunks the model may not receive (collection policies, local-only) leave the
   candidates here, before anything is ranked, judged relevant or numbered
   (`assistant.guardrails.withholding`).
3. The best `rerank_depth` candidates are scored sentence by sentence against the question
   (`assistant.ask.evidence`). A chunk's relevance mixes its fused score, its document's,
   the code tokens of the question it holds verbatim and its best evidence window, with the
   `*_weight` settings (`assistant.ask.ranking.relevance`); with a `reranker` configured, it
   is the cross-encoder's probability instead.
4. The top k by relevance, at most `per_document` chunks of one file, numbered from 1.

The score a `Source` shows is that relevance, in [0, 1], so sources are always listed in
the order of their scores. Whether anything found answers the question is decided on the
evidence (`Retrieval.relevant`), not on a chunk's score: the best window must score at least
`min_relevance` and hold `min_coverage` of the question's weighted terms, and the sources
must mention every name the question asks about that the index mentions rarely or never
(`assistant.ask.names`): a question about pyenv is not answered by the venv pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from assistant.ask.evidence import Evidence, EvidenceSelector, uniform_weights
from assistant.ask.names import MissingName, NameCheck
from assistant.ask.ranking import RankingWeights, code_match, code_tokens, fuse, relevance
from assistant.ask.reranker import Reranker
from assistant.ask.types import GuardrailEvent, Source
from assistant.config import RetrievalConfig
from assistant.guardrails.withholding import Recipient, renumbered, withhold
from ingest.embedder import Embedder
from ingest.store import ChunkStore
from ingest.store_schema import where_clause
from ingest.types import StoredChunk


@dataclass(frozen=True, slots=True)
class Retrieval:
    """The sources for a question, their evidence, and whether it answers the question."""

    sources: list[Source]
    evidence: Evidence
    min_relevance: float
    min_coverage: float
    withheld: list[Source] = field(default_factory=list)  # kept from the model by policy
    events: list[GuardrailEvent] = field(default_factory=list)  # what withholding did
    missing_names: list[MissingName] = field(default_factory=list)  # asked about, not found

    @property
    def evidence_score(self) -> float:
        """The best evidence window's score, 0..1; 0.0 when nothing was found."""
        best = self.evidence.best
        return best.score if best is not None else 0.0

    @property
    def relevant(self) -> bool:
        best = self.evidence.best
        if best is None:
            return False
        return (
            best.score >= self.min_relevance
            and best.coverage >= self.min_coverage
            and not self.missing_names
        )

    def why_not_relevant(self) -> str:
        """What the refusal says beyond "not found": the names no passage found mentions.

        One wording whatever the index-wide counts were: "never" against "in passing" would
        tell an MCP client or a remote profile whether collections withheld from it mention
        a word."""
        if not self.missing_names:
            return ""
        return (
            f"none of the passages found mentions {_quoted([n.text for n in self.missing_names])}"
        )


class Retriever:
    def __init__(
        self,
        store: ChunkStore,
        embedder: Embedder,
        config: RetrievalConfig,
        *,
        evidence: EvidenceSelector | None = None,
        reranker: Reranker | None = None,
        names: NameCheck | None = None,
    ):
        self.store = store
        self.embedder = embedder
        self.config = config
        self.evidence = evidence or EvidenceSelector(uniform_weights, embedder)
        self.reranker = reranker
        self.names = names

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
        recipient: Recipient | None = None,
        vector_weight: float | None = None,
    ) -> Retrieval:
        """Top k chunks for `query`; with a `recipient` (the model that will read them), the
        chunks its collection policies keep from it leave before ranking, and the best of
        them are reported as withheld;
        `vector_weight` overrides the configured weighting."""
        config = self.config
        if self.store.is_empty():  # nothing to find: no need to load the embedding model
            return Retrieval([], Evidence([], {}), config.min_relevance, config.min_coverage)
        wanted = k or config.k
        weight = config.vector_weight if vector_weight is None else vector_weight
        where = where_clause(collection=collection, local_only=where_local_only)
        vector = self.embedder.embed_query(query)
        by_vector = self.store.vector_search(vector, config.pool, where) if weight > 0 else []
        by_text = self.store.text_search(query, config.pool, where) if weight < 1 else []
        fusion = fuse(by_vector, by_text, weight)
        fused = [as_source(0, c, s) for c, s in fusion.chunks]
        withholding = withhold(fused[: max(config.rerank_depth, wanted)], recipient)
        candidates = withholding.allowed
        evidence = self.evidence.select(query, vector, candidates)
        ranked = self._ranked(query, candidates, evidence, fusion.documents)
        chosen = renumbered(_diversify(ranked, wanted, config.per_document))
        return Retrieval(
            sources=chosen,
            evidence=evidence.renumbered({s.id: s for s in chosen}),
            min_relevance=config.min_relevance,
            min_coverage=config.min_coverage,
            withheld=withholding.withheld[:wanted],
            events=withholding.events,
            missing_names=self._missing_names(query, chosen),
        )

    def _missing_names(self, query: str, sources: list[Source]) -> list[MissingName]:
        if self.names is None or not sources:
            return []
        return self.names.missing(query, [_passage(s) for s in sources])

    def _ranked(
        self,
        query: str,
        candidates: list[Source],
        evidence: Evidence,
        documents: dict[str, float],
    ) -> list[Source]:
        """The candidates with their relevance as score, most relevant first (ties keep the
        fused order)."""
        if self.reranker is not None and candidates:
            scores = self.reranker.relevance(query, [_passage(s) for s in candidates])
        else:
            best = evidence.best_by_source()
            tokens = code_tokens(query)
            weights = self.weights
            scores = [
                relevance(
                    s.score,
                    documents.get(s.path, 0.0),
                    best.get(s.id, 0.0),
                    code_match(tokens, _passage(s)),
                    weights,
                )
                for s in candidates
            ]
        scored = [
            replace(s, score=round(score, 4)) for s, score in zip(candidates, scores, strict=True)
        ]
        return sorted(scored, key=lambda s: -s.score)

    @property
    def weights(self) -> RankingWeights:
        config = self.config
        return RankingWeights(
            document_share=config.document_weight,
            evidence_share=config.evidence_weight,
            code_bonus=config.code_weight,
        )


def _diversify(ranked: Sequence[Source], k: int, per_document: int) -> list[Source]:
    """The top k, taking at most `per_document` chunks from any one file."""
    taken: dict[str, int] = {}
    chosen = []
    for source in ranked:
        if taken.get(source.path, 0) >= per_document:
            continue
        taken[source.path] = taken.get(source.path, 0) + 1
        chosen.append(source)
        if len(chosen) == k:
            break
    return chosen


def _quoted(names: list[str]) -> str:
    quoted = [f"“{name}”" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _passage(source: Source) -> str:
    return f"{source.heading}\n{source.text}" if source.heading else source.text


def as_source(number: int, chunk: StoredChunk, score: float) -> Source:
    """A stored chunk as a numbered, scored source."""
    return Source(
        number=number,
        id=chunk.id,
        path=chunk.path,
        page=chunk.page,
        heading=chunk.heading,
        line=chunk.line,
        score=score,
        text=chunk.text,
        collection=chunk.collection,
        local_only=chunk.local_only,
    )
