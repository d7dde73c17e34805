"""How common each term is in the index, so a question's rare words count for more.

"pipefail" in a question says more about what it asks than "file": lexical coverage weighs
each question term by its inverse document frequency (IDF) over every chunk in the index. A
term no chunk holds ("conda" in a corpus without conda) weighs the most, which is what makes
a question about something the documents never mention look unanswered.

The counts live in a small SQLite file in the cache folder, kept per document, so an ingest
that changes one file recounts one file. They are brought up to date with the store on first
use after it changed (the store's version says so in one call), and right after an ingest.
Whatever goes wrong with the file costs the weighting, never an answer: every term then
weighs the same, and a damaged file is rebuilt.
"""

from __future__ import annotations

import logging
import math
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from assistant.ask.terms import content_terms
from ingest.types import DocumentInfo, StoredChunk

log = logging.getLogger(__name__)

TERMS_FILE = "terms.sqlite"  # in the cache folder
# 2: terms without their accents ("godel"), letters of any script; 3: stop words named as
# keywords ("the else block") are terms
SCHEMA_VERSION = 4
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    path TEXT PRIMARY KEY, content TEXT NOT NULL, chunks INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS postings (
    term TEXT NOT NULL, path TEXT NOT NULL, chunks INTEGER NOT NULL,
    PRIMARY KEY (term, path)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS postings_by_path ON postings (path);
"""
# Counts in another format are made again from the store, whatever store version they were of.
_FORGET = "DELETE FROM documents; DELETE FROM postings; DELETE FROM meta WHERE name = 'store';"
READ_BATCH = 64  # documents read from the store at a time while counting


class CountedStore(Protocol):
    """What the counts are made from: `ingest.store.ChunkStore` has it."""

    def version(self) -> tuple[int, int]: ...

    def documents(self) -> list[DocumentInfo]: ...

    def document_chunks(self, paths: list[str]) -> list[StoredChunk]: ...


class TermStatistics:
    """Document frequencies of terms over the chunks of one store, cached in `path`."""

    def __init__(self, path: Path, store: CountedStore):
        self.path = path
        self._store = store
        self._lock = threading.Lock()
        self._seen_version: str | None = None

    def idf(self, terms: Iterable[str]) -> dict[str, float]:
        """`ln((N + 1) / (df + 0.5))` for each term, N the chunks in the index; every term
        weighs 1.0 when the counts cannot be had."""
        wanted = sorted(set(terms))
        try:
            total, counts = self._counts(wanted)
        except (sqlite3.Error, OSError) as exc:
            log.warning("margin: term statistics unavailable, words weigh the same: %s", exc)
            return dict.fromkeys(wanted, 1.0)
        return {t: math.log((total + 1) / (counts.get(t, 0) + 0.5)) for t in wanted}

    def chunk_counts(
        self, terms: list[str], paths: list[str] | None = None
    ) -> dict[str, int] | None:
        """How many chunks hold each term (absent terms: 0), of the documents at `paths` when
        given, else of the index; None when the counts cannot be had."""
        wanted = sorted(set(terms))
        try:
            _, counts = self._counts(wanted, None if paths is None else sorted(set(paths)))
        except (sqlite3.Error, OSError) as exc:
            log.warning("margin: term statistics unavailable: %s", exc)
            return None
        return {t: counts.get(t, 0) for t in wanted}

    def refresh(self) -> None:
        """Recount the documents that changed since the last count."""
        try:
            with self._lock, self._connect() as connection:
                self._update(connection)
        except (sqlite3.Error, OSError) as exc:
            log.warning("margin: term statistics not updated: %s", exc)

    def _counts(
        self, terms: list[str], paths: list[str] | None = None
    ) -> tuple[int, dict[str, int]]:
        with self._lock, self._connect() as connection:
            self._update(connection)
            total = connection.execute("SELECT COALESCE(SUM(chunks), 0) FROM documents")
            where = f"term IN ({','.join('?' * len(terms))})"
            if paths is not None:
                where += f" AND path IN ({','.join('?' * len(paths))})"
            rows = connection.execute(
                f"SELECT term, SUM(chunks) FROM postings WHERE {where} GROUP BY term",
                [*terms, *(paths or [])],
            )
            return int(total.fetchone()[0]), {term: int(n) for term, n in rows}

    def _connect(self) -> sqlite3.Connection:
        try:
            return self._open()
        except sqlite3.DatabaseError:
            log.warning(
                "margin: the term statistics file %s was damaged; counting again", self.path
            )
            self.path.unlink(missing_ok=True)
            return self._open()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.path.touch(mode=0o600, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        connection.executescript(_SCHEMA)
        version = connection.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
        if version is None or int(version[0]) != SCHEMA_VERSION:
            connection.executescript(_FORGET)
            connection.execute(
                "INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
            )
        return connection

    def _update(self, connection: sqlite3.Connection) -> None:
        """Bring the counts level with the store: count added and changed documents, drop
        removed ones. Cheap when nothing changed: one version check."""
        version = repr(self._store.version())
        if version == self._seen_version:
            return
        stored = connection.execute("SELECT value FROM meta WHERE name = 'store'").fetchone()
        if stored is not None and stored[0] == version:
            self._seen_version = version
            return
        current = {d.path: _content_key(d) for d in self._store.documents()}
        counted = dict(connection.execute("SELECT path, content FROM documents"))
        stale = [p for p, key in counted.items() if current.get(p) != key]
        fresh = [p for p, key in current.items() if counted.get(p) != key]
        connection.execute("BEGIN IMMEDIATE")
        try:
            for path in stale:
                connection.execute("DELETE FROM postings WHERE path = ?", (path,))
                connection.execute("DELETE FROM documents WHERE path = ?", (path,))
            for start in range(0, len(fresh), READ_BATCH):
                batch = fresh[start : start + READ_BATCH]
                self._count(connection, batch, current)
            connection.execute("INSERT OR REPLACE INTO meta VALUES ('store', ?)", (version,))
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        self._seen_version = version

    def _count(
        self, connection: sqlite3.Connection, paths: list[str], keys: dict[str, str]
    ) -> None:
        terms: dict[str, Counter[str]] = {path: Counter() for path in paths}
        chunks: Counter[str] = Counter()
        for chunk in self._store.document_chunks(paths):
            terms[chunk.path].update(set(chunk_terms(chunk)))
            chunks[chunk.path] += 1
        for path, counts in terms.items():
            connection.execute(
                "INSERT OR REPLACE INTO documents VALUES (?, ?, ?)",
                (path, keys[path], chunks[path]),
            )
            connection.executemany(
                "INSERT OR REPLACE INTO postings VALUES (?, ?, ?)",
                ((term, path, n) for term, n in counts.items()),
            )


def chunk_terms(chunk: StoredChunk) -> list[str]:
    """The terms a chunk is counted under: its heading path's and its text's."""
    return content_terms(f"{chunk.heading}\n{chunk.text}")


def _content_key(document: DocumentInfo) -> str:
    return f"{document.content_hash}:{document.build}:{document.chunks}"
