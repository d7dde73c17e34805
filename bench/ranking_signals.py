"""What the ranking signals cost: document fusion and code tokens vs plain chunk fusion.

    MARGIN_HOME=DIR .venv/bin/python -m bench.ranking_signals [GOLDEN] [--repeats 5]

For every question of GOLDEN (default eval/real-tune.jsonl) over the index in DIR, the two
rankings are searched once; then, alternating, in one process, timed (CPU time):

- `plain`: reciprocal-rank fusion of the chunks, as before `assistant.ask.ranking`;
- `margin`: `assistant.ask.ranking`: chunk and document fusion, the question's code tokens
  matched in the `rerank_depth` best candidates, the relevance of each.

Prints p50/p95 of each in ms (median of the repeats), the difference and the ratio, and the
p50 of a whole `Retriever.retrieve` for scale.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench import REPO, emit, latency_ms, median, note

BENCH = "ranking_signals"


def plain(by_vector: Sequence[Any], by_text: Sequence[Any], weight: float) -> list[str]:
    scores: dict[str, float] = {}
    for ranking, share in ((by_vector, weight), (by_text, 1.0 - weight)):
        for rank, chunk in enumerate(ranking, start=1):
            scores[chunk.id] = scores.get(chunk.id, 0.0) + share / (60 + rank)
    return sorted(scores, key=lambda chunk_id: (-scores[chunk_id], chunk_id))


def ranked(
    question: str, by_vector: Sequence[Any], by_text: Sequence[Any], config: Any
) -> list[float]:
    from assistant.ask.ranking import RankingWeights, code_match, code_tokens, fuse, relevance

    weights = RankingWeights(config.document_weight, config.evidence_weight, config.code_weight)
    fusion = fuse(by_vector, by_text, config.vector_weight)
    tokens = code_tokens(question)
    return [
        relevance(
            score,
            fusion.documents[chunk.path],
            0.0,
            code_match(tokens, f"{chunk.heading}\n{chunk.text}"),
            weights,
        )
        for chunk, score in fusion.chunks[: config.rerank_depth]
    ]


def cpu_timed(action: Callable[[], object]) -> float:
    began = time.process_time()
    action()
    return time.process_time() - began


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("golden", nargs="?", type=Path, default=REPO / "eval" / "real-tune.jsonl")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    from assistant.core import open_index
    from assistant.evaluation.golden import load_golden

    index = open_index()
    config = index.config.retrieval
    retriever = index.retriever()
    searched = []
    retrieve_s = []
    for question in (q.question for q in load_golden(args.golden).questions):
        vector = index.embedder.embed_query(question)
        searched.append(
            (
                question,
                index.store.vector_search(vector, config.pool),
                index.store.text_search(question, config.pool),
            )
        )
        began = time.monotonic()
        retriever.retrieve(question)
        retrieve_s.append(time.monotonic() - began)
    note(f"{BENCH}: {len(searched)} questions x {args.repeats}")
    passes: dict[str, list[dict[str, float]]] = {"plain": [], "margin": []}
    for _ in range(args.repeats):
        samples: dict[str, list[float]] = {"plain": [], "margin": []}
        for question, by_vector, by_text in searched:
            samples["plain"].append(
                cpu_timed(lambda v=by_vector, t=by_text: plain(v, t, config.vector_weight))
            )
            samples["margin"].append(
                cpu_timed(lambda q=question, v=by_vector, t=by_text: ranked(q, v, t, config))
            )
        for name, values in samples.items():
            passes[name].append(latency_ms(values))
    figures = {
        name: {key: round(median([p[key] for p in runs]), 3) for key in runs[0]}
        for name, runs in passes.items()
    }
    emit(
        BENCH,
        questions=len(searched),
        **figures,
        added_ms={
            key: round(figures["margin"][key] - figures["plain"][key], 3)
            for key in ("p50_ms", "p95_ms")
        },
        ratio={
            key: round(figures["margin"][key] / figures["plain"][key], 2)
            for key in ("p50_ms", "p95_ms")
            if figures["plain"][key]
        },
        retrieve_p50_ms=latency_ms(retrieve_s)["p50_ms"],
    )


if __name__ == "__main__":
    main()
