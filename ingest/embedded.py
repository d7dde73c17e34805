"""Names of documents inside files (e-mail attachments) and the file each one belongs to.

An attachment is stored under its e-mail's path, "#", and where it sits in the e-mail:
"/home/me/mail/offer.eml#attachment-2/report.pdf", or in a mailbox
"/home/me/mail/inbox.mbox#message-12/attachment-1/report.pdf". `margin sources` lists it,
citations name it, and `margin forget` on the e-mail removes its attachments too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ingest.types import (
    DocumentInfo,
    DocumentMeta,
    EmbeddedDocument,
    FileProblem,
    LoadedDocument,
    Outcome,
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

    write: list[tuple[DocumentMeta, LoadedDocument, Outcome]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)  # stored, but no longer in the file


def embedded_by_container(paths: Iterable[str]) -> dict[str, list[str]]:
    """The stored documents that sit inside files, by the path of their file."""
    inside: dict[str, list[str]] = {}
    for path in paths:
        container = container_of(path)
        if container != path:
            inside.setdefault(container, []).append(path)
    return inside


def plan_embedded(
    source: SourceFile,
    documents: Sequence[EmbeddedDocument],
    stored: Mapping[str, DocumentInfo],
    inside: Sequence[str],
    *,
    collection: str,
    local_only: bool,
    root: str,
    build: str,
    current: Callable[[DocumentInfo], bool],
) -> EmbeddedPlan:
    """`inside` are the stored documents of this file (`embedded_by_container`). Each document
    is written when its own content hash or its collection changed, or when it is not
    `current` (built with other settings, or not yet redone by a re-index); they all belong to
    the file's collection and root, share its local-only flag and record `build`."""
    container = str(source.path)
    plan = EmbeddedPlan()
    found = set()
    for document in documents:
        path = embedded_path(container, document.name)
        found.add(path)
        if document.problem:
            plan.problems.append(FileProblem(path, document.problem, failed=not document.skipped))
            continue
        old = stored.get(path)
        same = old is not None and (old.content_hash, old.collection, old.local_only) == (
            document.content_hash,
            collection,
            local_only,
        )
        if same and old is not None and current(old):
            plan.unchanged.append(path)
            continue
        meta = DocumentMeta(
            path=path,
            collection=collection,
            local_only=local_only,
            size=document.size,
            mtime_ns=source.mtime_ns,
            content_hash=document.content_hash,
            root=root,
            build=build,
        )
        kind: Outcome = "added" if old is None else "reprocessed" if same else "updated"
        plan.write.append((meta, document.document, kind))
    plan.gone = [path for path in inside if path not in found]
    return plan
