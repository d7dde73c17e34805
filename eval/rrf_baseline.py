"""The plain baseline retrieval has to beat: BM25 + MiniLM reciprocal-rank fusion, nothing more.

`MARGIN_HOME=DIR python -m eval.rrf_baseline [GOLDEN...] [--pool N] [--json]` reads the
index `margin ingest` built in DIR (the one `margin eval` reads) and ranks documents for
every question two ways, scored with the functions `margin eval` uses (hit@1, hit@5,
recall@k with k = retrieval.k, MRR@10, nDCG@10, over the answerable questions):

- `plain-rrf`: the top N chunks by cosine similarity to the MiniLM query vector and the top
  N by BM25 (LanceDB full-text search), each chunk scored 1/(60 + rank) in every list it
  is in, equal weights, no per-document limit, no other step; documents in the order of
  their best chunk.
- `margin`: the configured retriever, as `margin search` and `margin eval` call it.

Both rows come from the same process and index, so they compare directly.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.core import Index, open_index
from assistant.evaluation import metrics as m
from assistant.evaluation.golden import GoldenSet, load_golden
from assistant.evaluation.runner import RANKING_DEPTH, retrieval_metrics
from assistant.evaluation.summary import RETRIEVAL_METRICS, summarize
from eval import GOLDEN_SETS

if TYPE_CHECKING:
    from ingest.types import StoredChunk

RRF_K = 60
POOL = 50  # chunks taken from each ranking; enough for ten distinct documents

Ranker = Callable[[str], list[str]]


UNRANKED = 1_000_000  # the place of a chunk a ranking does not hold, for breaking ties


def plain_rrf(index: Index, pool: int = POOL) -> Ranker:
    def rank(question: str) -> list[str]:
        by_vector = index.store.vector_search(index.embedder.embed_query(question), pool)
        by_text = index.store.text_search(question, pool)
        return m.distinct(chunk.path for chunk in fuse(by_vector, by_text))

    return rank


def fuse(*rankings: Sequence[StoredChunk]) -> list[StoredChunk]:
    """Chunks by summed 1/(RRF_K + rank) over the rankings, ties broken by the places in the
    rankings, the first ranking's first.

    Written out here rather than taken from `assistant.retrieval`, so that the baseline
    stays put while the pipeline it is compared with changes. Ties are common (ranks 3 and 5
    against 5 and 3); broken by chunk id, which is random per stored version of a document,
    the baseline moved when an index was built again: real-report's hit@1 was 0.819 on one
    build and 0.807 on another of the same documents, 0.819 on both by places.
    """
    scores: dict[str, float] = {}
    chunks: dict[str, StoredChunk] = {}
    places: dict[str, list[int]] = {}
    for number, ranking in enumerate(rankings):
        for rank, chunk in enumerate(ranking, start=1):
            scores[chunk.id] = scores.get(chunk.id, 0.0) + 1.0 / (RRF_K + rank)
            chunks.setdefault(chunk.id, chunk)
            places.setdefault(chunk.id, [UNRANKED] * len(rankings))[number] = rank
    return [chunks[i] for i in sorted(scores, key=lambda i: (-scores[i], places[i]))]


def margin_search(index: Index) -> Ranker:
    retriever = index.retriever()

    def rank(question: str) -> list[str]:
        found = retriever.search(question, k=max(index.config.retrieval.k, RANKING_DEPTH))
        return m.distinct(source.path for source in found)

    return rank


def score(golden: GoldenSet, rank: Ranker, k: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    records = []
    for question in golden.questions:
        ranked = rank(question.question)
        records.append(
            {
                "line": question.line,
                "question": question.question,
                "answerable": question.answerable,
                "ranked_sources": ranked[:RANKING_DEPTH],
                "metrics": retrieval_metrics(ranked, question, k),
                "latency_ms": {},
                "usage": {},
            }
        )
    figures = summarize(records)
    return {name: figures[name] for name in ("answerable", *RETRIEVAL_METRICS)}, records


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("golden", nargs="*", type=Path, default=list(GOLDEN_SETS))
    parser.add_argument("--pool", type=int, default=POOL, help="Chunks from each ranking.")
    parser.add_argument("--json", action="store_true", help="Print one JSON object.")
    args = parser.parse_args(argv)
    index = open_index()
    if not index.store.documents():
        print("Nothing is ingested here: set MARGIN_HOME to the eval index.", file=sys.stderr)
        return 1
    rankers = {"plain-rrf": plain_rrf(index, args.pool), "margin": margin_search(index)}
    k = index.config.retrieval.k
    results: dict[str, dict[str, Any]] = {}
    for path in args.golden:
        golden = load_golden(path)
        for name, rank in rankers.items():
            figures, records = score(golden, rank, k)
            results.setdefault(path.name, {})[name] = {"metrics": figures, "questions": records}
    if args.json:
        print(json.dumps({"pool": args.pool, "k": k, "sets": results}, ensure_ascii=False))
        return 0
    header = f"{'set':<20} {'ranker':<10} " + " ".join(f"{n:>9}" for n in RETRIEVAL_METRICS)
    print(header)
    for set_name, by_ranker in results.items():
        for name, result in by_ranker.items():
            figures = result["metrics"]
            row = " ".join(f"{figures[n]:>9.3f}" for n in RETRIEVAL_METRICS)
            print(f"{set_name:<20} {name:<10} {row}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
