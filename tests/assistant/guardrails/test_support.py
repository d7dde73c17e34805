"""The support check: each answer sentence against its best source passage."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.ask.types import Source
from assistant.guardrails.support import SupportChecker, check_support, mark

REPORT = (
    "The 2019 annual report of Acme Corp says revenue grew 17% to 2,350 units in Q3. "
    "The office in Boston opened on 2019-03-04 under Maria Lopez."
)
MANUAL = "To install margin, run pip install margin and then margin ingest on your notes folder."
SOURCES = {
    1: "margin stores API keys in the system keyring, never in config files.",
    2: "The daily budget refuses remote requests once today's spend reaches budget.daily_usd.",
}


def statuses(answer: str, sources: dict[int, str]) -> list[tuple[str, int | None]]:
    return [(s.status, s.source) for s in check_support(answer, sources).sentences]


def test_a_faithful_cited_answer_is_fully_supported() -> None:
    answer = (
        "Acme Corp's revenue grew 17 % to 2350 units in Q3 [1]. "
        "Maria Lopez opened the Boston office on 2019-03-04 [1]."
    )
    report = check_support(answer, {1: REPORT, 2: MANUAL})
    assert [(s.status, s.source, s.cited) for s in report.sentences] == [("cited", 1, (1,))] * 2
    assert report.share == 1.0 and report.attributed == [] and report.unsupported == []
    assert "2,350 units" in report.sentences[0].evidence


def test_uncited_sentences_get_margins_match_never_a_citation() -> None:
    answer = (
        "API keys are stored in the system keyring. "
        "Remote requests are refused once the daily budget is spent!\n"
        "Hope this helps."
    )
    report = check_support(answer, SOURCES)
    assert statuses(answer, SOURCES) == [("attributed", 1), ("attributed", 2), ("skipped", None)]
    assert report.attributed == [1, 2] and report.share == 1.0
    assert [mark(s) for s in report.sentences] == ["[1]?", "[2]?", ""]


def test_a_citation_to_the_wrong_source_is_not_the_models_support() -> None:
    answer = "Run pip install margin, then margin ingest on the notes folder [1]."
    [sentence] = check_support(answer, {1: REPORT, 2: MANUAL}).sentences
    assert (sentence.status, sentence.cited, sentence.source) == ("attributed", (1,), 2)


def test_invented_numbers_dates_and_names_make_a_sentence_unsupported() -> None:
    answer = (
        "Acme Corp's revenue grew 23% to 4,100 units in Q3 [1]. "
        "The report was approved by John Smith of the Federal Reserve on 2020-01-31."
    )
    report = check_support(answer, {1: REPORT, 2: MANUAL})
    assert [s.missing for s in report.sentences] == [
        ("23%", "4,100"),
        ("2020-01-31", "John Smith", "Federal Reserve"),
    ]
    assert report.share == 0.0 and [mark(s) for s in report.sentences] == ["[?]", "[?]"]


def test_an_invented_command_fails_whatever_else_the_sentence_shares() -> None:
    source = "Install packages with python -m pip install NAME, then start jupyter notebook."
    answer = "To install it, run pip -m jupyte and then start the notebook [1]."
    [sentence] = check_support(answer, {1: source}).sentences
    assert sentence.status == "unsupported" and sentence.missing == ("jupyte",)


def test_code_blocks_are_checked_by_their_names_and_options() -> None:
    source = (
        "To create a virtual environment, run python -m venv tutorial-env. "
        "Activate it with source tutorial-env/bin/activate on Unix."
    )
    good = (
        "Create it:\n```sh\npython -m venv tutorial-env\n```\n"
        "Then `source tutorial-env/bin/activate`."
    )
    assert statuses(good, {1: source}) == [("skipped", None), ("attributed", 1), ("attributed", 1)]
    bad = "```sh\npython -m venvx tutorial-env\n```"
    [block] = check_support(bad, {1: source}).sentences
    assert (block.kind, block.status, block.missing) == ("code", "unsupported", ("venvx",))


def test_quoted_strings_in_code_are_examples_not_terms() -> None:
    source = "Call print() to write text."
    [block] = check_support('```python\nprint("hello wonderful world")\n```', {1: source}).sentences
    assert block.status == "attributed"


@pytest.mark.parametrize(
    ("answer", "source"),
    [
        ("It costs 2,350 dollars in total.", "the price is 2350 dollars in total"),
        ("It costs 2350 dollars in total.", "the price is 2,350 dollars in total"),
        ("A rise of 17 % in sales.", "a 17% rise in sales"),
        ("It weighs 3.50 kg when full.", "it weighs 3.5 kg when full"),
    ],
)
def test_numbers_are_normalised(answer: str, source: str) -> None:
    [sentence] = check_support(answer, {1: source}).sentences
    assert sentence.status == "attributed" and sentence.missing == ()


def test_single_digits_and_sentence_initial_words_are_not_facts() -> None:
    answer = "There are 3 steps to follow. Install it first of all. Then run it again."
    source = "There are three steps to follow: install it first of all, then run it again."
    assert all(s.missing == () for s in check_support(answer, {1: source}).sentences)


def test_an_unrelated_answer_is_unsupported() -> None:
    answer = "Photosynthesis converts sunlight into chemical energy in chloroplasts."
    assert statuses(answer, {1: MANUAL}) == [("unsupported", 1)]


def test_no_claims_means_no_share() -> None:
    assert check_support("Yes.", {1: MANUAL}).share is None
    assert check_support("", {}).sentences == []


def test_no_sources_supports_nothing() -> None:
    report = check_support("API keys are stored in the system keyring.", {})
    assert [s.status for s in report.sentences] == ["unsupported"] and report.share == 0.0


def test_markers_and_headings_are_not_claims() -> None:
    answer = "## Installing margin\nRun pip install margin and then margin ingest [1]."
    assert statuses(answer, {1: MANUAL}) == [("skipped", None), ("cited", 1)]


def test_names_after_list_markup_or_a_colon_start_a_clause() -> None:
    source = "Acme Corp ships an API. Run margin ingest, then ask questions."
    answer = (
        "1. **Ingest**: Run margin ingest [1].\n"
        "2. **Ask**: Then ask questions about Acme Corp's API [1].\n"
        "- Note: the API was written by Jane O'Brien."
    )
    report = check_support(answer, {1: source})
    assert [s.missing for s in report.sentences] == [(), (), ("Jane O'Brien",)]


def test_a_statement_that_the_documents_do_not_say_is_not_checked() -> None:
    source = "margin stores its interaction log in SQLite using WAL mode."
    answer = (
        "margin stores its log in SQLite using WAL mode. "
        "The documents do not say whether PostgreSQL works."
    )
    report = check_support(answer, {1: source})
    assert [s.status for s in report.sentences] == ["attributed", "skipped"]
    assert report.share == 1.0


def test_a_name_must_match_whole_words() -> None:
    source = "The annual report was written by Annabel Lee."
    [sentence] = check_support("The report was written by Ann Lee.", {1: source}).sentences
    assert sentence.missing == ("Ann Lee",)


def test_common_words_count_for_little_rare_ones_for_much() -> None:
    """Words every source holds ("file", "use") cannot carry a sentence by themselves."""
    sources = {
        1: "Use the file menu to open a file. Use the file dialog to save a file.",
        2: "Use a file to store settings. Each file holds one profile.",
        3: "The keyring holds secrets for each profile.",
    }
    answer = "Use the file menu to encrypt a file with a passphrase."
    [sentence] = check_support(answer, sources).sentences
    assert sentence.status == "unsupported" and sentence.score < 0.5


def test_support_may_span_two_adjacent_source_sentences() -> None:
    source = "The cache keeps answers for a week. Entries expire after seven days of no use."
    answer = "The cache keeps answers, and entries expire after seven days of no use."
    [sentence] = check_support(answer, {1: source}).sentences
    assert sentence.status == "attributed" and sentence.evidence == source


def test_wrapped_lines_of_a_source_do_not_end_its_sentences() -> None:
    source = (
        "## Keys\nmargin never stores API keys in files. Keys live in your operating\n"
        "system's keyring (the Secret Service on Linux), through the\n`keyring` library:\n"
        "- first item\n```sh\nmargin keys set work\n```"
    )
    [sentence] = check_support(
        "Keys live in the operating system's keyring.", {1: source}
    ).sentences
    assert sentence.status == "attributed"
    assert sentence.evidence.startswith("Keys live in your operating system's keyring")


def test_a_sources_heading_is_its_words_too() -> None:
    grep = Source(
        1,
        "grep.1.txt:7",
        "man1/grep.1.txt",
        None,
        "grep, egrep, fgrep - print lines that match patterns > OPTIONS > Matching Control",
        40,
        0.7,
        "-i, --ignore-case Ignore case distinctions in patterns and input data.",
    )
    answer = "Run `grep -i` to ignore case distinctions in patterns [1]."
    [with_heading] = SupportChecker.of([grep]).check_text(answer).sentences
    [text_only] = check_support(answer, {1: grep.text}).sentences
    assert (with_heading.status, with_heading.missing) == ("cited", ())
    assert text_only.status == "unsupported" and "grep" in text_only.missing


def test_each_sentence_knows_the_file_line_of_its_evidence() -> None:
    # An HTML page's chunk: its text lines are not the file's lines one for one.
    page = Source(
        1,
        "otters.html:12",
        "/notes/otters.html",
        None,
        "Otters",
        12,
        0.8,
        "Sea otters hold hands while they sleep.\n"
        "They wrap themselves in kelp as well.\n"
        "Otters groom their fur for hours every day, working air into it.",
        lines=(12, 15, 21),
    )
    answer = (
        "Otters groom their fur for hours every day [1]. "
        "Sea otters hold hands while they sleep [1]."
    )
    groom, sleep = SupportChecker.of([page]).check_text(answer).sentences
    assert (groom.status, groom.line) == ("cited", 21)
    assert (sleep.status, sleep.line) == ("cited", 12)
    # checked against text alone, with no source to place it in, a sentence has no line
    assert {s.line for s in check_support(answer, {1: page.text}).sentences} == {None}


# A note whose heading line and first sentence share their words: the sentence alone and the
# pair of heading and sentence cover the answer equally. Which one wins once turned on the
# order of a set of words, which each Python process hashes its own way: the answer cited the
# note's first line in one test run of six (PYTHONHASHSEED=1016 did it every time).
_TIE = """
from assistant.guardrails.support import SupportChecker
keys = "# Keys\\n\\nmargin keeps API keys in the system keyring. When no keyring is available, " \\
    "it reads the\\nkey from the environment variable named by the profile's key_env setting."
budget = "# Budget\\n\\nEvery remote request is priced before it is sent. A request above the " \\
    "daily budget is\\nrefused, and the refusal says how to raise the budget in config.toml."
checker = SupportChecker({1: "Keys\\n\\n" + keys, 2: "Budget\\n\\n" + budget})
[sentence] = checker.check_text("margin keeps API keys in the system keyring [1].").sentences
print(sentence.evidence)
"""


@pytest.mark.parametrize("seed", ["0", "1016", "4242"])
def test_a_tie_between_passages_goes_the_same_way_in_every_process(seed: str) -> None:
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)}
    shown = subprocess.run(
        [sys.executable, "-c", _TIE], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert shown == "margin keeps API keys in the system keyring."
