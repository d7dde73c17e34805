"""Calibrate the relevance gate (`retrieval.min_relevance`, `passing_mentions`) on a golden set.

`MARGIN_HOME=DIR python -m eval.calibrate_gate GOLDEN [--k 3] [--json]` retrieves every
question of GOLDEN the way `margin ask` does (the configured retriever, `ask.k` sources) and
prints, for candidate thresholds on the gate score (`Retrieval.gate_score`: the sources' best
chunk cosine mixed with the best evidence window's coverage), the share of answerable questions
refused (false refusals) and of unanswerable ones refused, and which threshold keeps false
refusals at or below 2% while refusing the most unanswerable questions; then, at the configured
evidence thresholds, the same for `passing_mentions` (the names rule: a name of the question
none of the sources mentions refuses when the index holds it in at most that many chunks;
-1 turns the rule off), and for `min_coverage` (the share of the question's weighted terms the
best window must hold). A one-word match (`Retrieval.one_word_match`) is refused at every
setting, as `margin ask` refuses it. It also says how often the best evidence sentence, and
its window, contain the expected answer: what a quote answer can reach. Tune on
`real-tune.jsonl`; check the chosen value on `real-report.jsonl`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from assistant.ask.names import NameCheck
from assistant.config import RetrievalConfig
from assistant.core import Index, open_index
from assistant.evaluation import metrics as m
from assistant.evaluation.golden import load_golden

FALSE_REFUSAL_GOAL = 0.02
PASSING_MENTIONS = (-1, 0, 1, 2, 3, 5, 10, 20)
MIN_COVERAGES = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3)
EVERY_MENTION = 1_000_000  # while measuring: every name the sources miss, with its count


def measure(index: Index, golden_path: Path, k: int) -> list[dict[str, Any]]:
    retriever = index.retriever()
    names = index.name_check()
    if names is not None:
        retriever.names = NameCheck(names.known_word, index.terms.chunk_counts, EVERY_MENTION)
    rows = []
    for question in load_golden(golden_path).questions:
        found = retriever.retrieve(question.question, k=k)
        best = found.evidence.best
        expected = question.expected_answer or ""
        rows.append(
            {
                "question": question.question,
                "answerable": question.answerable,
                "score": found.gate_score,
                "similarity": found.similarity,
                "coverage": found.evidence.best_coverage,
                "one_word": found.one_word_match,
                "unfound_names": [[name.text, name.chunks] for name in found.missing_names],
                "in_sentence": bool(best and expected and m.contains(best.sentence.text, expected)),
                "in_window": bool(best and expected and m.contains(best.window.text, expected)),
            }
        )
    return rows


def refused(row: dict[str, Any], min_relevance: float, min_coverage: float, passing: int) -> bool:
    """Whether the gate refuses this question with these settings."""
    if row["score"] < min_relevance or row["coverage"] < min_coverage or row["one_word"]:
        return True
    return passing >= 0 and any(chunks <= passing for _, chunks in row["unfound_names"])


def thresholds(rows: list[dict[str, Any]], config: RetrievalConfig) -> list[dict[str, float]]:
    """Refusal shares for evidence thresholds, coverage and names rule as configured."""
    table = []
    for step in range(20, 71):
        threshold = step / 100
        table.append(
            {
                "threshold": threshold,
                **_shares(rows, threshold, config.min_coverage, config.passing_mentions),
            }
        )
    return table


def passing_table(rows: list[dict[str, Any]], config: RetrievalConfig) -> list[dict[str, float]]:
    """Refusal shares for values of `passing_mentions`, evidence thresholds as configured."""
    return [
        {"passing_mentions": p, **_shares(rows, config.min_relevance, config.min_coverage, p)}
        for p in PASSING_MENTIONS
    ]


def coverage_table(rows: list[dict[str, Any]], config: RetrievalConfig) -> list[dict[str, float]]:
    """Refusal shares for values of `min_coverage`, the threshold and names rule as configured."""
    return [
        {"min_coverage": c, **_shares(rows, config.min_relevance, c, config.passing_mentions)}
        for c in MIN_COVERAGES
    ]


def _shares(
    rows: list[dict[str, Any]], min_relevance: float, min_coverage: float, passing: int
) -> dict[str, float]:
    def share(answerable: bool) -> float:
        chosen = [r for r in rows if r["answerable"] is answerable]
        hits = sum(refused(r, min_relevance, min_coverage, passing) for r in chosen)
        return hits / len(chosen) if chosen else 0.0

    return {"false_refusals": share(True), "unanswerable_refused": share(False)}


def _print_table(setting: str, table: list[dict[str, float]]) -> None:
    """One line per value of `setting`: its refusal shares, in columns under their names."""
    print(f"{setting}  false refusals  unanswerable refused")
    for t in table:
        value = t[setting]
        shown = (
            f"{value:{len(setting)}d}" if isinstance(value, int) else f"{value:{len(setting)}.2f}"
        )
        print(f"{shown}  {t['false_refusals']:14.3f}  {t['unanswerable_refused']:20.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("golden", type=Path)
    parser.add_argument("--k", type=int, default=3, help="sources per question (ask.k)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    index = open_index()
    rows = measure(index, args.golden, args.k)
    config = index.config.retrieval
    table = thresholds(rows, config)
    names = passing_table(rows, config)
    coverages = coverage_table(rows, config)
    within = [t for t in table if t["false_refusals"] <= FALSE_REFUSAL_GOAL]
    chosen = max(within, key=lambda t: (t["unanswerable_refused"], t["threshold"]), default=None)
    answerable = [r for r in rows if r["answerable"]]
    quotable = {
        "sentence_contains_answer": m.mean(float(r["in_sentence"]) for r in answerable),
        "window_contains_answer": m.mean(float(r["in_window"]) for r in answerable),
    }
    if args.json:
        report = {
            "rows": rows,
            "table": table,
            "passing_mentions": names,
            "min_coverage": coverages,
            "chosen": chosen,
        }
        json.dump({**report, **quotable}, sys.stdout)
        return 0
    _print_table("threshold", table)
    print(f"chosen (false refusals <= {FALSE_REFUSAL_GOAL:.0%}): {chosen}")
    _print_table("passing_mentions", names)
    _print_table("min_coverage", coverages)
    print(quotable)
    return 0


if __name__ == "__main__":
    sys.exit(main())
