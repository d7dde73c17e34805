"""Names of documents inside files (e-mail attachments) and the file each one belongs to.

An attachment is stored under its e-mail's path, "#", and where it sits in the e-mail:
"/home/me/mail/offer.eml#attachment-2/report.pdf", or in a mailbox
"/home/me/mail/inbox.mbox#message-12/attachment-1/report.pdf". `margin sources` lists it,
citations name it, and `margin forget` on the e-mail removes its attachments too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ingest.types import (
    DocumentInfo,
    DocumentMeta,
    EmbeddedDocument,
    FileProblem,
    Section,
    SourceFile,
)

SEPARATOR = "#"
_NAME = re.compile(r"#((?:message-\d+/)?attachment-\d+/[^/]*)\Z")


def embedded_path(container: str, name: str) -> str:
    """The stored path of the document `name` inside the file at `container`."""
    return f"{container}{SEPARATOR}{name}"


def container_of(path: str) -> str:
    """The file a stored document was read from: itself, or the e-mail holding it."""
    match = _NAME.search(path)
    return path[: match.start()] if match else path


def attachment_name(number: int, filename: str, *, message: int | None = None) -> str:
    """The name of attachment `number` (from 1), in message `message` of a mailbox if given."""
    where = f"message-{message}/" if message is not None else ""
    return f"{where}attachment-{number}/{filename}"


@dataclass(slots=True)
class EmbeddedPlan:
    """What an ingest does with the documents inside one file it has just read."""

    write: list[tuple[DocumentMeta, list[Section], bool]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)  # stored, but no longer in the file


def plan_embedded(
    source: SourceFile,
    documents: list[EmbeddedDocument],
    stored: Mapping[str, DocumentInfo],
    *,
    collection: str,
    local_only: bool,
) -> EmbeddedPlan:
    """Each document is written only when its own content hash (or its collection) changed;
    they all belong to the file's collection and share its local-only flag."""
    container = str(source.path)
    plan = EmbeddedPlan()
    current = set()
    for document in documents:
        path = embedded_path(container, document.name)
        current.add(path)
        if document.problem:
            plan.problems.append(FileProblem(path, document.problem, failed=not document.skipped))
            continue
        old = stored.get(path)
        if old is not None and (old.content_hash, old.collection, old.local_only) == (
            document.content_hash,
            collection,
            local_only,
        ):
            plan.unchanged.append(path)
            continue
        meta = DocumentMeta(
            path=path,
            collection=collection,
            local_only=local_only,
            size=document.size,
            mtime_ns=source.mtime_ns,
            content_hash=document.content_hash,
            root=str(source.root),
        )
        plan.write.append((meta, document.sections, old is not None))
    plan.gone = embedded_in(container, stored, keep=current)
    return plan


def embedded_in(container: str, stored: Mapping[str, DocumentInfo], keep: set[str]) -> list[str]:
    """The stored documents found inside `container`, except those in `keep`."""
    return [
        path
        for path in stored
        if path != container and container_of(path) == container and path not in keep
    ]
