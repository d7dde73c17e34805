"""Choose ranking weights by cross-validation, not by the best point of one set.

Two steps, so that a grid of hundreds of weightings costs one search per question:

    MARGIN_HOME=DIR python -m eval.ranking_grid collect SET.jsonl --out SET.features.jsonl
    python -m eval.ranking_grid grid TUNE.features.jsonl [OTHER.features.jsonl...]

`collect` reads the index in MARGIN_HOME (as `margin eval` does) and keeps, per question, the
top `--pool` chunks of the vector and of the full-text ranking, and for every vector weight
of the grid the best evidence window score of each of the `rerank_depth` chunks the
retriever would score with it (the same candidates, so the same windows are embedded).

`grid` ranks every question for every weighting with the functions the retriever uses
(`assistant.ask.ranking`: fusion, document fusion, code tokens, relevance) and prints JSON
lines: one per weighting, with hit@1 and MRR@10 of the answerable questions of every set,
then `marginal` lines (the mean over the grid of each value of each weight: a flat region
shows there, a lucky peak does not), then, on the first set, the weighting each way of
choosing picks (`best-point`: the grid's best point; `marginals`: each weight by its
marginal) and its repeated 2-fold and leave-one-out cross-validation: chosen on one part of
the questions, scored on the rest.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.ask.ranking import (
    RankingWeights,
    code_match,
    code_tokens,
    entry_match,
    fuse,
    relevance,
)
from assistant.ask.retrieval import as_source
from assistant.config import RetrievalConfig
from assistant.evaluation import metrics as m
from assistant.evaluation.golden import load_golden
from ingest.types import StoredChunk

VECTOR_WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.7)
DOCUMENT_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
CODE_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.5)
EVIDENCE_WEIGHTS = (0.0, 0.25, 0.5)
DEPTH = 10  # documents ranked per question, as margin eval's MRR@10 reads them
FOLD_REPEATS = 100


@dataclass(frozen=True, slots=True)
class Point:
    vector_weight: float
    weights: RankingWeights

    def as_dict(self) -> dict[str, float]:
        return {"vector_weight": self.vector_weight, **asdict(self.weights)}


def collect(golden_path: Path, out: Path, pool: int) -> int:
    from assistant.core import open_index

    index = open_index()
    config = index.config.retrieval
    selector = index.retriever().evidence
    golden = load_golden(golden_path)
    indexed = {d.path for d in index.store.documents()}
    missing = {s for q in golden.questions for s in q.expected_sources} - indexed
    if missing:  # e.g. a set read from another checkout than the one the index was built from
        print(
            f"Warning: {len(missing)} expected sources are not in the index (every figure will "
            f"be wrong), e.g. {sorted(missing)[0]}",
            file=sys.stderr,
        )
    with out.open("w", encoding="utf-8") as sink:
        for question in golden.questions:
            vector = index.embedder.embed_query(question.question)
            by_vector = index.store.vector_search(vector, pool)
            by_text = index.store.text_search(question.question, pool)
            evidence = {}
            for weight in VECTOR_WEIGHTS:
                fused = fuse(by_vector, by_text, weight).chunks[: config.rerank_depth]
                sources = [as_source(n, c, s) for n, (c, s) in enumerate(fused, start=1)]
                scored = selector.select(question.question, vector, sources)
                evidence[str(weight)] = scored.best_by_source()
            record = {
                "set": golden_path.name,
                "question": question.question,
                "answerable": question.answerable,
                "expected": list(question.expected_sources),
                "vector": [_row(c) for c in by_vector],
                "text": [_row(c) for c in by_text],
                "evidence": evidence,
                "depth": config.rerank_depth,
            }
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(golden.questions)


def _row(chunk: StoredChunk) -> dict[str, Any]:
    return {"id": chunk.id, "path": chunk.path, "heading": chunk.heading, "text": chunk.text}


def _chunk(row: dict[str, Any]) -> StoredChunk:
    return StoredChunk(
        id=row["id"],
        path=row["path"],
        collection="default",
        local_only=False,
        heading=row["heading"],
        page=None,
        line=None,
        ordinal=0,
        text=row["text"],
    )


def ranked_documents(record: dict[str, Any], point: Point) -> list[str]:
    """The documents of one question in the order the retriever would list them."""
    by_vector = [_chunk(r) for r in record["vector"]]
    by_text = [_chunk(r) for r in record["text"]]
    fusion = fuse(by_vector, by_text, point.vector_weight)
    tokens = code_tokens(record["question"])
    evidence = record["evidence"][str(point.vector_weight)]
    scored = []
    for chunk, score in fusion.chunks[: record["depth"]]:
        passage = f"{chunk.heading}\n{chunk.text}" if chunk.heading else chunk.text
        signals = (
            score,
            fusion.documents[chunk.path],
            evidence.get(chunk.id, 0.0),
            code_match(tokens, passage),
        )
        entry = entry_match(tokens, chunk.heading)
        scored.append((round(relevance(*signals, point.weights, entry=entry), 4), chunk.path))
    scored.sort(key=lambda pair: -pair[0])  # stable: ties keep the fused order
    return m.distinct(path for _score, path in scored)[:DEPTH]


PLAIN = Point(
    0.5, RankingWeights(document_share=0.0, evidence_share=0.0, code_bonus=0.0, entry_bonus=0.0)
)


def misses(records: Sequence[dict[str, Any]], point: Point) -> Iterable[dict[str, Any]]:
    """Each answerable question the weighting does not answer with an expected document
    first: the expected document's rank in each ranking (None: not in its top 10) and what
    came first instead."""
    for record in records:
        if not record["answerable"]:
            continue
        expected = set(record["expected"])
        ranked = ranked_documents(record, point)
        if ranked and ranked[0] in expected:
            continue
        rankings = {
            "vector": m.distinct(row["path"] for row in record["vector"])[:DEPTH],
            "text": m.distinct(row["path"] for row in record["text"])[:DEPTH],
            "plain_fusion": ranked_documents(record, PLAIN),
            "weighted": ranked,
        }
        winner = ranked[0] if ranked else None
        by_winner = [r for r in record["vector"] + record["text"] if r["path"] == winner]
        yield {
            "question": record["question"],
            "expected": sorted(expected),
            "rank": {name: _first(order, expected) for name, order in rankings.items()},
            "first": winner,
            "first_heading": by_winner[0]["heading"] if by_winner else None,
        }


def _first(ranked: Sequence[str], expected: set[str]) -> int | None:
    return next((n for n, path in enumerate(ranked, start=1) if path in expected), None)


def question_scores(records: Sequence[dict[str, Any]], point: Point) -> list[tuple[float, float]]:
    """(hit@1, reciprocal rank) of every answerable question."""
    scores = []
    for record in records:
        if not record["answerable"]:
            continue
        first = _first(ranked_documents(record, point), set(record["expected"]))
        scores.append((1.0 if first == 1 else 0.0, 1.0 / first if first else 0.0))
    return scores


def grid_points(
    vector: Sequence[float] = VECTOR_WEIGHTS,
    document: Sequence[float] = DOCUMENT_WEIGHTS,
    code: Sequence[float] = CODE_WEIGHTS,
    evidence: Sequence[float] = EVIDENCE_WEIGHTS,
) -> list[Point]:
    return [
        Point(w, RankingWeights(document_share=d, evidence_share=e, code_bonus=c))
        for w, d, c, e in itertools.product(vector, document, code, evidence)
    ]


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


Scores = list[list[tuple[float, float]]]  # per grid point, per answerable question
WEIGHTS = ("vector_weight", "document_share", "code_bonus", "evidence_share")


def best_point(points: list[Point], scores: Scores, subset: Sequence[int]) -> int:
    """The grid point best on `subset` (hit@1, then MRR); the first of equals."""
    return max(
        range(len(scores)),
        key=lambda i: (
            round(_mean(scores[i][j][0] for j in subset), 6),
            round(_mean(scores[i][j][1] for j in subset), 6),
            -i,
        ),
    )


def by_marginals(points: list[Point], scores: Scores, subset: Sequence[int]) -> int:
    """Each weight chosen on its own: the value whose mean hit@1 on `subset`, over every
    setting of the other weights, is highest (of equals, the one nearest the middle of the
    values tried). A value good only in one corner of the grid does not win."""
    settings = [p.as_dict() for p in points]
    chosen: dict[str, float] = {}
    for key in WEIGHTS:
        values = sorted({s[key] for s in settings})
        middle = values[len(values) // 2]

        def mean_hit(value: float, key: str = key) -> float:
            rows = [i for i, s in enumerate(settings) if s[key] == value]
            return _mean(_mean(scores[i][j][0] for j in subset) for i in rows)

        chosen[key] = max(values, key=lambda v: (round(mean_hit(v), 6), -abs(v - middle)))
    return next(i for i, s in enumerate(settings) if all(s[k] == chosen[k] for k in WEIGHTS))


SELECTIONS = {"best-point": best_point, "marginals": by_marginals}


def grid(feature_files: Sequence[Path], points: list[Point]) -> Iterable[dict[str, Any]]:
    sets = {path.name: _read(path) for path in feature_files}
    scores = {name: [question_scores(records, p) for p in points] for name, records in sets.items()}
    for i, point in enumerate(points):
        row: dict[str, Any] = {"kind": "point", **point.as_dict()}
        for name, by_point in scores.items():
            row[name] = {
                "hit@1": round(_mean(s[0] for s in by_point[i]), 4),
                "mrr@10": round(_mean(s[1] for s in by_point[i]), 4),
            }
        yield row
    for key in ("vector_weight", "document_share", "code_bonus", "evidence_share"):
        for value in sorted({p.as_dict()[key] for p in points}):
            chosen = [i for i, p in enumerate(points) if p.as_dict()[key] == value]
            yield {
                "kind": "marginal",
                "weight": key,
                "value": value,
                **{
                    name: round(_mean(_mean(s[0] for s in by_point[i]) for i in chosen), 4)
                    for name, by_point in scores.items()
                },
            }
    first = next(iter(scores))
    yield from _cross_validation(points, scores[first], first)


def _cross_validation(points: list[Point], scores: Scores, name: str) -> Iterable[dict[str, Any]]:
    """Each way of choosing, judged on questions it did not choose on."""
    n = len(scores[0])
    everything = list(range(n))
    for method, select in SELECTIONS.items():
        chosen = select(points, scores, everything)
        yield {"kind": "choice", "set": name, "selection": method, **points[chosen].as_dict()}
        rng = random.Random(13)
        held_out: list[float] = []
        for _ in range(FOLD_REPEATS):
            order = list(range(n))
            rng.shuffle(order)
            halves = (order[: n // 2], order[n // 2 :])
            for train, test in (halves, halves[::-1]):
                picked = select(points, scores, train)
                held_out.append(_mean(scores[picked][j][0] for j in test))
        loo = [
            scores[select(points, scores, everything[:k] + everything[k + 1 :])][k][0]
            for k in everything
        ]
        yield {
            "kind": "cv",
            "set": name,
            "selection": method,
            "2-fold_hit@1": round(_mean(held_out), 4),
            "repeats": FOLD_REPEATS,
            "leave-one-out_hit@1": round(_mean(loo), 4),
        }


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _weights(text: str) -> tuple[float, ...]:
    values = tuple(float(part) for part in text.split(","))
    if not all(0.0 <= v <= 1.0 for v in values):
        raise argparse.ArgumentTypeError("weights are between 0 and 1")
    return values


def _weight(text: str) -> float:
    (value,) = _weights(text)
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    steps = parser.add_subparsers(dest="step", required=True)
    gather = steps.add_parser("collect", help="Search every question once; keep the rankings.")
    gather.add_argument("golden", type=Path)
    gather.add_argument("--out", type=Path, required=True)
    gather.add_argument("--pool", type=int, default=50, help="Chunks from each ranking.")
    search = steps.add_parser("grid", help="Score every weighting; cross-validate on the first.")
    search.add_argument("features", nargs="+", type=Path)
    for name, values in (
        ("vector", VECTOR_WEIGHTS),
        ("document", DOCUMENT_WEIGHTS),
        ("code", CODE_WEIGHTS),
        ("evidence", EVIDENCE_WEIGHTS),
    ):
        search.add_argument(
            f"--{name}", type=_weights, default=values, help=f"Comma-separated; default {values}."
        )
    wrong = steps.add_parser("misses", help="The questions a weighting does not put first.")
    wrong.add_argument("features", type=Path)
    defaults = RetrievalConfig()
    for name, value in (
        ("vector", defaults.vector_weight),
        ("document", defaults.document_weight),
        ("code", defaults.code_weight),
        ("evidence", defaults.evidence_weight),
    ):
        wrong.add_argument(f"--{name}", type=_weight, default=value, help=f"Default {value}.")
    args = parser.parse_args(argv)
    if args.step == "misses":
        weights = RankingWeights(args.document, args.evidence, args.code)
        for row in misses(_read(args.features), Point(args.vector, weights)):
            print(json.dumps(row, ensure_ascii=False))
        return 0
    if args.step == "collect":
        count = collect(args.golden, args.out, args.pool)
        print(f"{count} questions -> {args.out}", file=sys.stderr)
        return 0
    points = grid_points(args.vector, args.document, args.code, args.evidence)
    for row in grid(args.features, points):
        print(json.dumps(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
