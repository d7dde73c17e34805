from __future__ import annotations

from assistant.guardrails.citations import attribute_citations

SOURCES = {
    1: "margin stores API keys in the system keyring, never in config files.",
    2: "The daily budget refuses remote requests once today's spend reaches budget.daily_usd.",
}


def test_each_supported_sentence_gets_its_best_source() -> None:
    answer = (
        "API keys are stored in the system keyring. "
        "Remote requests are refused once the daily budget is spent!\n"
        "Hope this helps."
    )
    result = attribute_citations(answer, SOURCES)
    assert result.text == (
        "API keys are stored in the system keyring [1]. "
        "Remote requests are refused once the daily budget is spent [2]!\n"
        "Hope this helps."
    )
    assert result.cited == [1, 2]


def test_unsupported_sentences_and_code_are_left_alone() -> None:
    answer = "Penguins migrate across Antarctica every winter. Run `margin keys set work.` now"
    result = attribute_citations(answer, SOURCES)
    assert result.text == answer and result.cited == []


def test_no_sources_means_no_markers() -> None:
    answer = "API keys are stored in the system keyring."
    assert attribute_citations(answer, {}).text == answer
