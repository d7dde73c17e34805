"""With `log_text=False` no question, answer, chunk text or event detail reaches the file."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from assistant.log import InteractionLog
from tests.assistant.log.conftest import file_bytes
from tests.assistant.log.helpers import (
    ANSWER_MARK,
    CHUNK_MARK,
    DETAIL_MARK,
    QUESTION_MARK,
    make_answer,
)

MARKS = [QUESTION_MARK, ANSWER_MARK, CHUNK_MARK, DETAIL_MARK, "EGRESS-MARK", "EVAL-MARK"]


def fill(log: InteractionLog) -> int:
    conversation = log.start_conversation(f"{QUESTION_MARK} title")
    interaction_id = 0
    for n in range(10):
        interaction_id = log.record(replace(make_answer(n), conversation_id=conversation))
    log.egress.record(
        interaction_id=interaction_id,
        profile="work",
        endpoint_url="https://api.example.com/v1",
        messages=[{"role": "user", "content": "EGRESS-MARK [EMAIL_1] wrote this"}],
        redactions={"email": 1},
    )
    key = log.cache.key(make_answer().question, ["chunk-0-a"], "some-model", "v1")
    log.cache.put(key, make_answer().to_json())
    log.evals.record_eval_run(
        {"model": "local"},
        {"hit@1": 1.0},
        [{"question": "EVAL-MARK q", "answer": "EVAL-MARK a", "paths": ["/a.md"]}],
    )
    return interaction_id


def test_no_text_in_the_file_bytes(private_log: InteractionLog, db_path: Path) -> None:
    fill(private_log)
    for stage in ("in the WAL", "after a checkpoint"):
        stored = file_bytes(db_path)
        assert len(stored) > 0
        for mark in MARKS:
            assert mark.encode() not in stored, (mark, stage)
        private_log.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def test_the_same_content_is_in_the_file_when_text_is_kept(log: InteractionLog, db_path: Path):
    fill(log)
    log.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stored = file_bytes(db_path)
    for mark in MARKS:
        assert mark.encode() in stored, mark


def test_hashes_lengths_and_figures_are_kept(private_log: InteractionLog) -> None:
    interaction_id = fill(private_log)
    answer = make_answer(9)
    record = private_log.get(interaction_id)
    assert record.text_kept is False
    assert record.answer.question == "" and record.answer.answer == ""
    assert record.question_sha256 == hashlib.sha256(answer.question.encode()).hexdigest()
    assert record.answer_chars == len(answer.answer)
    assert [source.text for source in record.answer.sources] == ["", ""]
    assert [source.path for source in record.answer.sources] == [
        source.path for source in answer.sources
    ]
    assert [event.kind for event in record.answer.guardrails] == [
        "pii.redacted",
        "local_only.withheld",
    ]
    assert record.answer.usage == answer.usage
    assert record.answer.latency_ms == answer.latency_ms


def test_turns_and_titles_have_no_text(private_log: InteractionLog) -> None:
    fill(private_log)
    (summary,) = private_log.conversations(5)
    assert summary.title == ""
    turns = private_log.turns(summary.id)
    assert len(turns) == 10
    assert {(turn.question, turn.answer) for turn in turns} == {("", "")}


def test_cache_is_off(private_log: InteractionLog) -> None:
    key = private_log.cache.key("q", ["c"], "m", "v1")
    private_log.cache.put(key, {"answer": "x"})
    assert private_log.cache.enabled is False
    assert private_log.cache.get(key) is None
    assert private_log.db.query("SELECT COUNT(*) FROM answer_cache")[0][0] == 0


def test_eval_run_questions_keep_hashes(private_log: InteractionLog) -> None:
    fill(private_log)
    run = private_log.evals.last_eval_run()
    assert run is not None
    assert run.questions == [
        {
            "question_sha256": hashlib.sha256(b"EVAL-MARK q").hexdigest(),
            "answer_sha256": hashlib.sha256(b"EVAL-MARK a").hexdigest(),
            "paths": ["/a.md"],
        }
    ]
