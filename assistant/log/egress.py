"""The egress log: exactly what text left this machine, when, and to which endpoint.

Each entry holds the messages as sent (after redaction), the size in bytes and SHA-256 of
their canonical JSON (UTF-8), how many items of each kind were redacted, and the collection
policies (`[collections.NAME]`) that applied to the request. With
`log_text=False` only the size, hash and counts are kept. API keys and request headers are
never passed in, and the endpoint is stored without user info, query string or fragment,
where credentials sometimes hide.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from assistant.config_collections import profile_label
from assistant.log.database import LogDatabase, from_db_time, to_db_time
from assistant.log.privacy import canonical_json


@dataclass(frozen=True, slots=True)
class EgressEntry:
    id: int
    created_at: datetime
    interaction_id: int | None
    profile: str
    endpoint_url: str
    messages: list[dict[str, str]] | None  # None when the log keeps no text
    message_count: int
    bytes: int
    sha256: str
    redactions: dict[str, int]
    policy: dict[str, Any]  # the collection policies that applied, by collection
    region: str = ""  # the profile's region label when it had one

    @property
    def profile_label(self) -> str:
        """The profile as shown to a person: 'eu (region eu)'."""
        return profile_label(self.profile, self.region)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "created_at": self.created_at.isoformat(),
            "interaction_id": self.interaction_id,
            "profile": self.profile,
            "region": self.region,
            "endpoint_url": self.endpoint_url,
            "messages": self.messages,
            "message_count": self.message_count,
            "bytes": self.bytes,
            "sha256": self.sha256,
            "redactions": self.redactions,
            "policy": self.policy,
        }


def safe_endpoint(url: str) -> str:
    """`url` without user:password@, query string or fragment."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class EgressLog:
    def __init__(self, db: LogDatabase, *, log_text: bool, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._log_text = log_text
        self._clock = clock

    def record(
        self,
        *,
        interaction_id: int | None,
        profile: str,
        endpoint_url: str,
        messages: list[dict[str, str]],
        redactions: dict[str, int],
        policy: dict[str, Any] | None = None,
        region: str = "",
    ) -> int:
        """Log one remote call's messages as they were sent; return the entry id."""
        payload = canonical_json(messages)
        encoded = payload.encode("utf-8")
        with self._db.write() as connection:
            cursor = connection.execute(
                """INSERT INTO egress (created_at, interaction_id, profile, endpoint_url,
                       messages, message_count, bytes, sha256, redactions, policy, region)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    to_db_time(self._clock()),
                    interaction_id,
                    profile,
                    safe_endpoint(endpoint_url),
                    payload if self._log_text else None,
                    len(messages),
                    len(encoded),
                    hashlib.sha256(encoded).hexdigest(),
                    canonical_json(redactions),
                    canonical_json(policy or {}),
                    region,
                ),
            )
        entry_id = cursor.lastrowid
        assert entry_id is not None
        return entry_id

    def attach(self, entry_id: int, interaction_id: int) -> None:
        """Link an entry to its interaction once the answer is logged (calls happen first)."""
        with self._db.write() as connection:
            connection.execute(
                "UPDATE egress SET interaction_id = ? WHERE id = ?", (interaction_id, entry_id)
            )

    def entries(self, limit: int = 50) -> list[EgressEntry]:
        """The newest entries first."""
        rows = self._db.query("SELECT * FROM egress ORDER BY id DESC LIMIT ?", (limit,))
        return [
            EgressEntry(
                id=row["id"],
                created_at=from_db_time(row["created_at"]),
                interaction_id=row["interaction_id"],
                profile=row["profile"],
                endpoint_url=row["endpoint_url"],
                messages=None if row["messages"] is None else json.loads(row["messages"]),
                message_count=row["message_count"],
                bytes=row["bytes"],
                sha256=row["sha256"],
                redactions=json.loads(row["redactions"]),
                policy=json.loads(row["policy"]),
                region=row["region"],
            )
            for row in rows
        ]
