"""Conversations: a chat's turns in order, for follow-up questions and the TUI's history."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from assistant.ask.types import LOCAL_ONLY_USED, PlainTurn
from assistant.log.database import LogDatabase, from_db_time, to_db_time
from assistant.log.errors import UnknownConversationError

MIN_ID_PREFIX = 4


def new_conversation_id() -> str:
    """A fresh conversation id; the conversation is stored with its first answer."""
    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class Turn:
    """One question and its answer; both are empty when the log keeps no text.

    `local_only`: the answer drew on local-only sources (never sent to a remote model);
    `search_query` is what the turn searched when it was a follow-up ("" otherwise);
    `collections` those of the sources its answer was given (collection policies follow them).
    """

    question: str
    answer: str
    interaction_id: int
    local_only: bool = False
    search_query: str = ""
    answered: bool = True  # False: refused or stopped, so no use to a follow-up
    collections: tuple[str, ...] = ()

    def as_history(self) -> PlainTurn | None:
        """The turn as a follow-up question takes it; None when it has nothing to give."""
        if not (self.answered and self.question and self.answer):
            return None
        return PlainTurn(
            self.question, self.answer, self.local_only, self.search_query, self.collections
        )


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
        conversation_id = new_conversation_id()
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
            """SELECT i.id, i.question, i.answer, i.search_query, i.refused, i.cancelled,
                   EXISTS (
                       SELECT 1 FROM guardrail_events g
                       WHERE g.interaction_id = i.id AND g.kind = ?
                   ) AS local_only,
                   (SELECT group_concat(DISTINCT s.collection) FROM sources s
                    WHERE s.interaction_id = i.id) AS collections
               FROM interactions i WHERE i.conversation_id = ? ORDER BY i.id""",
            (LOCAL_ONLY_USED, conversation_id),
        )
        return [
            Turn(
                question=row["question"] or "",
                answer=row["answer"] or "",
                interaction_id=row["id"],
                local_only=bool(row["local_only"]),
                search_query=row["search_query"] or "",
                answered=not (row["refused"] or row["cancelled"]),
                collections=tuple(sorted(set((row["collections"] or "").split(",")) - {""})),
            )
            for row in rows
        ]

    def find(self, wanted: str) -> str:
        """The id of the conversation `wanted` names: its id, or a unique start of it."""
        wanted = wanted.strip().lower()
        if len(wanted) < MIN_ID_PREFIX:
            raise UnknownConversationError(wanted, "give at least 4 characters of its id")
        rows = self._db.query(
            "SELECT id FROM conversations WHERE substr(id, 1, ?) = ? LIMIT 2",
            (len(wanted), wanted),
        )
        if len(rows) != 1:
            why = "no conversation has that id" if not rows else "more than one id starts so"
            raise UnknownConversationError(wanted, why)
        return str(rows[0]["id"])

    def latest(self) -> str | None:
        """The conversation with the most recent turn (or the newest one, if none has turns)."""
        summaries = self.summaries(1)
        return summaries[0].id if summaries else None
