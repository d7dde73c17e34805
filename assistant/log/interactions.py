"""The interaction log: every answer with its sources, guardrail events, usage and timings.

With `log_text=False` no question, answer, chunk text or guardrail detail is written to the
file: each is kept as a SHA-256 and a length, and reads give back empty strings.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal

from assistant.ask.types import Answer, AnswerUsage, GuardrailEvent, SentenceSupport, Source
from assistant.log.budget_ledger import BudgetLedger
from assistant.log.cache import AnswerCache
from assistant.log.conversations import ConversationStore, ConversationSummary, Turn
from assistant.log.database import as_utc, from_db_time, open_log, to_db_time, utc_now
from assistant.log.egress import EgressLog
from assistant.log.errors import InvalidRatingError, UnknownInteractionError
from assistant.log.eval_runs import EvalRuns
from assistant.log.mcp_calls import McpCallLog
from assistant.log.privacy import KeptText

Rating = Literal["up", "down"]
TITLE_CHARS = 80

# Tables holding rows that carry their own time; purge deletes from each by that time.
_TIMED_TABLES = (
    ("interactions", "created_at"),
    ("egress", "created_at"),
    ("answer_cache", "created_at"),
    ("mcp_calls", "created_at"),
)


@dataclass(frozen=True, slots=True)
class Feedback:
    rating: Rating
    note: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class InteractionRecord:
    """A logged interaction. `answer` holds empty texts when `text_kept` is False."""

    id: int
    created_at: datetime
    answer: Answer
    text_kept: bool
    question_sha256: str
    question_chars: int
    answer_sha256: str
    answer_chars: int
    config_snapshot: dict[str, Any] | None
    feedback: Feedback | None


class InteractionLog:
    """The local log (SQLite) of interactions, conversations, egress, cache, eval runs and
    MCP tool calls."""

    def __init__(
        self,
        path: Path,
        *,
        log_text: bool,
        clock: Callable[[], datetime] = utc_now,
        recover: bool = True,
    ) -> None:
        """`recover`: a damaged file is kept aside and a fresh log started (what answering
        needs); without it, a damaged file raises LogDamagedError (what reading needs)."""
        self.path = path
        self.log_text = log_text
        self.clock = clock
        self.db = open_log(path, recover=recover)
        self.egress = EgressLog(self.db, log_text=log_text, clock=clock)
        self.cache = AnswerCache(self.db, log_text=log_text, clock=clock)
        self.evals = EvalRuns(self.db, log_text=log_text, clock=clock)
        self.mcp_calls = McpCallLog(self.db, log_text=log_text, clock=clock)
        self._conversations = ConversationStore(self.db, log_text=log_text, clock=clock)
        self.budget = BudgetLedger(self.db, spend_today=self.spend_today, clock=clock)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> InteractionLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def record(
        self,
        answer: Answer,
        *,
        config_snapshot: dict[str, Any] | None = None,
        reservation: int | None = None,
    ) -> int:
        """Store one answer and everything measured about it; return its interaction id.
        `reservation`: the budget hold its model call took, replaced by the answer's cost."""
        question = KeptText.of(answer.question, keep=self.log_text)
        reply = KeptText.of(answer.answer, keep=self.log_text)
        snapshot = None if config_snapshot is None else json.dumps(config_snapshot, default=str)
        with self.db.write() as connection:
            if answer.conversation_id:
                self._conversations.ensure(answer.conversation_id, answer.question[:TITLE_CHARS])
            cursor = connection.execute(
                """INSERT INTO interactions (
                    created_at, conversation_id, text_kept,
                    question, question_sha256, question_chars,
                    answer, answer_sha256, answer_chars,
                    model, model_id, mode, refused, refusal_reason, cited,
                    prompt_tokens, completion_tokens, cost_usd, cost_estimated,
                    cached, cancelled, groundedness, config_snapshot,
                    attributed, sentences, sentences_checked, sentences_supported,
                    history_used, search_query, truncation, max_tokens
                ) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                          ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    to_db_time(self.clock()),
                    answer.conversation_id,
                    self.log_text,
                    question.text,
                    question.sha256,
                    question.chars,
                    reply.text,
                    reply.sha256,
                    reply.chars,
                    answer.model,
                    answer.model_id,
                    answer.mode,
                    answer.refused,
                    answer.refusal_reason,
                    json.dumps(answer.cited),
                    answer.usage.prompt_tokens,
                    answer.usage.completion_tokens,
                    answer.usage.cost_usd,
                    answer.usage.estimated,
                    answer.cached,
                    answer.cancelled,
                    answer.groundedness,
                    snapshot,
                    json.dumps(answer.attributed),
                    json.dumps([self._sentence(s) for s in answer.sentences]),
                    *self._support_counts(answer),
                    answer.search_query is not None,
                    answer.search_query if self.log_text else None,
                    answer.truncation,
                    answer.usage.max_tokens,
                ),
            )
            interaction_id = cursor.lastrowid
            assert interaction_id is not None
            self._insert_parts(connection, interaction_id, answer)
            if reservation is not None:
                connection.execute("DELETE FROM budget_reservations WHERE id = ?", (reservation,))
        return interaction_id

    def _sentence(self, sentence: SentenceSupport) -> dict[str, Any]:
        """A sentence's support as stored: spans and figures; its words only with log_text."""
        kept = asdict(sentence)
        if not self.log_text:
            kept.update(evidence="", missing=[])
        return kept

    @staticmethod
    def _support_counts(answer: Answer) -> tuple[int | None, int | None]:
        """Checked and supported sentences; None for an answer no model wrote."""
        if not answer.sentences and answer.mode != "model":
            return None, None
        checked = [s for s in answer.sentences if s.status != "skipped"]
        return len(checked), sum(s.status != "unsupported" for s in checked)

    def _insert_parts(self, connection: sqlite3.Connection, row_id: int, answer: Answer) -> None:
        sources = []
        for source in answer.sources:
            text = KeptText.of(source.text, keep=self.log_text)
            sources.append(
                (
                    row_id,
                    source.number,
                    source.id,
                    source.path,
                    source.page,
                    source.heading,
                    source.line,
                    source.score,
                    source.collection,
                    source.local_only,
                    text.text,
                    text.sha256,
                    text.chars,
                )
            )
        connection.executemany(
            """INSERT INTO sources (interaction_id, number, chunk_id, path, page, heading, line,
                   score, collection, local_only, text, text_sha256, text_chars)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            sources,
        )
        events = []
        for seq, event in enumerate(answer.guardrails):
            detail = KeptText.of(event.detail, keep=self.log_text)
            collections = json.dumps(list(event.collections))
            events.append((row_id, seq, event.kind, detail.text, detail.sha256, collections))
        connection.executemany(
            """INSERT INTO guardrail_events
                   (interaction_id, seq, kind, detail, detail_sha256, collections)
               VALUES (?, ?, ?, ?, ?, ?)""",
            events,
        )
        connection.executemany(
            "INSERT INTO latencies (interaction_id, stage, ms) VALUES (?, ?, ?)",
            [(row_id, stage, float(ms)) for stage, ms in answer.latency_ms.items()],
        )

    def feedback(self, interaction_id: int, rating: Rating, note: str = "") -> None:
        """Rate an answer; a later rating of the same answer replaces the earlier one."""
        if rating not in ("up", "down"):
            raise InvalidRatingError(rating)
        with self.db.write() as connection:
            if not self._exists(interaction_id):
                raise UnknownInteractionError(interaction_id)
            connection.execute(
                """INSERT INTO feedback (interaction_id, rating, note, created_at)
                   VALUES (?, ?, ?, ?)""",
                (interaction_id, rating, note, to_db_time(self.clock())),
            )

    def _exists(self, interaction_id: int) -> bool:
        found = self.db.query("SELECT 1 FROM interactions WHERE id = ?", (interaction_id,))
        return bool(found)

    def get(self, interaction_id: int) -> InteractionRecord:
        rows = self.db.query("SELECT * FROM interactions WHERE id = ?", (interaction_id,))
        if not rows:
            raise UnknownInteractionError(interaction_id)
        return self._load(rows[0])

    def recent(self, limit: int) -> list[InteractionRecord]:
        rows = self.db.query("SELECT * FROM interactions ORDER BY id DESC LIMIT ?", (limit,))
        return [self._load(row) for row in rows]

    def conversation(self, conversation_id: str) -> list[InteractionRecord]:
        """A conversation's interactions, oldest first: each answer with its sources (and the
        line it cites in each, where its sentences were logged with one) and its rating."""
        rows = self.db.query(
            "SELECT * FROM interactions WHERE conversation_id = ? ORDER BY id", (conversation_id,)
        )
        return [self._load(row) for row in rows]

    def _load(self, row: sqlite3.Row) -> InteractionRecord:
        row_id = row["id"]
        answer = Answer(
            question=row["question"] or "",
            answer=row["answer"] or "",
            refused=bool(row["refused"]),
            refusal_reason=row["refusal_reason"],
            mode=row["mode"],
            sources=self._sources(row_id),
            cited=json.loads(row["cited"]),
            attributed=json.loads(row["attributed"]),
            sentences=[SentenceSupport.from_json(s) for s in json.loads(row["sentences"])],
            guardrails=[
                GuardrailEvent(
                    event["kind"], event["detail"] or "", tuple(json.loads(event["collections"]))
                )
                for event in self.db.query(
                    "SELECT kind, detail, collections FROM guardrail_events "
                    "WHERE interaction_id = ? ORDER BY seq",
                    (row_id,),
                )
            ],
            usage=AnswerUsage(
                prompt_tokens=row["prompt_tokens"],
                completion_tokens=row["completion_tokens"],
                cost_usd=row["cost_usd"],
                estimated=bool(row["cost_estimated"]),
            ),
            latency_ms={
                latency["stage"]: latency["ms"]
                for latency in self.db.query(
                    "SELECT stage, ms FROM latencies WHERE interaction_id = ?", (row_id,)
                )
            },
            model=row["model"],
            model_id=row["model_id"],
            groundedness=row["groundedness"],
            cached=bool(row["cached"]),
            cancelled=bool(row["cancelled"]),
            truncation=row["truncation"],
            interaction_id=row_id,
            conversation_id=row["conversation_id"],
            search_query=row["search_query"] if row["history_used"] else None,
        )
        answer.usage.max_tokens = row["max_tokens"]
        answer.locate_citations()
        snapshot = row["config_snapshot"]
        return InteractionRecord(
            id=row_id,
            created_at=from_db_time(row["created_at"]),
            answer=answer,
            text_kept=bool(row["text_kept"]),
            question_sha256=row["question_sha256"],
            question_chars=row["question_chars"],
            answer_sha256=row["answer_sha256"],
            answer_chars=row["answer_chars"],
            config_snapshot=None if snapshot is None else json.loads(snapshot),
            feedback=self._latest_feedback(row_id),
        )

    def _sources(self, interaction_id: int) -> list[Source]:
        rows = self.db.query(
            "SELECT * FROM sources WHERE interaction_id = ? ORDER BY number", (interaction_id,)
        )
        return [
            Source(
                number=row["number"],
                id=row["chunk_id"],
                path=row["path"],
                page=row["page"],
                heading=row["heading"],
                line=row["line"],
                score=row["score"],
                text=row["text"] or "",
                collection=row["collection"],
                local_only=bool(row["local_only"]),
            )
            for row in rows
        ]

    def _latest_feedback(self, interaction_id: int) -> Feedback | None:
        rows = self.db.query(
            "SELECT rating, note, created_at FROM feedback WHERE interaction_id = ? "
            "ORDER BY id DESC LIMIT 1",
            (interaction_id,),
        )
        if not rows:
            return None
        row = rows[0]
        return Feedback(row["rating"], row["note"], from_db_time(row["created_at"]))

    def purge(self, before: datetime | None = None) -> int:
        """Delete interactions logged before `before` (all when None) with their sources,
        events, timings and feedback, plus egress entries, cached answers and MCP tool calls from
        the same period; then rewrite the file so the text is gone from disk. Eval runs are kept.
        Returns how many interactions were deleted."""
        cutoff = None if before is None else to_db_time(before)
        params = () if cutoff is None else (cutoff,)
        deleted: dict[str, int] = {}
        with self.db.write() as connection:
            for table, column in _TIMED_TABLES:
                where = "" if cutoff is None else f" WHERE {column} < ?"
                deleted[table] = connection.execute(f"DELETE FROM {table}{where}", params).rowcount
            connection.execute(
                "DELETE FROM conversations WHERE NOT EXISTS "
                "(SELECT 1 FROM interactions i WHERE i.conversation_id = conversations.id)"
                + ("" if cutoff is None else " AND started_at < ?"),
                params,
            )
        self.db.compact()
        return deleted["interactions"]

    def spend_since(self, moment: datetime, until: datetime | None = None) -> float:
        """Money spent on model calls from `moment` (up to `until`, if given). Local models
        cost 0 and cached answers are not counted again."""
        end = "" if until is None else " AND created_at < ?"
        params = (to_db_time(moment),) if until is None else (to_db_time(moment), to_db_time(until))
        rows = self.db.query(
            "SELECT COALESCE(SUM(cost_usd), 0.0) AS spent FROM interactions "
            "WHERE cached = 0 AND created_at >= ?" + end,
            params,
        )
        return float(rows[0]["spent"])

    def spend_today(self) -> float:
        """Spend on the current UTC day of the log's clock."""
        midnight = datetime.combine(as_utc(self.clock()).date(), time(), UTC)
        return self.spend_since(midnight, midnight + timedelta(days=1))

    def start_conversation(self, title: str) -> str:
        return self._conversations.start(title)

    def conversations(self, limit: int = 50) -> list[ConversationSummary]:
        return self._conversations.summaries(limit)

    def turns(self, conversation_id: str) -> list[Turn]:
        return self._conversations.turns(conversation_id)

    def find_conversation(self, wanted: str) -> str:
        """The full id of a conversation, from its id or a unique start of it."""
        return self._conversations.find(wanted)

    def latest_conversation(self) -> str | None:
        return self._conversations.latest()
