"""Vectors embedded for documents not committed yet, kept across an interrupt or a kill.

A document becomes visible in one commit (`ingest.store`), so a run stopped while it embeds
a large one would lose every vector made for it. The run writes each slice's vectors here as
they come (one SQLite transaction a slice: a kill -9 loses at most the slice in hand); the
next run takes a chunk's vector from here instead of embedding the chunk again, and the
vectors of a document are forgotten once it is committed. So the journal holds about what
was in flight when a run stopped, and never more than `MAX_VECTORS` (oldest dropped first:
what a stopped run left for a file deleted since).

A vector is found by the SHA-256 of the model id and the text embedded; no text is stored.
The journal only saves work: one that cannot be read or written is left alone for the rest
of the run, which then embeds as if it were empty.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import numpy as np

# A 4 MB text is about 4,400 chunks; 65,536 MiniLM vectors (384 float32) take about 100 MB.
MAX_VECTORS = 65_536
_KEYS_PER_QUERY = 500  # below SQLite's limit on the parameters of one statement
T = TypeVar("T")
_SCHEMA = "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, model TEXT, vector BLOB)"


class VectorJournal:
    """The vectors of unfinished documents, in one SQLite file (created owner-only)."""

    def __init__(self, path: Path, *, max_vectors: int = MAX_VECTORS):
        self.path = path
        self.max_vectors = max_vectors
        self._broken = False

    def vectors(self, model_id: str, dim: int, texts: Sequence[str]) -> dict[int, np.ndarray]:
        """The journaled vector of each text found, by its position in `texts`."""
        import numpy as np

        positions: dict[bytes, list[int]] = {}
        for position, text in enumerate(texts):
            positions.setdefault(_key(model_id, text), []).append(position)
        keys = list(positions)

        def read(db: sqlite3.Connection) -> dict[int, np.ndarray]:
            found: dict[int, np.ndarray] = {}
            for start in range(0, len(keys), _KEYS_PER_QUERY):
                part = keys[start : start + _KEYS_PER_QUERY]
                marks = ",".join("?" * len(part))
                query = f"SELECT key, vector FROM vectors WHERE key IN ({marks})"
                for key, blob in db.execute(query, part):
                    if len(blob) == dim * 4:
                        vector = np.frombuffer(blob, dtype=np.float32)
                        found.update((position, vector) for position in positions[key])
            return found

        return (self._use(read) if keys else None) or {}

    def put(self, model_id: str, texts: Sequence[str], vectors: np.ndarray) -> bool:
        """Keep the vectors of `texts` (in order), in one transaction; False when the journal
        could not take them. Vectors of another model are dropped."""
        import numpy as np

        rows = [
            (_key(model_id, text), model_id, np.asarray(vector, np.float32).tobytes())
            for text, vector in zip(texts, vectors, strict=True)
        ]

        def write(db: sqlite3.Connection) -> bool:
            with db:
                db.execute("DELETE FROM vectors WHERE model != ?", (model_id,))
                db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)
                over = db.execute("SELECT count(*) FROM vectors").fetchone()[0] - self.max_vectors
                if over > 0:
                    db.execute(
                        "DELETE FROM vectors WHERE rowid IN "
                        "(SELECT rowid FROM vectors ORDER BY rowid LIMIT ?)",
                        (over,),
                    )
            return True

        return self._use(write, create=True) or False

    def forget(self, model_id: str, texts: Sequence[str]) -> None:
        """Drop the vectors of `texts`: their documents are committed."""
        keys = [(_key(model_id, text),) for text in texts]

        def delete(db: sqlite3.Connection) -> None:
            with db:
                db.executemany("DELETE FROM vectors WHERE key = ?", keys)

        if keys:
            self._use(delete)

    def __len__(self) -> int:
        counted = self._use(
            lambda db: int(db.execute("SELECT count(*) FROM vectors").fetchone()[0])
        )
        return counted or 0

    def _use(
        self, operation: Callable[[sqlite3.Connection], T], *, create: bool = False
    ) -> T | None:
        """`operation` on a connection of its own (the journal may serve more than one
        thread); None when there is no journal yet, or it fails (then it is left alone)."""
        if self._broken or not (create or self.path.exists()):
            return None
        try:
            if not self.path.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                self.path.touch(mode=0o600)
            db = sqlite3.connect(self.path, timeout=10)
            try:
                db.execute("PRAGMA auto_vacuum = FULL")  # a new file gives deleted pages back
                db.execute(_SCHEMA)
                return operation(db)
            finally:
                db.close()
        except (sqlite3.Error, OSError):
            self._broken = True
            return None


def _key(model_id: str, text: str) -> bytes:
    data = model_id.encode() + b"\0" + text.encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).digest()
