"""Conversations: a chat's turns in order, for follow-up questions and the TUI's history."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from assistant.ask.types import LOCAL_ONLY_USED
from assistant.log.database import LogDatabase, from_db_time, to_db_time


@dataclass(frozen=True, slots=True)
class Turn:
    """One question and its answer; both are empty when the log keeps no text.
    `local_only`: the answer drew on local-only sources (never sent to a remote model)."""

    question: str
    answer: str
    interaction_id: int
    local_only: bool = False


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    id: str
    title: str
    started_at: datetime
    turns: int
    last_at: datetime


class ConversationStore:
    """Conversations in the log. With `log_text=False` titles are not kept either (they
    usually repeat the first question), and turns come back without text."""

    def __init__(self, db: LogDatabase, *, log_text: bool, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._log_text = log_text
        self._clock = clock

    def start(self, title: str) -> str:
        conversation_id = uuid.uuid4().hex
        with self._db.write():
            self.ensure(conversation_id, title)
        return conversation_id

    def ensure(self, conversation_id: str, title: str) -> None:
        """Create the conversation row if it is missing (within the caller's transaction)."""
        self._db.execute(
            "INSERT OR IGNORE INTO conversations (id, title, started_at) VALUES (?, ?, ?)",
            (conversation_id, title if self._log_text else "", to_db_time(self._clock())),
        )

    def summaries(self, limit: int) -> list[ConversationSummary]:
        rows = self._db.query(
            """SELECT c.id, c.title, c.started_at, COUNT(i.id) AS turns,
                      COALESCE(MAX(i.created_at), c.started_at) AS last_at
               FROM conversations c LEFT JOIN interactions i ON i.conversation_id = c.id
               GROUP BY c.id ORDER BY last_at DESC, c.started_at DESC LIMIT ?""",
            (limit,),
        )
        return [
            ConversationSummary(
                id=row["id"],
                title=row["title"],
                started_at=from_db_time(row["started_at"]),
                turns=row["turns"],
                last_at=from_db_time(row["last_at"]),
            )
            for row in rows
        ]

    def turns(self, conversation_id: str) -> list[Turn]:
        rows = self._db.query(
            """SELECT i.id, i.question, i.answer, EXISTS (
                   SELECT 1 FROM guardrail_events g WHERE g.interaction_id = i.id AND g.kind = ?
               ) AS local_only
               FROM interactions i WHERE i.conversation_id = ? ORDER BY i.id""",
            (LOCAL_ONLY_USED, conversation_id),
        )
        return [
            Turn(row["question"] or "", row["answer"] or "", row["id"], bool(row["local_only"]))
            for row in rows
        ]
