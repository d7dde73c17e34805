"""The misspelt question sets `eval.typos` writes from a golden set."""

from __future__ import annotations

import json
import random
from pathlib import Path

from eval.typos import four_letter_typo_set, misspelt, typo_set

GOLDEN = [
    {"question": "What does the name Bash stand for?", "expected_sources": ["a/bash.pdf"]},
    {"question": "What is the default compression level?", "expected_sources": ["b.txt"]},
    {"question": "Who won it?", "expected_sources": [], "answerable": False},
]


def write_golden(folder: Path) -> Path:
    golden = folder / "golden.jsonl"
    golden.write_text("".join(json.dumps(q) + "\n" for q in GOLDEN), encoding="utf-8")
    return golden


def test_four_letter_words_have_their_middle_letters_swapped(tmp_path: Path) -> None:
    questions = four_letter_typo_set(write_golden(tmp_path))
    assert [q["question"] for q in questions] == ["What does the name Bsah stand for?"]
    assert questions[0]["expected_sources"] == [str(tmp_path / "a" / "bash.pdf")]


def test_the_longest_word_gets_one_slip_inside_it(tmp_path: Path) -> None:
    [question] = typo_set(write_golden(tmp_path), seed=13)
    typo = str(question["question"]).split()[-2]
    assert typo != "compression" and typo[0] == "c" and typo[-1] == "n"
    assert typo == misspelt("compression", random.Random(13))
