"""Golden sets from rated answers, read back from a real log."""

from __future__ import annotations

from pathlib import Path

from assistant.ask.types import Answer
from assistant.evaluation.feedback import golden_from_feedback
from assistant.evaluation.golden import parse_golden
from assistant.log.interactions import InteractionLog
from tests.assistant.evaluation.scripted import source


def logged(log: InteractionLog, question: str, **fields: object) -> int:
    return log.record(Answer(question=question, **fields))  # type: ignore[arg-type]


def test_rated_answers_become_golden_lines_and_review_notes(tmp_path: Path) -> None:
    sources = [source(1, "/docs/a.md"), source(2, "/docs/b.md"), source(3, "/docs/a.md")]
    with InteractionLog(tmp_path / "logs.db", log_text=True) as log:
        up = logged(
            log, "Where are keys?", answer="In the keyring [1][3].", sources=sources, cited=[1, 3]
        )
        down = logged(log, "Size limit?", answer="10 MB", sources=sources, cited=[2])
        uncited = logged(log, "Quit key?", answer="Ctrl+Q", sources=sources)
        refused = logged(
            log,
            "Capital of Peru?",
            answer="Not found in your documents.",
            refused=True,
            refusal_reason="not_found",
        )
        logged(log, "Never rated?", answer="x", sources=sources, cited=[1])
        for interaction, rating in ((up, "up"), (down, "down"), (uncited, "up"), (refused, "up")):
            log.feedback(interaction, rating, "wrong number" if rating == "down" else "")
        result = golden_from_feedback(log.recent(100))

    assert result.lines == [
        {"question": "Capital of Peru?", "expected_sources": [], "answerable": False},
        {"question": "Where are keys?", "expected_sources": ["/docs/a.md"], "answerable": True},
    ]
    assert result.review == [
        f"#{uncited} rated up but cited no source: Quit key?",
        f"#{down} rated down (wrong number): Size limit?",
    ]
    reparsed = parse_golden(result.to_jsonl(), tmp_path, "feedback.jsonl")
    assert [q.question for q in reparsed] == ["Capital of Peru?", "Where are keys?"]


def test_interactions_logged_without_text_are_counted_not_used(tmp_path: Path) -> None:
    with InteractionLog(tmp_path / "logs.db", log_text=False) as log:
        log.feedback(logged(log, "secret question", answer="x"), "up")
        result = golden_from_feedback(log.recent(10))
    assert result.lines == [] and result.without_text == 1
    assert result.to_jsonl() == ""
