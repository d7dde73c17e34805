"""A golden set with one typo per question, for measuring what misspelt questions get.

`python -m eval.typos GOLDEN OUT [--seed N]` writes to OUT every question of GOLDEN that has a
word of at least `MIN_WORD` letters, with its longest such word misspelt the way a hand slips:
a letter left out, doubled, or swapped with the next (chosen by `--seed`, never the first or
last letter). Expected sources are written as absolute paths, so OUT may live anywhere; the
expected answers are kept. Run `margin eval OUT` on the index GOLDEN is run on, before and
after a change (eval/README.md, "Misspelt questions").
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

MIN_WORD = 6
SEED = 13
_WORD = re.compile(r"[A-Za-z]+")


def misspelt(word: str, chooser: random.Random) -> str:
    """`word` with one slip inside it: a letter left out, doubled, or swapped with the next."""
    at = chooser.randrange(1, len(word) - 2)
    slip = chooser.choice(("left out", "doubled", "swapped"))
    if slip == "left out" or (slip == "swapped" and word[at] == word[at + 1]):
        return word[:at] + word[at + 1 :]
    if slip == "doubled":
        return word[:at] + word[at] + word[at:]
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def typo_set(golden: Path, seed: int) -> list[dict[str, object]]:
    """The questions of `golden` with a word long enough to misspell, each misspelt once."""
    chooser = random.Random(seed)
    base = golden.resolve().parent
    questions = []
    for line in golden.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        question = json.loads(line)
        words = [w for w in _WORD.findall(question["question"]) if len(w) >= MIN_WORD]
        if not words:
            continue
        word = max(words, key=len)
        typo = misspelt(word, chooser)
        question["question"] = re.sub(rf"\b{word}\b", typo, question["question"], count=1)
        question["expected_sources"] = [
            str((base / path).resolve()) for path in question.get("expected_sources", [])
        ]
        questions.append(question)
    return questions


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.typos", description=__doc__)
    parser.add_argument("golden", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    questions = typo_set(args.golden, args.seed)
    args.out.write_text("".join(json.dumps(q) + "\n" for q in questions), encoding="utf-8")
    print(f"{len(questions)} questions, each with one typo, in {args.out}")


if __name__ == "__main__":
    main()
