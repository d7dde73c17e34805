"""Where a document belongs: its collection and whether it is local-only.

A document's privacy changes only when the person says so. An ingest run names what it
asks for (`--collection C`, `--local-only`), and this module decides, per file, what it gets:

- a document already in the index keeps its collection and local-only flag, whatever the
  run asks, with one exception: `--local-only` given for it makes it local-only (and moves
  it to the named collection), because that can only keep more on the machine. Anything
  else is reported as kept, with the reason, and `margin move` is the way to change it;
- a new file inside a folder that was ingested local-only is local-only too, in that
  folder's collection, even when it is reached through a parent folder ingested without
  `--local-only`: of two places a file belongs to, the more private one wins, and the run
  reports it;
- any other new file goes where the run says: the named collection, or the collection of
  the folder it is in, or `default`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.embedded import container_of
from ingest.types import DocumentInfo

DEFAULT_COLLECTION = "default"


@dataclass(frozen=True, slots=True)
class Placement:
    """A document's collection, local-only flag, and the ingested root it belongs to."""

    collection: str
    local_only: bool
    root: str

    def fields(self) -> tuple[str, bool, str]:
        """(collection, local_only, root): a move as `ChunkStore.move_documents` takes it."""
        return self.collection, self.local_only, self.root


@dataclass(frozen=True, slots=True)
class Request:
    """What a run asks for: a collection (None when not named) and `--local-only`."""

    collection: str | None = None
    local_only: bool = False


@dataclass(frozen=True, slots=True)
class Decision:
    """The placement a file gets, and why it is not what was asked (None when it is)."""

    placement: Placement
    kept_because: str | None = None


class Places:
    """The folders (and single files) ingested so far, with the placement of each, read from
    the stored documents; a root that holds any local-only document is a local-only place."""

    def __init__(self, documents: Iterable[DocumentInfo]):
        self._by_root: dict[str, Placement] = {}
        for doc in documents:
            held = self._by_root.get(doc.root)
            if held is None or (doc.local_only and not held.local_only):
                self._by_root[doc.root] = Placement(doc.collection, doc.local_only, doc.root)

    def decide(
        self, path: str, root: str, stored: DocumentInfo | None, request: Request
    ) -> Decision:
        """The placement of the file at `path`, found under `root` in this run."""
        if stored is not None:
            return _stored(stored, root, request)
        private = self._innermost(path, local_only=True)
        if request.local_only:
            collection = request.collection or (private.collection if private else None)
            return Decision(Placement(collection or DEFAULT_COLLECTION, True, root))
        if private is not None:
            return Decision(
                private,
                f"inside {private.root}, which is local-only (collection {private.collection!r})",
            )
        public = self._innermost(path, local_only=False)
        collection = request.collection or (public.collection if public else DEFAULT_COLLECTION)
        return Decision(Placement(collection, False, root))

    def _innermost(self, path: str, *, local_only: bool) -> Placement | None:
        """The placement of the deepest stored root holding `path` with that privacy."""
        candidate = Path(path)
        holding = [
            place
            for root, place in self._by_root.items()
            if place.local_only == local_only and candidate.is_relative_to(root)
        ]
        return max(holding, key=lambda place: len(place.root), default=None)


def moved_placements(
    documents: Iterable[DocumentInfo],
    targets: Sequence[Path],
    collection: str | None,
    local_only: bool | None,
) -> list[tuple[str, Placement]]:
    """What `margin move` changes: each document at or under a target gets the collection
    and local-only flag named (None: its own) and the target as its root, so new files
    found there later are placed the same way; documents already so are left out."""
    moves = []
    for doc in documents:
        file = Path(container_of(doc.path))  # an attachment moves with its file
        target = next((t for t in targets if file.is_relative_to(t)), None)
        if target is None:
            continue
        placement = Placement(
            collection if collection is not None else doc.collection,
            local_only if local_only is not None else doc.local_only,
            str(target),
        )
        if placement != Placement(doc.collection, doc.local_only, doc.root):
            moves.append((doc.path, placement))
    return moves


def _stored(stored: DocumentInfo, root: str, request: Request) -> Decision:
    """An indexed document: only `--local-only` changes it (made, or kept, local-only).

    Made local-only, it belongs to this run's root from then on, so the folder named with
    `--local-only` becomes a local-only place, not the parent it was first ingested with."""
    held = Placement(stored.collection, stored.local_only, stored.root)
    if request.local_only:
        collection = request.collection or stored.collection
        if stored.local_only and collection == stored.collection:
            return Decision(held)
        return Decision(Placement(collection, True, root))
    other_collection = request.collection not in (None, stored.collection)
    if stored.local_only:
        return Decision(held, f"local-only in collection {stored.collection!r}")
    if other_collection:
        return Decision(held, f"in collection {stored.collection!r}")
    return Decision(held)
