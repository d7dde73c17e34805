"""What an interrupted ingest kept, and what the next one picks up: told as it is.

Documents the run committed are in the index. A document it was embedding is not (it
appears in one step, `ingest.store`), but the vectors already made for it are in the
journal (`ingest.vector_journal`), so the next run embeds only its other chunks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ingest.types import IngestReport

_NAMED = 3  # unfinished documents named in the message; the rest are counted


@dataclass(frozen=True, slots=True)
class Unfinished:
    """A document the run had read but not committed: `done` of its `chunks` have a vector
    the next run reuses (kept from the index, or journaled)."""

    path: str
    chunks: int
    done: int


@dataclass(frozen=True, slots=True)
class Interruption:
    committed: int  # documents the run added, updated or re-processed (all kept)
    unfinished: tuple[Unfinished, ...] = ()
    reading: str | None = None  # the file being read or chunked when it stopped

    def describe(self) -> str:
        """'interrupted: 12 documents finished by this run are kept; oneline.txt was 2,549 of
        4,400 chunks in, and the next ingest picks up from there.'"""
        n = self.committed
        kept = (
            f"{n:,} {'document' if n == 1 else 'documents'} finished by this run "
            f"{'is' if n == 1 else 'are'} kept"
            if n
            else "no document was finished by this run"
        )
        started = [u for u in self.unfinished if u.done]
        waiting = [Path(u.path).name for u in self.unfinished if not u.done]
        parts = [f"interrupted: {kept}"]
        if started:
            named = [
                f"{Path(u.path).name} was {u.done:,} of {u.chunks:,} chunks in" for u in started
            ]
            if len(named) > _NAMED:
                named = [*named[:_NAMED], f"{len(named) - _NAMED} more were part way"]
            parts.append(f"{', '.join(named)}, and the next ingest picks up from there")
        if self.reading is not None and not waiting:
            parts.append(
                f"{Path(self.reading).name} was being read; the next ingest reads it again"
            )
        elif waiting:
            if self.reading is not None:
                waiting.append(Path(self.reading).name)
            starts = (
                f"{waiting[0]} starts" if len(waiting) == 1 else f"{len(waiting):,} files start"
            )
            parts.append(f"{starts} over next time")
        return "; ".join(parts) + "."

    def to_json(self) -> dict[str, Any]:
        """The `interruption` of `margin ingest --json`: the message and its figures."""
        return {
            "message": self.describe(),
            "committed": self.committed,
            "unfinished": [
                {"path": u.path, "chunks": u.chunks, "done": u.done} for u in self.unfinished
            ],
            "reading": self.reading,
        }


class IngestInterrupted(KeyboardInterrupt):
    """Ctrl+C (or SIGINT) stopped an ingest run; `interruption` says what it kept, and
    `report` what the run did until then (with that `interruption`)."""

    def __init__(self, interruption: Interruption, report: IngestReport):
        super().__init__(interruption.describe())
        self.interruption = interruption
        self.report = replace(report, interruption=interruption)
