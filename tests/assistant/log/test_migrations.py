from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

from assistant.log import InteractionLog, McpCall
from assistant.log.database import connect, open_log
from assistant.log.migrations import MIGRATIONS, migrate

EXPECTED_COLUMNS = {
    "_migrations": ["name", "applied_at"],
    "conversations": ["id", "title", "started_at"],
    "interactions": [
        "id", "created_at", "conversation_id", "text_kept",
        "question", "question_sha256", "question_chars",
        "answer", "answer_sha256", "answer_chars",
        "model", "model_id", "mode", "refused", "refusal_reason", "cited",
        "prompt_tokens", "completion_tokens", "cost_usd", "cost_estimated",
        "cached", "cancelled", "groundedness", "config_snapshot",
        "attributed", "sentences", "sentences_checked", "sentences_supported",
        "history_used", "search_query", "truncation", "max_tokens",
    ],
    "sources": [
        "interaction_id", "number", "chunk_id", "path", "page", "heading", "line", "score",
        "collection", "local_only", "text", "text_sha256", "text_chars",
    ],
    "guardrail_events": [
        "interaction_id",
        "seq",
        "kind",
        "detail",
        "detail_sha256",
        "collections",
    ],
    "latencies": ["interaction_id", "stage", "ms"],
    "feedback": ["id", "interaction_id", "rating", "note", "created_at"],
    "egress": [
        "id", "created_at", "interaction_id", "profile", "endpoint_url", "messages",
        "message_count", "bytes", "sha256", "redactions", "policy", "region",
    ],
    "answer_cache": ["key", "answer_json", "created_at"],
    "eval_runs": ["id", "created_at", "config", "metrics", "questions"],
    "mcp_calls": [
        "id", "created_at", "client", "tool", "arguments", "arguments_sha256", "outcome",
        "error", "results", "withheld", "flagged", "redactions", "ms", "interaction_id",
        "egress_id",
    ],
    "budget_reservations": ["id", "created_at", "profile", "usd"],
}  # fmt: skip


def schema(path: Path) -> dict[str, list[str]]:
    with open_log(path) as db:
        tables = [
            row["name"]
            for row in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not row["name"].startswith("sqlite_")
        ]
        return {
            table: [column["name"] for column in db.query(f"PRAGMA table_info({table})")]
            for table in tables
        }


def test_fresh_database_has_the_migrated_schema(db_path: Path) -> None:
    assert schema(db_path) == EXPECTED_COLUMNS


# Every migration, in the order a new log applies them.
MIGRATION_NAMES = [
    "m001_interactions",
    "m002_egress",
    "m003_answer_cache",
    "m004_eval_runs",
    "m005_mcp_calls",
    "m006_budget_reservations",
    "m007_answer_support",
    "m008_egress_policy",
    "m009_policy_details",
]


def test_migrations_are_recorded_by_name_in_order(db_path: Path) -> None:
    with open_log(db_path) as db:
        names = [row["name"] for row in db.query("SELECT name FROM _migrations ORDER BY rowid")]
    assert names == [step.name for step in MIGRATIONS]
    assert names == MIGRATION_NAMES


def test_reopening_applies_nothing(db_path: Path) -> None:
    with open_log(db_path) as db:
        first = db.query("SELECT name, applied_at FROM _migrations ORDER BY name")
    with open_log(db_path) as db:
        assert migrate(db) == []
        again = db.query("SELECT name, applied_at FROM _migrations ORDER BY name")
    assert [tuple(row) for row in again] == [tuple(row) for row in first]


def test_database_at_an_older_migration_upgrades_and_keeps_its_rows(db_path: Path) -> None:
    with connect(db_path) as db:
        assert migrate(db, MIGRATIONS[:1]) == ["m001_interactions"]
        db.execute("INSERT INTO conversations (id, title, started_at) VALUES ('c1', 'old', '2026')")
    with connect(db_path) as db:
        assert migrate(db) == MIGRATION_NAMES[1:]
        assert [tuple(row) for row in db.query("SELECT id, title FROM conversations")] == [
            ("c1", "old")
        ]
    assert schema(db_path) == EXPECTED_COLUMNS


def test_a_log_from_before_mcp_gains_the_tool_call_table_and_keeps_its_egress(
    db_path: Path,
) -> None:
    with connect(db_path) as db:
        assert migrate(db, MIGRATIONS[:4])[-1] == "m004_eval_runs"
        db.execute(
            "INSERT INTO egress (created_at, profile, endpoint_url, messages, message_count, "
            "bytes, sha256, redactions) VALUES ('2026-11-28T10:00:00.000000+00:00', 'work', "
            "'https://x/v1', '[]', 0, 2, 'h', '{}')"
        )
    with InteractionLog(db_path, log_text=True) as log:
        egress_id = log.egress.entries(1)[0].id
        call_id = log.mcp_calls.record(
            McpCall(client="c", tool="search", arguments={"query": "q"}, outcome="ok", ms=1.5,
                    egress_id=egress_id)
        )  # fmt: skip
        (logged,) = log.mcp_calls.recent(5)
    assert logged.id == call_id and logged.call.egress_id == egress_id
    assert schema(db_path) == EXPECTED_COLUMNS


def test_database_settings(db_path: Path) -> None:
    with open_log(db_path) as db:
        assert db.query("PRAGMA journal_mode")[0][0] == "wal"
        assert db.query("PRAGMA busy_timeout")[0][0] == 5000
        assert db.query("PRAGMA foreign_keys")[0][0] == 1
        db.execute("INSERT INTO conversations (id, title, started_at) VALUES ('c', '', '')")
        for suffix in ("", "-wal", "-shm"):
            mode = stat.S_IMODE(db_path.with_name(db_path.name + suffix).stat().st_mode)
            assert mode == 0o600, (suffix, oct(mode))


def test_an_existing_file_open_to_others_is_made_private(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.touch(mode=0o644)
    db_path.chmod(0o644)
    open_log(db_path).close()
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600


def test_opening_an_up_to_date_file_takes_no_write_lock(db_path: Path) -> None:
    open_log(db_path).close()
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    try:
        with open_log(db_path) as db:
            assert db.query("SELECT COUNT(*) FROM _migrations")[0][0] == len(MIGRATIONS)
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_interactions_logged_before_the_support_columns_read_back(db_path: Path) -> None:
    """A log from before m006: its answers load, with no support figures and nothing cut."""
    from assistant.log.interactions import InteractionLog

    with connect(db_path) as db:
        migrate(db, MIGRATIONS[:5])
        db.execute(
            """INSERT INTO interactions (created_at, text_kept, question, question_sha256,
                   question_chars, answer, answer_sha256, answer_chars, model, model_id, mode,
                   refused, cited, prompt_tokens, completion_tokens, cost_usd, cost_estimated,
                   cached, cancelled, groundedness)
               VALUES ('2026-11-01T10:00:00.000000+00:00', 1, 'q', '', 1, 'a [1].', '', 6,
                   'local', 'm', 'model', 0, '[1]', 10, 3, 0.0, 0, 0, 0, 0.5)"""
        )
    with InteractionLog(db_path, log_text=True) as log:
        [record] = log.recent(1)
        answer = record.answer
        assert answer.cited == [1] and answer.attributed == [] and answer.sentences == []
        assert answer.truncation is None and answer.search_query is None
        stats = log.db.query("SELECT sentences_checked, history_used FROM interactions")[0]
        assert tuple(stats) == (None, 0)
