"""Named, append-only migrations of the log schema.

Each migration is a function registered in order; `_migrations` records the names already
applied, so each runs once. Never edit or reorder a released migration: add a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.log.database import LogDatabase, to_db_time, utc_now
from assistant.log.errors import LogSchemaError


@dataclass(frozen=True, slots=True)
class Migration:
    name: str
    apply: Callable[[sqlite3.Connection], None]


MIGRATIONS: list[Migration] = []


def migration(func: Callable[[sqlite3.Connection], None]) -> Callable[[sqlite3.Connection], None]:
    MIGRATIONS.append(Migration(func.__name__, func))
    return func


def migrate(database: LogDatabase, migrations: Sequence[Migration] | None = None) -> list[str]:
    """Apply the migrations not yet recorded, each in its own transaction; return their names.

    A pending migration is checked again inside its write transaction, so two processes
    opening a new file at once do not both run it; an up-to-date file takes no write lock.
    """
    database.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    done_before = {row["name"] for row in database.query("SELECT name FROM _migrations")}
    applied: list[str] = []
    for step in MIGRATIONS if migrations is None else migrations:
        if step.name in done_before:
            continue
        with database.write() as connection:
            done = connection.execute(
                "SELECT 1 FROM _migrations WHERE name = ?", (step.name,)
            ).fetchone()
            if done:
                continue
            try:
                step.apply(connection)
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_ERROR:
                    raise  # the disk or the file, not the tables: translated by the caller
                raise LogSchemaError(database.path, step.name, str(exc)) from exc
            connection.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                (step.name, to_db_time(utc_now())),
            )
        applied.append(step.name)
    return applied


@migration
def m001_interactions(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE conversations (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            started_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE interactions (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            conversation_id TEXT REFERENCES conversations(id) ON DELETE SET NULL,
            text_kept INTEGER NOT NULL,
            question TEXT,
            question_sha256 TEXT NOT NULL,
            question_chars INTEGER NOT NULL,
            answer TEXT,
            answer_sha256 TEXT NOT NULL,
            answer_chars INTEGER NOT NULL,
            model TEXT NOT NULL,
            model_id TEXT NOT NULL,
            mode TEXT NOT NULL,
            refused INTEGER NOT NULL,
            refusal_reason TEXT,
            cited TEXT NOT NULL,
            prompt_tokens INTEGER NOT NULL,
            completion_tokens INTEGER NOT NULL,
            cost_usd REAL NOT NULL,
            cost_estimated INTEGER NOT NULL,
            cached INTEGER NOT NULL,
            cancelled INTEGER NOT NULL,
            groundedness REAL,
            config_snapshot TEXT
        )"""
    )
    db.execute("CREATE INDEX interactions_created_at ON interactions (created_at)")
    db.execute("CREATE INDEX interactions_conversation ON interactions (conversation_id)")
    db.execute(
        """CREATE TABLE sources (
            interaction_id INTEGER NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
            number INTEGER NOT NULL,
            chunk_id TEXT NOT NULL,
            path TEXT NOT NULL,
            page INTEGER,
            heading TEXT NOT NULL,
            line INTEGER,
            score REAL NOT NULL,
            collection TEXT NOT NULL,
            local_only INTEGER NOT NULL,
            text TEXT,
            text_sha256 TEXT NOT NULL,
            text_chars INTEGER NOT NULL,
            PRIMARY KEY (interaction_id, number)
        )"""
    )
    db.execute(
        """CREATE TABLE guardrail_events (
            interaction_id INTEGER NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT,
            detail_sha256 TEXT NOT NULL,
            PRIMARY KEY (interaction_id, seq)
        )"""
    )
    db.execute(
        """CREATE TABLE latencies (
            interaction_id INTEGER NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
            stage TEXT NOT NULL,
            ms REAL NOT NULL,
            PRIMARY KEY (interaction_id, stage)
        )"""
    )
    db.execute(
        """CREATE TABLE feedback (
            id INTEGER PRIMARY KEY,
            interaction_id INTEGER NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
            rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
            note TEXT NOT NULL,
            created_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX feedback_interaction ON feedback (interaction_id)")


@migration
def m002_egress(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE egress (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            interaction_id INTEGER REFERENCES interactions(id) ON DELETE SET NULL,
            profile TEXT NOT NULL,
            endpoint_url TEXT NOT NULL,
            messages TEXT,
            message_count INTEGER NOT NULL,
            bytes INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            redactions TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX egress_created_at ON egress (created_at)")


@migration
def m003_answer_cache(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE answer_cache (
            key TEXT PRIMARY KEY,
            answer_json TEXT NOT NULL,
            created_at TEXT NOT NULL
        )"""
    )


@migration
def m004_eval_runs(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE eval_runs (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            config TEXT NOT NULL,
            metrics TEXT NOT NULL,
            questions TEXT NOT NULL
        )"""
    )


@migration
def m005_mcp_calls(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE mcp_calls (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            client TEXT NOT NULL,
            tool TEXT NOT NULL,
            arguments TEXT,
            arguments_sha256 TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'error')),
            error TEXT,
            results INTEGER NOT NULL,
            withheld INTEGER NOT NULL,
            flagged INTEGER NOT NULL,
            redactions TEXT NOT NULL,
            ms REAL NOT NULL,
            interaction_id INTEGER REFERENCES interactions(id) ON DELETE SET NULL,
            egress_id INTEGER REFERENCES egress(id) ON DELETE SET NULL
        )"""
    )
    db.execute("CREATE INDEX mcp_calls_created_at ON mcp_calls (created_at)")


@migration
def m006_budget_reservations(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE budget_reservations (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            profile TEXT NOT NULL,
            usd REAL NOT NULL
        )"""
    )
    db.execute("CREATE INDEX budget_reservations_created_at ON budget_reservations (created_at)")


@migration
def m007_answer_support(db: sqlite3.Connection) -> None:
    """Citations the model gave apart from those margin matched, each sentence's support, what
    was searched for a follow-up, and why an answer stopped short."""
    for column in (
        "attributed TEXT NOT NULL DEFAULT '[]'",
        "sentences TEXT NOT NULL DEFAULT '[]'",
        "sentences_checked INTEGER",
        "sentences_supported INTEGER",
        "history_used INTEGER NOT NULL DEFAULT 0",
        "search_query TEXT",
        "truncation TEXT",
        "max_tokens INTEGER NOT NULL DEFAULT 0",
    ):
        db.execute(f"ALTER TABLE interactions ADD COLUMN {column}")


@migration
def m008_egress_policy(db: sqlite3.Connection) -> None:
    """The collection policies that applied to each remote call."""
    db.execute("ALTER TABLE egress ADD COLUMN policy TEXT NOT NULL DEFAULT '{}'")


@migration
def m009_policy_details(db: sqlite3.Connection) -> None:
    """The collection of each source or chat turn a guardrail event is about, so `margin
    stats` counts withheld sources and quote-only answers per collection; the region of the
    profile each remote call went to."""
    db.execute("ALTER TABLE guardrail_events ADD COLUMN collections TEXT NOT NULL DEFAULT '[]'")
    db.execute("ALTER TABLE egress ADD COLUMN region TEXT NOT NULL DEFAULT ''")
