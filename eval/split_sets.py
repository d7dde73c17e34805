"""Deal one pool of questions into the tune set and the report set, at random with a fixed seed.

`python -m eval.split_sets [--pool FILE]` writes `real-tune.jsonl` and `real-report.jsonl`;
without `--pool` the pool is the two sets together, so re-running it reproduces them.
`--check` writes nothing and exits 1 if the sets are not the seeded split of their union
(a question moved by hand, or a set edited without re-dealing).

The deal is stratified: unanswerable questions are one stratum, answerable ones are grouped
by the kind of their first expected source (Python library reference, other Python docs,
the bash manual, manual pages, READMEs), so both sets cover the same ground. Within a
stratum the questions are sorted, shuffled with `random.Random(f"{SEED}:{stratum}")`, and
the first half (rounded down) goes to the tune set.

Adding questions re-deals their stratum: do it before tuning starts on the new tune set.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from eval import REPORT_SET, TUNE_SET

SEED = 13  # the issue the sets were written for
STRATA = (
    ("python-library", "/python3.11/html/library/"),
    ("python-guides", "/python3.11/html/"),
    ("bash-manual", "/usr/share/doc/bash/bash"),
    ("manual-pages", "/man/man"),
    ("readmes", "/usr/share/doc/"),
)

Question = dict[str, Any]


def stratum(question: Question) -> str:
    if not question.get("answerable", True):
        return "unanswerable"
    first = question["expected_sources"][0]
    for name, marker in STRATA:
        if marker in first:
            return name
    raise ValueError(f"no stratum for the source {first!r} of {question['question']!r}")


def split(pool: Iterable[Question]) -> tuple[list[Question], list[Question]]:
    """(tune, report): each stratum shuffled with its own seeded generator, halved."""
    by_stratum: dict[str, list[Question]] = {}
    for question in pool:
        by_stratum.setdefault(stratum(question), []).append(question)
    tune: list[Question] = []
    report: list[Question] = []
    for name in sorted(by_stratum):
        questions = sorted(by_stratum[name], key=lambda q: q["question"])
        random.Random(f"{SEED}:{name}").shuffle(questions)
        half = len(questions) // 2
        tune.extend(questions[:half])
        report.extend(questions[half:])
    return tune, report


def read_lines(path: Path) -> list[Question]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip() and not line.startswith("#")]


def write_lines(path: Path, questions: Sequence[Question]) -> None:
    text = "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions)
    path.write_text(text, encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pool", type=Path, help="Deal this file (default: both sets).")
    parser.add_argument("--check", action="store_true", help="Verify the split; write nothing.")
    args = parser.parse_args(argv)
    if args.pool:
        pool = read_lines(args.pool)
    else:
        current = (read_lines(TUNE_SET), read_lines(REPORT_SET))
        pool = current[0] + current[1]
    questions = [q["question"] for q in pool]
    repeated = sorted({q for q in questions if questions.count(q) > 1})
    if repeated:
        print(f"questions asked twice: {repeated}", file=sys.stderr)
        return 1
    tune, report = split(pool)
    if args.check:
        if (tune, report) != (read_lines(TUNE_SET), read_lines(REPORT_SET)):
            print("the sets are not the seeded split of their union", file=sys.stderr)
            return 1
        return 0
    write_lines(TUNE_SET, tune)
    write_lines(REPORT_SET, report)
    print(f"{TUNE_SET.name}: {len(tune)}, {REPORT_SET.name}: {len(report)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
