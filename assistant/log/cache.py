"""The exact-repeat answer cache, in the log database.

A hit needs the same question, the same retrieved chunks, the same model, the same prompt
version and the same collection policies over those chunks: after a policy change (a
collection kept from this model, quoted only, masked differently) an answer built under the
old rule is not served. A cache must hold the answer's text, so with `log_text=False` it is
off: `put` stores nothing and `get` finds nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from assistant.log.database import LogDatabase, to_db_time
from assistant.log.privacy import canonical_json


class AnswerCache:
    def __init__(self, db: LogDatabase, *, log_text: bool, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._clock = clock
        self.enabled = log_text

    @staticmethod
    def key(
        question: str,
        chunk_ids: list[str],
        model_id: str,
        prompt_version: str,
        *,
        policy: dict[str, Any] | None = None,
    ) -> str:
        """SHA-256 of a canonical JSON of what decides the answer; chunk order matters.
        `policy`: the non-default collection policies that applied, by collection."""
        material: dict[str, Any] = {
            "question": question,
            "chunk_ids": list(chunk_ids),
            "model_id": model_id,
            "prompt_version": prompt_version,
        }
        if policy:
            material["policy"] = policy
        return hashlib.sha256(canonical_json(material).encode("utf-8")).hexdigest()

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored `Answer.to_json()` for `key`, or None."""
        if not self.enabled:
            return None
        rows = self._db.query("SELECT answer_json FROM answer_cache WHERE key = ?", (key,))
        if not rows:
            return None
        stored: dict[str, Any] = json.loads(rows[0]["answer_json"])
        return stored

    def put(self, key: str, answer_json: dict[str, Any]) -> None:
        if not self.enabled:
            return
        with self._db.write() as connection:
            connection.execute(
                "INSERT OR REPLACE INTO answer_cache (key, answer_json, created_at) "
                "VALUES (?, ?, ?)",
                (key, json.dumps(answer_json, default=str), to_db_time(self._clock())),
            )

    def clear(self) -> int:
        with self._db.write() as connection:
            return connection.execute("DELETE FROM answer_cache").rowcount
