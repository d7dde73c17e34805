"""Which indexed documents are gone and leave the index at the end of a run.

A document is gone when its folder was walked and the file was not found in it, and also,
wherever it is, when nothing is at its path any more and either its own root is still there
(the file was deleted or moved away) or its content was just ingested under another path
(the file was moved, perhaps with its whole folder). The second rule is what keeps a file
moved from a public folder into a local-only one from staying in the index, and being sent,
under its old path. A document whose root is gone too (an unplugged drive) stays until its
folder is ingested again or forgotten. A file ingested by its own name (a hidden one, which a
folder walk skips) is not gone while it is still there: it leaves when it is deleted, or by
`margin forget`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from ingest.embedded import container_of
from ingest.types import DocumentInfo


def gone_documents(
    stored: Mapping[str, DocumentInfo],
    walked: set[str],
    roots: Sequence[Path],
    added_hashes: set[str],
) -> list[str]:
    """Paths of the stored documents to remove after a run over `roots` that found the
    files in `walked` and added documents with the content hashes `added_hashes`. A document
    inside a file (an attachment) goes with its file."""
    return [
        path
        for path, doc in stored.items()
        if (file := container_of(path)) not in walked
        and (
            (under_any(file, roots) and not _named_and_present(file, doc))
            or (vanished(file) and (not vanished(doc.root) or doc.content_hash in added_hashes))
        )
    ]


def _named_and_present(file: str, doc: DocumentInfo) -> bool:
    """A file ingested by its own name (its root), still there: a folder walk that skipped it
    (hidden) does not make it gone."""
    return doc.root == file and not vanished(file)


def under_any(path: str, roots: Sequence[Path]) -> bool:
    candidate = Path(path)
    return any(candidate == root or candidate.is_relative_to(root) for root in roots)


def vanished(path: str) -> bool:
    """True when nothing is at `path` any more (not when it merely cannot be read)."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False
