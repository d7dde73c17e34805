"""Misspelt words put right from the index's own words, and names left as they are.

The index is scripted here: its terms' chunk counts (stemmed, as `TermStatistics` counts
them), the words the embedding model knows, and how many passages the asker may see hold a
word as written. Through the real MiniLM and LanceDB: test_questions_real_pages.py and
test_pipeline_real.py."""

from __future__ import annotations

from assistant.ask.spelling import (
    MAX_TRIED,
    Respelling,
    Speller,
    one_edit_away,
    respelt,
    slipped,
)
from assistant.ask.terms import content_terms

KNOWN = {"environment", "python", "compression", "biggest", "digest", "flash", "flask"}
INDEX = {  # words as written in the passages, and how many passages hold each
    "environment": 40,
    "python": 300,
    "compression": 12,
    "biggest": 3,
    "digest": 30,
    "flash": 5,
    "pyvenv": 6,
    "argparse": 25,
    "functools.lru_cache": 4,
    "findutils": 9,
    "pathlib": 30,
    "ssh": 50,
    "session": 1,
    "tail": 8,
    "tmp": 20,
    "fist": 3,
    "mosh": 2,
    "postgresql": 30,
    "mongodb": 4,
}


def counts(terms: list[str]) -> dict[str, int]:
    by_term: dict[str, int] = {}
    for word, chunks in INDEX.items():
        term = content_terms(word)[0]
        by_term[term] = by_term.get(term, 0) + chunks
    return {t: by_term[t] for t in terms if t in by_term}


def visible(word: str) -> int:
    return INDEX.get(word.casefold(), 0)


def corrected(*words: str) -> list[str]:
    speller = Speller(lambda word: word in KNOWN, counts)
    return [r.correction for r in speller.respellings(words, visible)]


def test_an_ordinary_word_misspelt_is_put_right_in_its_own_case() -> None:
    assert corrected("enviroment") == ["environment"]  # a letter left out
    assert corrected("Pyhton", "PYHTON") == ["Python", "PYTHON"]  # two swapped
    assert corrected("compresion") == ["compression"]


def test_only_a_questions_first_unknown_words_are_tried() -> None:
    pasted = [f"modul{n}x" for n in range(100)]  # a listing pasted as a question
    asked: list[list[str]] = []

    def counted(terms: list[str]) -> dict[str, int]:
        asked.append(terms)
        return counts(terms)

    speller = Speller(lambda word: word in KNOWN, counted)
    assert speller.respellings([*pasted, "enviroment"], visible) == []  # past the first few
    assert len(asked) == MAX_TRIED
    assert corrected("enviroment", "compresion") == ["environment", "compression"]


def test_a_name_is_put_right_only_for_a_slip_of_the_hand() -> None:
    assert corrected("argpaarse", "funnctools.lru_cache") == ["argparse", "functools.lru_cache"]
    # "pyvenv" is one letter added to "pyenv", another tool: a name is not another name
    assert corrected("pyenv") == []
    assert corrected("pthlib") == []  # "pathlib" with a letter left out: too short to tell
    # a name that long is one edit from no other name
    assert corrected("fndutils") == ["findutils"]


def test_a_long_name_is_put_right_into_the_name_it_shortens_by_two_letters() -> None:
    assert corrected("postgres") == ["postgresql"]
    assert corrected("mongo") == []  # a short one may be another name's start


def test_words_of_their_own_and_short_words_are_left_alone() -> None:
    assert corrected("Flask") == []  # a word the model knows is no typo of "flash"
    assert corrected("ssh", "tmux") == []  # too near other words to tell


def test_a_four_letter_word_is_put_right_only_by_two_letters_swapped_back() -> None:
    assert corrected("tial", "Tial") == ["tail", "Tail"]
    # a letter changed, added or left out makes another word too often: "fish" is no "fist",
    # "tmux" no "tmp", "mush" no "mosh"
    assert corrected("fish", "tmux", "mush", "tial") == ["tail"]


def test_a_slip_of_a_stop_word_is_put_right_with_no_passage_holding_it() -> None:
    # stop words are never searched for: no count is kept, and none needs to be seen
    speller = Speller(lambda word: word in KNOWN, counts)
    found = speller.respellings(["gvie", "Whcih", "btoh"], lambda word: 0)
    assert [r.correction for r in found] == ["give", "Which", "both"]


def test_a_correction_keeps_the_first_letter_and_is_held_by_enough_passages() -> None:
    # "digest" is held by more passages, but a slip rarely changes the first letter
    assert corrected("bigest") == ["biggest"]
    # one passage holding "session" may be a typo of its own
    assert corrected("sesion") == []


def test_a_correction_no_passage_the_asker_may_see_holds_is_not_made() -> None:
    speller = Speller(lambda word: word in KNOWN, counts)
    assert speller.respellings(["enviroment"], lambda word: 0) == []


def test_a_question_is_respelt_where_the_word_stands_whole() -> None:
    question = "Which enviroment variable? See enviroment.yml or myenviroment."
    assert respelt(question, [Respelling("enviroment", "environment")]) == (
        "Which environment variable? See enviroment.yml or myenviroment."
    )


def test_edits_are_one_step_away() -> None:
    assert {"pytohn", "pyhon", "pythonn", "pithon"} <= one_edit_away("python")
    assert "python" not in one_edit_away("python")
    assert slipped("argpaarse") >= {"argparse", "argpaarrse", "agrpaarse"}
    assert "argpbarse" not in slipped("argparse")
