"""What evidence selection adds to a question: margin's retrieval vs plain fusion, same index.

    MARGIN_HOME=DIR .venv/bin/python -m bench.evidence_overhead [GOLDEN] [--repeats 3]

Over an index `margin ingest` built in DIR (e.g. the eval corpus, see eval/README.md), for
every question of GOLDEN (default eval/real-tune.jsonl), in one process, alternating:

- `plain`: what retrieval did before evidence selection: the query embedded, the top 20 by
  vector and by BM25, reciprocal-rank fusion, and the cosine of the chunks only BM25 found;
- `margin`: `Retriever.retrieve` as `margin ask` calls it (ask.k sources): the configured
  pool, fusion, the candidates split into sentences and scored (IDF-weighted coverage, the
  best sentences embedded), relevance, per-document limit.

Prints p50/p95 of each (warm, median of the repeats), their difference and ratio. The term
counts are brought up to date before timing (after an ingest, the first question pays that).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import REPO, emit, latency_ms, median, note, timed

BENCH = "evidence_overhead"
PLAIN_POOL = 20


def plain(index: Any, question: str) -> None:
    from ingest.store_schema import sql_in

    vector = index.embedder.embed_query(question)
    by_vector = index.store.vector_search(vector, PLAIN_POOL)
    by_text = index.store.text_search(question, PLAIN_POOL)
    scores: dict[str, float] = {}
    for ranking in (by_vector, by_text):
        for rank, chunk in enumerate(ranking, start=1):
            scores[chunk.id] = scores.get(chunk.id, 0.0) + 0.5 / (60 + rank)
    top = sorted(scores, key=lambda i: -scores[i])[:3]
    missing = [i for i in top if i not in {c.id for c in by_vector}]
    if missing:
        index.store.vector_search(vector, len(missing), sql_in("id", missing))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("golden", nargs="?", type=Path, default=REPO / "eval" / "real-tune.jsonl")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    from assistant.core import open_index
    from assistant.evaluation.golden import load_golden

    questions = [q.question for q in load_golden(args.golden).questions]
    index = open_index()
    retriever = index.retriever()
    k = index.config.ask.k
    index.terms.refresh()
    for question in questions:  # warm: first calls on new input sizes run slow
        plain(index, question)
        retriever.retrieve(question, k=k)
    note(f"{BENCH}: {len(questions)} questions x {args.repeats}")
    passes: dict[str, list[dict[str, float]]] = {"plain": [], "margin": []}
    for _ in range(args.repeats):
        samples: dict[str, list[float]] = {"plain": [], "margin": []}
        for question in questions:
            samples["plain"].append(timed(lambda q=question: plain(index, q))[1])
            samples["margin"].append(timed(lambda q=question: retriever.retrieve(q, k=k))[1])
        for name, values in samples.items():
            passes[name].append(latency_ms(values))
    figures = {
        name: {key: round(median([p[key] for p in runs]), 2) for key in runs[0]}
        for name, runs in passes.items()
    }
    added = {
        key: round(figures["margin"][key] - figures["plain"][key], 2)
        for key in ("p50_ms", "p95_ms")
        if key in figures["plain"]
    }
    ratio = {
        key: round(figures["margin"][key] / figures["plain"][key], 2)
        for key in ("p50_ms", "p95_ms")
        if figures["plain"].get(key)
    }
    emit(BENCH, questions=len(questions), **figures, added_ms=added, ratio=ratio)


if __name__ == "__main__":
    main()
