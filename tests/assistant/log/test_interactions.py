from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from assistant.ask.types import Answer, SentenceSupport
from assistant.errors import UsageError
from assistant.log import InteractionLog, InvalidRatingError, UnknownInteractionError
from tests.assistant.log.conftest import file_bytes
from tests.assistant.log.helpers import ANSWER_MARK, CHUNK_MARK, Clock, at, make_answer


def test_record_and_get_round_trip(log: InteractionLog, clock: Clock) -> None:
    answer = make_answer(1)
    snapshot = {"model": "work", "retrieval": {"k": 6}}
    interaction_id = log.record(answer, config_snapshot=snapshot)
    record = log.get(interaction_id)
    assert record.answer == replace(answer, interaction_id=interaction_id)
    assert record.created_at == clock.now
    assert record.text_kept is True
    assert record.config_snapshot == snapshot
    assert record.question_chars == len(answer.question)
    assert record.feedback is None


def test_refused_cancelled_answer_round_trip(log: InteractionLog) -> None:
    answer = Answer(
        question="What is in my tax return?",
        refused=True,
        refusal_reason="not found in your documents",
        mode="refused",
        cancelled=True,
        latency_ms={"retrieve": 4.0},
    )
    record = log.get(log.record(answer))
    assert record.answer.refused and record.answer.cancelled
    assert record.answer.refusal_reason == "not found in your documents"
    assert record.answer.groundedness is None
    assert record.config_snapshot is None


def test_get_unknown_id(log: InteractionLog) -> None:
    with pytest.raises(UnknownInteractionError, match="No interaction with id 99"):
        log.get(99)


def test_feedback_latest_rating_wins(log: InteractionLog, clock: Clock) -> None:
    interaction_id = log.record(make_answer())
    log.feedback(interaction_id, "up")
    clock.advance(minutes=1)
    log.feedback(interaction_id, "down", note="cited the wrong file")
    feedback = log.get(interaction_id).feedback
    assert feedback is not None
    assert (feedback.rating, feedback.note, feedback.created_at) == (
        "down",
        "cited the wrong file",
        clock.now,
    )


def test_feedback_errors_are_usage_errors(log: InteractionLog) -> None:
    with pytest.raises(UnknownInteractionError) as unknown:
        log.feedback(7, "up")
    assert isinstance(unknown.value, UsageError) and unknown.value.exit_code == 2
    interaction_id = log.record(make_answer())
    with pytest.raises(InvalidRatingError, match="'up' or 'down'"):
        log.feedback(interaction_id, "sideways")  # type: ignore[arg-type]
    assert log.get(interaction_id).feedback is None


def test_recent_is_newest_first(log: InteractionLog) -> None:
    ids = [log.record(make_answer(n)) for n in range(5)]
    assert [record.id for record in log.recent(3)] == ids[::-1][:3]


def test_conversations_and_turns(log: InteractionLog, clock: Clock) -> None:
    first = log.start_conversation("Keys")
    second = log.start_conversation("Budgets")
    assert first != second and len(first) == 32
    ids = []
    for n in range(3):
        clock.advance(minutes=1)
        ids.append(log.record(replace(make_answer(n), conversation_id=first)))
    turns = log.turns(first)
    assert [turn.interaction_id for turn in turns] == ids
    assert turns[0].question == make_answer(0).question
    assert turns[2].answer == make_answer(2).answer
    assert log.turns(second) == []
    summaries = log.conversations(10)
    assert [(s.id, s.title, s.turns) for s in summaries] == [
        (first, "Keys", 3),
        (second, "Budgets", 0),
    ]
    assert summaries[0].last_at == clock.now
    assert summaries[1].last_at == summaries[1].started_at


def test_a_conversation_reads_back_with_sources_cited_lines_and_ratings(
    log: InteractionLog,
) -> None:
    """What the chat needs to show a past conversation as it was: each answer in order, its
    sources, the line each answer cites in them, and its latest rating."""
    conversation = log.start_conversation("Keys")
    cites_line_14 = SentenceSupport(0, 10, "cited", cited=(1,), source=1, line=14)
    first = log.record(
        replace(make_answer(0), conversation_id=conversation, sentences=[cites_line_14])
    )
    log.record(make_answer(1))  # in no conversation
    second = log.record(replace(make_answer(2), conversation_id=conversation))
    log.feedback(second, "down", "wrong file")
    records = log.conversation(conversation)
    assert [record.id for record in records] == [first, second]
    keys, pdf = records[0].answer.sources
    assert (keys.line, keys.cited_line, keys.shown_line) == (12, 14, 14)
    assert (pdf.page, pdf.cited_line) == (3, None)
    assert records[0].feedback is None
    assert records[1].answer.sources[0].shown_line == 12  # cites no line: the chunk's
    assert records[1].feedback is not None and records[1].feedback.rating == "down"
    assert log.conversation("no-such-conversation") == []


def test_an_unknown_conversation_id_is_created_on_record(log: InteractionLog) -> None:
    log.record(replace(make_answer(), conversation_id="abc123"))
    (summary,) = log.conversations(5)
    assert summary.id == "abc123"
    assert summary.title == make_answer().question[:80]


def test_purge_before_a_date(log: InteractionLog, clock: Clock, db_path: Path) -> None:
    clock.now = at("2026-11-01T09:00:00")
    old = log.record(make_answer(1))
    log.feedback(old, "up")
    log.egress.record(
        interaction_id=old, profile="work", endpoint_url="https://api.example.com/v1",
        messages=[{"role": "user", "content": "OLD-EGRESS-TEXT"}], redactions={},
    )  # fmt: skip
    log.cache.put("k-old", {"answer": "OLD-CACHE-TEXT"})
    clock.now = at("2026-11-20T09:00:00")
    new = log.record(make_answer(2))
    log.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the text is in the main file now
    assert log.purge(at("2026-11-10T00:00:00")) == 1
    assert [record.id for record in log.recent(10)] == [new]
    assert log.egress.entries(10) == []
    assert log.cache.get("k-old") is None
    for table in ("sources", "guardrail_events", "latencies", "feedback"):
        rows = log.db.query(f"SELECT DISTINCT interaction_id FROM {table}")
        assert [row[0] for row in rows] in ([new], []), table
    stored = file_bytes(db_path)
    for text in ("OLD-EGRESS-TEXT", "OLD-CACHE-TEXT", "chunk-1-a", make_answer(1).answer):
        assert text.encode() not in stored
    assert make_answer(2).answer.encode() in stored


def test_purge_everything_leaves_no_text_in_the_file(log: InteractionLog, db_path: Path) -> None:
    for n in range(20):
        log.record(make_answer(n))
    log.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the text is in the main file now
    assert CHUNK_MARK.encode() in file_bytes(db_path)
    assert log.purge(None) == 20
    assert log.recent(5) == []
    stored = file_bytes(db_path)
    for mark in (ANSWER_MARK, CHUNK_MARK, "keyring"):
        assert mark.encode() not in stored
