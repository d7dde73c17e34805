"""Roll a LanceDB table back to its last readable version after a power loss.

LanceDB commits atomically, so `kill -9` is safe; a power loss can still leave the newest
manifest empty or cut short, and then the table will not open at all. Each failed open moves
the newest manifest aside (kept as `*.unreadable` for inspection) until one opens.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ingest.errors import StoreError

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_ROLLBACKS = 5


def open_with_rollback(table_dir: Path, open_table: Callable[[], T]) -> tuple[T, int]:
    """Open a table, rolling back unreadable newest versions; returns it and the rollback count."""
    rolled_back = 0
    while True:
        try:
            return open_table(), rolled_back
        except Exception as exc:
            if rolled_back >= MAX_ROLLBACKS or not _set_aside_newest_manifest(table_dir):
                raise StoreError(
                    f"The index table {table_dir.name} cannot be opened ({exc}). "
                    f"Move {table_dir.parent} aside and run `margin ingest` again."
                ) from exc
            rolled_back += 1


def _set_aside_newest_manifest(table_dir: Path) -> bool:
    versions = table_dir / "_versions"
    manifests = sorted(versions.glob("*.manifest"), key=_version_of, reverse=True)
    if len(manifests) < 2:
        return False
    newest = manifests[0]
    newest.rename(newest.with_suffix(".unreadable"))
    (versions / "latest_version_hint.json").unlink(missing_ok=True)
    log.warning("rolled %s back past unreadable version file %s", table_dir.name, newest.name)
    return True


def _version_of(manifest: Path) -> int:
    """Version number of a manifest file, for both of Lance's naming schemes."""
    number = int(manifest.stem)
    # V2 names count down from u64::MAX so that the newest sorts first.
    return (2**64 - 1) - number if number > 2**63 else number
