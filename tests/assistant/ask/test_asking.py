"""The sentences of a question that ask, and whether they ask how to do something."""

from __future__ import annotations

import pytest

from assistant.ask.asking import asking_sentences, asks_how_to


def test_the_situation_told_first_is_blanked_and_offsets_kept() -> None:
    question = "I copied a list with copy.copy. How is a deep copy different?"
    asked = asking_sentences(question)
    assert len(asked) == len(question)
    assert asked.strip() == "How is a deep copy different?"
    # a question mark inside quotes asks too: the sentence is not cut in two
    assert asking_sentences("What does nargs='?' mean?") == "What does nargs='?' mean?"


@pytest.mark.parametrize(
    "question",
    [
        "How do I activate a virtual environment?",
        "In Python, how do I glue a list of words into one string?",
        "My key has no passphrase. How can I add one?",
        "how to list files by size",
    ],
)
def test_a_question_asking_how_to_do_something(question: str) -> None:
    assert asks_how_to(question)


@pytest.mark.parametrize(
    "question",
    [
        "How is a deep copy different?",
        "What happens if I pass maxsize=None to functools.lru_cache?",
        # how-to in the situation told first, not in what is asked
        "I read how to do it in the manual. Why does it fail?",
    ],
)
def test_a_question_asking_something_else(question: str) -> None:
    assert not asks_how_to(question)
