"""The MCP tool-call log: every call an MCP client made, what it asked and what it got.

One row per `tools/call`: the client's name, the tool, its arguments, whether it succeeded
(and the error it got if not), how many items went back, how many the privacy policy withheld,
flagged or masked, and how long it took. The text that left is in the egress log (`egress_id`);
an `ask` also links to its interaction. With `log_text=False` the arguments are kept as a
SHA-256 only and the error message not at all (the outcome still says a call failed).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from assistant.log.database import LogDatabase, from_db_time, to_db_time
from assistant.log.privacy import KeptText, canonical_json

Outcome = Literal["ok", "error"]


@dataclass(frozen=True, slots=True)
class McpCall:
    """One tool call as an MCP server handled it."""

    client: str
    tool: str
    arguments: Mapping[str, Any]
    outcome: Outcome
    ms: float
    error: str | None = None
    results: int = 0  # passages, documents or answers returned
    withheld: int = 0  # items a local-only rule kept back
    flagged: int = 0  # passages flagged for injected instructions
    redactions: Mapping[str, int] | None = None  # masked values by kind
    interaction_id: int | None = None
    egress_id: int | None = None


@dataclass(frozen=True, slots=True)
class LoggedMcpCall:
    id: int
    created_at: datetime
    call: McpCall  # arguments are {} and error None when the log keeps no text
    text_kept: bool


class McpCallLog:
    def __init__(self, db: LogDatabase, *, log_text: bool, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._log_text = log_text
        self._clock = clock

    def record(self, call: McpCall) -> int:
        arguments = KeptText.of(canonical_json(dict(call.arguments)), keep=self._log_text)
        error = call.error if self._log_text else None
        with self._db.write() as connection:
            cursor = connection.execute(
                """INSERT INTO mcp_calls (created_at, client, tool, arguments, arguments_sha256,
                       outcome, error, results, withheld, flagged, redactions, ms,
                       interaction_id, egress_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    to_db_time(self._clock()),
                    call.client,
                    call.tool,
                    arguments.text,
                    arguments.sha256,
                    call.outcome,
                    error,
                    call.results,
                    call.withheld,
                    call.flagged,
                    canonical_json(dict(call.redactions or {})),
                    call.ms,
                    call.interaction_id,
                    call.egress_id,
                ),
            )
        row_id = cursor.lastrowid
        assert row_id is not None
        return row_id

    def recent(self, limit: int = 50) -> list[LoggedMcpCall]:
        """The newest calls first."""
        rows = self._db.query("SELECT * FROM mcp_calls ORDER BY id DESC LIMIT ?", (limit,))
        return [
            LoggedMcpCall(
                id=row["id"],
                created_at=from_db_time(row["created_at"]),
                call=McpCall(
                    client=row["client"],
                    tool=row["tool"],
                    arguments={} if row["arguments"] is None else json.loads(row["arguments"]),
                    outcome=row["outcome"],
                    ms=row["ms"],
                    error=row["error"],
                    results=row["results"],
                    withheld=row["withheld"],
                    flagged=row["flagged"],
                    redactions=json.loads(row["redactions"]),
                    interaction_id=row["interaction_id"],
                    egress_id=row["egress_id"],
                ),
                text_kept=row["arguments"] is not None,
            )
            for row in rows
        ]
