"""A follow-up that names a thing of the turn before with "the", on real package notes:
procps's bugs.md (tests/data/package_docs), the bundled MiniLM and LanceDB, searched the way
`margin ask` searches a follow-up (`standalone_query`, then the retriever)."""

from __future__ import annotations

from pathlib import Path

from assistant.ask.followup import standalone_query
from assistant.ask.types import PlainTurn
from assistant.core import Index

BUG_REPORT = PlainTurn("How do I report a bug in procps?", "Send it to procps@freelists.org [1].")


def test_the_report_of_the_turn_before_is_searched_with_its_topic(
    package_docs_index: Index,
) -> None:
    question = "What should I include in the report?"
    retriever = package_docs_index.retriever()
    assert not retriever.retrieve(question, k=3).relevant  # alone, "the report" is no topic
    query = standalone_query(question, [BUG_REPORT])
    assert query.text == f"{question} (bug procps)" and "“the report”" in query.reason
    found = retriever.retrieve(query.text, k=3)
    assert found.relevant
    assert Path(found.sources[0].path).parent.name == "procps"


def test_a_thing_of_its_own_after_the_same_word_is_searched_as_asked() -> None:
    question = "What does the ps command show?"
    assert standalone_query(question, [BUG_REPORT]).text == question


def test_the_report_as_the_subject_of_its_verb_is_searched_with_its_topic(
    package_docs_index: Index,
) -> None:
    question = "Where should the report go?"
    retriever = package_docs_index.retriever()
    query = standalone_query(question, [BUG_REPORT])
    assert query.text == f"{question} (bug procps)"
    found = retriever.retrieve(query.text, k=3)
    assert found.relevant and Path(found.sources[0].path).parent.name == "procps"
    assert "procps@freelists.org" in found.evidence.windows[0].source.text
