"""Metric functions for one question, and the summaries (means, percentiles) over many.

Retrieval metrics work on a ranking of documents (each path once, best first) against the
set of relevant documents, with binary relevance. Answer metrics compare texts after
normalisation. All functions are pure, so the aggregates of a run can be recomputed from its
per-question figures. Percentiles come from the log's `percentile` (nearest rank), so eval and
`margin stats` report latency the same way.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

_NON_WORD = re.compile(r"[^\w]+")


def distinct(ranked: Iterable[str]) -> list[str]:
    """The ranking with repeats removed, first occurrence kept: chunks become documents."""
    seen: set[str] = set()
    out: list[str] = []
    for item in ranked:
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


def hit_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """1.0 if any relevant document is among the first k, else 0.0."""
    return 1.0 if any(doc in relevant for doc in ranked[:k]) else 0.0


def recall_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """The share of relevant documents found among the first k."""
    if not relevant:
        raise ValueError("recall needs at least one relevant document")
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def reciprocal_rank_at(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """1 / rank of the first relevant document within the first k, 0.0 if none."""
    for rank, doc in enumerate(ranked[:k], start=1):
        if doc in relevant:
            return 1.0 / rank
    return 0.0


def ndcg_at(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    """Normalised discounted cumulative gain with binary relevance (gain 1 per hit)."""
    if not relevant:
        raise ValueError("nDCG needs at least one relevant document")
    dcg = sum(
        1.0 / math.log2(rank + 1) for rank, doc in enumerate(ranked[:k], 1) if doc in relevant
    )
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(k, len(relevant)) + 1))
    return dcg / ideal


def normalize(text: str) -> str:
    """Lower case, compatibility-folded, punctuation replaced by spaces, spaces collapsed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_WORD.sub(" ", folded).replace("_", " ").split())


def contains(answer: str, expected: str) -> float:
    """1.0 if the normalised expected answer appears, on word boundaries, in the answer."""
    needle = normalize(expected)
    if not needle:
        raise ValueError("the expected answer is empty after normalisation")
    return 1.0 if f" {needle} " in f" {normalize(answer)} " else 0.0


def token_f1(answer: str, expected: str) -> float:
    """Harmonic mean of word precision and recall between answer and expected answer."""
    got = Counter(normalize(answer).split())
    want = Counter(normalize(expected).split())
    common = sum((got & want).values())
    if common == 0:
        return 0.0
    precision = common / sum(got.values())
    recall = common / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def refusal_correct(refused: bool, answerable: bool) -> float:
    """1.0 when the assistant refused exactly the questions it should have refused."""
    return 1.0 if refused != answerable else 0.0


def mean(values: Iterable[float | None]) -> float | None:
    """The mean of the values that are present; None when there are none."""
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None
