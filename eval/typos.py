"""A golden set with one typo per question, for measuring what misspelt questions get.

`python -m eval.typos GOLDEN OUT [--seed N | --four]` writes to OUT every question of GOLDEN
that has a word of at least `MIN_WORD` letters, with its longest such word misspelt the way a
hand slips: a letter left out, doubled, or swapped with the next (chosen by `--seed`, never the
first or last letter). With `--four`, every question with a four-letter word other than a
common one ("what", "with", "file"), its first such word with its two middle letters swapped
("bsah"). Expected sources are written as absolute paths, so OUT may live anywhere; the
expected answers are kept. Run `margin eval OUT` on the index GOLDEN is run on, before and
after a change (eval/README.md, "Misspelt questions").
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Callable
from pathlib import Path

MIN_WORD = 6
SEED = 13
_WORD = re.compile(r"[A-Za-z]+")
_FOUR_LETTERS = re.compile(r"(?<![\w.-])[A-Za-z]{4}(?![\w-])")
_COMMON_FOUR_LIST = """
    what when does with from that this have into your will make than then they them also only
    each much more most over such some very just like used uses using file line name text time
    type mode list
"""
_COMMON_FOUR = frozenset(_COMMON_FOUR_LIST.split())


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

    def longest_misspelt(text: str) -> tuple[str, str] | None:
        words = [w for w in _WORD.findall(text) if len(w) >= MIN_WORD]
        word = max(words, key=len) if words else None
        return (word, misspelt(word, chooser)) if word else None

    return _misspelt_set(golden, longest_misspelt)


def four_letter_typo_set(golden: Path) -> list[dict[str, object]]:
    """The questions of `golden` with an uncommon four-letter word, its first such word with
    its two middle letters swapped."""

    def swapped(text: str) -> tuple[str, str] | None:
        words = [w for w in _FOUR_LETTERS.findall(text) if w.lower() not in _COMMON_FOUR]
        typo = words[0][0] + words[0][2] + words[0][1] + words[0][3] if words else None
        return (words[0], typo) if typo and typo.lower() != words[0].lower() else None

    return _misspelt_set(golden, swapped)


def _misspelt_set(
    golden: Path, misspell: Callable[[str], tuple[str, str] | None]
) -> list[dict[str, object]]:
    base = golden.resolve().parent
    questions = []
    for line in golden.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        question = json.loads(line)
        slip = misspell(question["question"])
        if slip is None:
            continue
        word, typo = slip
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
    parser.add_argument("--four", action="store_true", help="swap a four-letter word's middle")
    args = parser.parse_args()
    questions = four_letter_typo_set(args.golden) if args.four else typo_set(args.golden, args.seed)
    args.out.write_text("".join(json.dumps(q) + "\n" for q in questions), encoding="utf-8")
    print(f"{len(questions)} questions, each with one typo, in {args.out}")


if __name__ == "__main__":
    main()
