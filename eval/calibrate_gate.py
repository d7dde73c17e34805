"""Calibrate the relevance gate (`retrieval.min_relevance`) on a golden set.

`MARGIN_HOME=DIR python -m eval.calibrate_gate GOLDEN [--k 3] [--json]` retrieves every
question of GOLDEN the way `margin ask` does (the configured retriever, `ask.k` sources) and
prints, for candidate thresholds on the evidence score, the share of answerable questions
refused (false refusals) and of unanswerable ones refused, and which threshold keeps false
refusals at or below 2% while refusing the most unanswerable questions. It also says how often
the best evidence sentence, and its window, contain the expected answer: what a quote answer
can reach. Tune on `real-tune.jsonl`; check the chosen value on `real-report.jsonl`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from assistant.core import open_index
from assistant.evaluation import metrics as m
from assistant.evaluation.golden import load_golden

FALSE_REFUSAL_GOAL = 0.02


def measure(golden_path: Path, k: int) -> list[dict[str, Any]]:
    index = open_index()
    retriever = index.retriever()
    rows = []
    for question in load_golden(golden_path).questions:
        found = retriever.retrieve(question.question, k=k)
        best = found.evidence.best
        expected = question.expected_answer or ""
        rows.append(
            {
                "question": question.question,
                "answerable": question.answerable,
                "score": found.evidence_score,
                "coverage": best.coverage if best else 0.0,
                "missing_names": [name.text for name in found.missing_names],
                "refused": not found.relevant,
                "in_sentence": bool(best and expected and m.contains(best.sentence.text, expected)),
                "in_window": bool(best and expected and m.contains(best.window.text, expected)),
            }
        )
    return rows


def thresholds(rows: list[dict[str, Any]]) -> list[dict[str, float]]:
    answerable = [r["score"] for r in rows if r["answerable"]]
    unanswerable = [r["score"] for r in rows if not r["answerable"]]
    table = []
    for step in range(20, 71):
        threshold = step / 100
        table.append(
            {
                "threshold": threshold,
                "false_refusals": _share(answerable, threshold),
                "unanswerable_refused": _share(unanswerable, threshold),
            }
        )
    return table


def _share(scores: list[float], threshold: float) -> float:
    return sum(score < threshold for score in scores) / len(scores) if scores else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("golden", type=Path)
    parser.add_argument("--k", type=int, default=3, help="sources per question (ask.k)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = measure(args.golden, args.k)
    table = thresholds(rows)
    within = [t for t in table if t["false_refusals"] <= FALSE_REFUSAL_GOAL]
    chosen = max(within, key=lambda t: (t["unanswerable_refused"], t["threshold"]), default=None)
    answerable = [r for r in rows if r["answerable"]]
    quotable = {
        "sentence_contains_answer": m.mean(float(r["in_sentence"]) for r in answerable),
        "window_contains_answer": m.mean(float(r["in_window"]) for r in answerable),
    }
    if args.json:
        json.dump({"rows": rows, "table": table, "chosen": chosen, **quotable}, sys.stdout)
        return 0
    print("threshold  false refusals  unanswerable refused")
    for t in table:
        print(
            f"{t['threshold']:9.2f}  {t['false_refusals']:14.3f}  {t['unanswerable_refused']:20.3f}"
        )
    print(f"chosen (false refusals <= {FALSE_REFUSAL_GOAL:.0%}): {chosen}")
    print(quotable)
    return 0


if __name__ == "__main__":
    sys.exit(main())
