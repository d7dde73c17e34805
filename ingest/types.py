"""The typed values that flow through ingest: file -> sections -> chunks -> stored rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ingest.interruption import Interruption

HEADING_SEPARATOR = " > "  # between the headings of a path: "Title > Section > Subsection"
TERMS_SEPARATOR = " / "  # between the terms of one entry in its heading ("-n / --dry-run")


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file found by the walker, with the root it was found under."""

    path: Path  # absolute, resolved
    root: Path  # the ingested root folder (or the file itself when given directly)
    size: int
    mtime_ns: int
    unpacked: int | None = None  # a gzip file's size once expanded; None: not compressed

    @property
    def work(self) -> int:
        """The bytes reading it means, which progress counts: a 1 MB `all.json.gz` is 7 MB
        of text to chunk and embed."""
        return self.unpacked if self.unpacked is not None else self.size


@dataclass(frozen=True, slots=True)
class Section:
    """A run of text from one place in a document: a markdown section or a PDF page."""

    text: str
    page: int | None = None  # 1-based PDF page
    heading: str = ""  # "Title > Section > Subsection"
    line: int | None = None  # 1-based line in the file the text starts on, where known
    # The file line of each of the text's lines, when they are not `line`, `line + 1`, ...
    # (HTML blocks joined onto one line, lines left out); see `ingest.source_lines`, whose
    # `placed` makes them and whose `lines_fit` checks sections from the extraction worker.
    lines: tuple[int, ...] = ()

    def line_of(self, index: int) -> int | None:
        """The file line of the text's line `index` (from 0), where known."""
        if self.line is None:
            return None
        return self.lines[index] if self.lines else self.line + index


@dataclass(frozen=True, slots=True)
class LoadedDocument:
    """What a loader read from one file: its sections, title, what it left out and why, and
    the documents inside it (e-mail attachments), which are indexed as documents of their own."""

    sections: list[Section]
    title: str = ""  # the document's own title (HTML <title>, PDF metadata, e-mail subject)
    warnings: tuple[str, ...] = ()  # e.g. hidden text dropped from an HTML page
    embedded: tuple[EmbeddedDocument, ...] = ()


@dataclass(frozen=True, slots=True)
class EmbeddedDocument:
    """A document inside a file (an e-mail attachment), indexed under a path of its own:
    the file's path, "#", and `name` (see `ingest.embedded`). Its `document` is read as a
    file of its own would be (sections, title, warnings); documents inside it are not read."""

    name: str  # "attachment-2/report.pdf"
    content_hash: str  # SHA-256 of its bytes: a re-ingest skips it while this is unchanged
    size: int
    document: LoadedDocument = field(default_factory=lambda: LoadedDocument([]))
    problem: str = ""  # why it could not be read (then `document` is empty); "" when it was
    skipped: bool = False  # the problem is a rule (no text in it), not a failure


@dataclass(frozen=True, slots=True)
class Chunk:
    """A piece of a section sized for the embedding model."""

    text: str
    ordinal: int  # position within the document, from 0
    page: int | None = None
    heading: str = ""
    line: int | None = None
    lines: tuple[int, ...] = ()  # each text line's file line, when not line, line + 1, ...


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    """What the store records about a document besides its chunks."""

    path: str  # absolute, resolved
    collection: str
    local_only: bool
    size: int
    mtime_ns: int
    content_hash: str
    root: str
    build: str = ""  # the extraction and chunking settings it was built with (see Build)


@dataclass(frozen=True, slots=True)
class StoredChunk:
    """A chunk as read back from the store, with the score of the search that found it."""

    id: str  # stable id: f"{doc_id}:{ordinal}"
    path: str  # absolute, resolved
    collection: str
    local_only: bool
    heading: str
    page: int | None
    line: int | None
    ordinal: int
    text: str
    score: float = 0.0
    # Each text line's file line when they are not line, line + 1, ... (as `Chunk.lines`);
    # None in a store written before chunks kept them: only `line` is known.
    lines: tuple[int, ...] | None = ()


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """One document in the store, as `margin sources` lists it."""

    path: str
    collection: str
    local_only: bool
    chunks: int
    size: int
    mtime_ns: int
    content_hash: str
    ingested_at: str  # ISO 8601, UTC
    root: str
    build: str = ""  # empty for documents stored before builds were recorded


@dataclass(frozen=True, slots=True)
class FileProblem:
    """A file that was skipped (by rule) or failed (could not be read), with the reason."""

    path: str
    reason: str
    failed: bool = False  # True: an error worth the person's attention (exit code 3)


Outcome = Literal["added", "updated", "reprocessed"]  # the report list a written document joins


@dataclass(frozen=True, slots=True)
class KeptDocument:
    """A document that stayed where it was although the run asked for another collection
    or for no local-only: its privacy changes only by an explicit act (`margin move`)."""

    path: str
    collection: str
    local_only: bool
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "collection": self.collection,
            "local_only": self.local_only,
            "reason": self.reason,
        }


@dataclass(slots=True)
class IngestReport:
    """What one ingest run did; the `--json` shape of `margin ingest`.

    `moved`: unchanged documents given another collection or made local-only by this run;
    `kept`: documents that stayed where they were although the run asked otherwise;
    `interruption`: what a run stopped by its `cancel` kept, and what the next one picks up.
    """

    added: list[str]
    updated: list[str]
    unchanged: list[str]
    removed: list[str]
    failed: list[FileProblem]
    skipped: list[FileProblem]
    chunks: int = 0
    seconds: float = 0.0
    interruption: Interruption | None = None  # None: the run was not stopped
    reprocessed: list[str] = field(default_factory=list)  # same file, new extraction settings
    warnings: list[FileProblem] = field(
        default_factory=list
    )  # indexed, but with something left out
    moved: list[str] = field(default_factory=list)
    kept: list[KeptDocument] = field(default_factory=list)

    @property
    def cancelled(self) -> bool:
        return self.interruption is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "updated": self.updated,
            "reprocessed": self.reprocessed,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "moved": self.moved,
            "kept": [kept.to_json() for kept in self.kept],
            "failed": [{"path": p.path, "error": p.reason} for p in self.failed],
            "skipped": [{"path": p.path, "reason": p.reason} for p in self.skipped],
            "warnings": [{"path": p.path, "warning": p.reason} for p in self.warnings],
            "chunks": self.chunks,
            "seconds": round(self.seconds, 3),
            "cancelled": self.cancelled,
            "interruption": None if self.interruption is None else self.interruption.to_json(),
        }
