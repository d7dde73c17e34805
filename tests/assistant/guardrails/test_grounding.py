from __future__ import annotations

import pytest

from assistant.guardrails.citations import assess_grounding

REPORT = (
    "The 2019 annual report of Acme Corp says revenue grew 17% to 2,350 units in Q3. "
    "The office in Boston opened on 2019-03-04 under Maria Lopez."
)
MANUAL = "To install margin, run pip install margin and then margin ingest on your notes folder."


def test_a_faithful_answer_scores_one_and_flags_nothing() -> None:
    answer = (
        "Acme Corp's revenue grew 17 % to 2350 units in Q3 [1]. "
        "Maria Lopez opened the Boston office on 2019-03-04 [1]."
    )
    grounding = assess_grounding(answer, [REPORT], [REPORT, MANUAL])
    assert grounding.score == 1.0
    assert grounding.unsupported == []


def test_invented_numbers_dates_and_names_are_flagged() -> None:
    answer = (
        "Acme Corp's revenue grew 23% to 4,100 units in Q3 [1]. "
        "The report was approved by John Smith of the Federal Reserve on 2020-01-31."
    )
    grounding = assess_grounding(answer, [REPORT], [REPORT, MANUAL])
    assert grounding.unsupported == ["23%", "4,100", "2020-01-31", "John Smith", "Federal Reserve"]
    assert grounding.score == 0.5


def test_only_cited_sources_count_when_some_are_cited() -> None:
    answer = "Run pip install margin, then margin ingest on the notes folder [2]."
    assert assess_grounding(answer, [MANUAL], [REPORT, MANUAL]).score == 1.0
    assert assess_grounding(answer, [REPORT], [REPORT, MANUAL]).score == 0.0


def test_all_sources_count_when_nothing_is_cited() -> None:
    answer = "Acme Corp grew revenue 17% in 2019, according to Maria Lopez."
    grounding = assess_grounding(answer, [], [MANUAL, REPORT])
    assert grounding.score == 1.0
    assert grounding.unsupported == []


@pytest.mark.parametrize(
    ("answer", "source"),
    [
        ("It costs 2,350 dollars.", "the price is 2350 dollars"),
        ("It costs 2350 dollars.", "the price is 2,350 dollars"),
        ("A rise of 17 %.", "a 17% rise"),
        ("It weighs 3.50 kg.", "it weighs 3.5 kg"),
    ],
)
def test_numbers_are_normalised(answer: str, source: str) -> None:
    assert assess_grounding(answer, [source], [source]).unsupported == []


def test_single_digits_and_sentence_initial_words_are_not_facts() -> None:
    answer = "There are 3 steps. Install it first. Then run it."
    source = "There are three steps: install it, then run it."
    grounding = assess_grounding(answer, [source], [source])
    assert grounding.unsupported == []


def test_unrelated_answer_scores_zero() -> None:
    answer = "Photosynthesis converts sunlight into chemical energy in chloroplasts."
    grounding = assess_grounding(answer, [MANUAL], [MANUAL])
    assert grounding.score == 0.0


def test_answer_without_claims_scores_one() -> None:
    assert assess_grounding("Yes.", [MANUAL], [MANUAL]).score == 1.0
    assert assess_grounding("", [], []).score == 1.0


def test_code_and_markers_are_not_judged() -> None:
    answer = "Run `margin ingest ~/Notes --collection Work2024` on your notes folder [1]."
    grounding = assess_grounding(answer, [MANUAL], [MANUAL])
    assert grounding.unsupported == []
    assert grounding.score == 1.0


def test_names_after_list_markup_or_a_colon_start_a_clause() -> None:
    source = "Acme Corp ships an API. Run margin ingest, then ask questions."
    answer = (
        "1. **Ingest**: Run margin ingest [1].\n"
        "2. **Ask**: Then ask questions about Acme Corp's API [1].\n"
        "- Note: the API was written by Jane O'Brien."
    )
    grounding = assess_grounding(answer, [source], [source])
    assert grounding.unsupported == ["Jane O'Brien"]


def test_statements_of_absence_count_as_unsupported() -> None:
    # A known limit of lexical grounding: "not in the documents" shares no words with them.
    source = "margin stores its interaction log in SQLite using WAL mode."
    answer = "margin stores its log in SQLite using WAL mode. I found nothing about PostgreSQL."
    grounding = assess_grounding(answer, [source], [source])
    assert grounding.score == 0.5
    assert grounding.unsupported == ["PostgreSQL"]


def test_a_name_must_match_whole_words() -> None:
    source = "The annual report was written by Annabel Lee."
    grounding = assess_grounding("The report was written by Ann Lee.", [source], [source])
    assert grounding.unsupported == ["Ann Lee"]
    grounding = assess_grounding("It was written by Ann.", [source], [source])
    assert grounding.unsupported == ["Ann"]
