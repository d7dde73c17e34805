"""Evaluation on real documents nobody here wrote: a corpus Debian ships, and golden sets.

`manifest.txt` names the files; `python -m eval.build_corpus` assembles them into a folder
(`.eval-corpus/` by default, never committed); `real-tune.jsonl` is the set to tune on and
`real-report.jsonl` the set to report on (`make eval-real` runs both); `real-fresh.jsonl` was
written after every weight and rule had been chosen, for reporting only, and is outside the
pool `split_sets.py` deals. See README.md.
"""

from __future__ import annotations

from pathlib import Path

EVAL = Path(__file__).resolve().parent
REPO = EVAL.parent
MANIFEST = EVAL / "manifest.txt"
CORPUS = REPO / ".eval-corpus"
TUNE_SET = EVAL / "real-tune.jsonl"
REPORT_SET = EVAL / "real-report.jsonl"
FRESH_SET = EVAL / "real-fresh.jsonl"
GOLDEN_SETS = (TUNE_SET, REPORT_SET)
CHECKED_SETS = (*GOLDEN_SETS, FRESH_SET)
"""Every real set whose format, sources and expected answers are checked: the dealt pair and
the fresh set. Runs that rank or answer take GOLDEN_SETS (the fresh set is named by hand)."""
