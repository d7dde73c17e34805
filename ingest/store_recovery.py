"""Roll a LanceDB table back to its last readable version after a power loss, and only then.

LanceDB commits atomically, so `kill -9` is safe; a power loss can still leave the newest
manifest empty, cut short or zero-filled, and then the table will not open at all (or opens
as an empty version 0). Rolling back discards the newest committed version, so it happens only
when both signs of that damage agree:

- Lance failed the way it fails on an undecodable manifest (`lance error: ... file size is too
  small`, `... Invalid range 0..0 for object of size 0 bytes`, `... does not have sufficient
  data`, `... failed to decode Protobuf message`), or the table opened at version 0, which no
  commit ever makes; and
- the newest manifest file itself is damaged: empty, or its footer (position of the metadata,
  format version, the magic `LANC`) or the length of the metadata does not add up.

Anything else (too many open files, a permission problem, a transient I/O error, a manifest
that reads back whole) is a StoreError that leaves every file as it was. Each rollback moves
the newest manifest aside (kept as `*.unreadable` for inspection) and tries again.
"""

from __future__ import annotations

import logging
import re
import struct
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.errors import StoreError

if TYPE_CHECKING:
    from lancedb.table import Table

log = logging.getLogger(__name__)
MAX_ROLLBACKS = 5
MAGIC = b"LANC"
FOOTER = struct.Struct("<QHH4s")  # metadata position, major and minor format version, magic
# What Lance (13, under lancedb 0.40) says when it cannot decode a manifest; found by damaging
# real manifests: empty, cut short, overwritten with random bytes, zeroed at the end.
UNDECODABLE = (
    "file size is too small",
    "does not have sufficient data",
    "failed to decode protobuf message",
    "invalid range 0..0 for object of size 0",
)
_LANCE_SOURCE = re.compile(r",\s*/\S+\.rs:\d+:\d+\s*$")  # ", /root/.cargo/.../file.rs:12:3"


class _OpenedAtVersionZero(Exception):
    """The table opened, but at version 0: its newest manifest holds zeros."""


def open_with_rollback(table_dir: Path, open_table: Callable[[], Table]) -> tuple[Table, int]:
    """Open a table, rolling back damaged newest versions; returns it and the rollback count."""
    rolled_back = 0
    while True:
        try:
            table = open_table()
            if table.version == 0:
                raise _OpenedAtVersionZero("the table opened at version 0")
            return table, rolled_back
        except Exception as exc:
            newest = _newest_manifest(table_dir)
            damage = _damage(newest) if newest is not None and _undecodable(exc) else None
            if damage is None or newest is None:
                raise StoreError(
                    f"The index table {table_dir.name} cannot be opened: {_cause(exc)}. "
                    "Nothing was changed; fix that and run the command again."
                ) from exc
            if rolled_back >= MAX_ROLLBACKS or not _set_aside(table_dir, newest, damage):
                raise StoreError(
                    f"The index table {table_dir.name} is damaged (its version file "
                    f"{newest.name} {damage}) and has no older readable version. Move "
                    f"{table_dir.parent} aside and run `margin ingest` again."
                ) from exc
            rolled_back += 1


def manifest_damage(manifest: Path) -> str | None:
    """What is wrong with a manifest file as bytes on disk; None when it looks whole.

    OSError while reading it reaches the caller: a file that cannot be read now is not known
    to be damaged.
    """
    data = manifest.read_bytes()
    if not data:
        return "is empty"
    if len(data) < FOOTER.size + 4:
        return f"is cut short ({len(data)} bytes)"
    position, _major, _minor, magic = FOOTER.unpack_from(data, len(data) - FOOTER.size)
    if magic != MAGIC:
        return "has no Lance footer (cut short or overwritten)"
    end = len(data) - FOOTER.size
    if position + 4 > end:
        return "points outside itself"
    (length,) = struct.unpack_from("<I", data, position)
    if length == 0 or position + 4 + length != end:
        return "holds metadata of the wrong length (zeroed or overwritten)"
    return None


def _undecodable(exc: Exception) -> bool:
    if isinstance(exc, _OpenedAtVersionZero):
        return True
    text = str(exc).lower()
    return isinstance(exc, RuntimeError) and any(sign in text for sign in UNDECODABLE)


def _damage(manifest: Path) -> str | None:
    try:
        return manifest_damage(manifest)
    except OSError:
        return None


def _newest_manifest(table_dir: Path) -> Path | None:
    try:
        manifests = list((table_dir / "_versions").glob("*.manifest"))
    except OSError:
        return None
    return max(manifests, key=_version_of, default=None)


def _set_aside(table_dir: Path, newest: Path, damage: str) -> bool:
    versions = table_dir / "_versions"
    if len(list(versions.glob("*.manifest"))) < 2:
        return False
    newest.rename(newest.with_suffix(".unreadable"))
    (versions / "latest_version_hint.json").unlink(missing_ok=True)
    log.warning(
        "rolled %s back past version file %s, which %s", table_dir.name, newest.name, damage
    )
    return True


def _version_of(manifest: Path) -> int:
    """Version number of a manifest file, for both of Lance's naming schemes."""
    number = int(manifest.stem)
    # V2 names count down from u64::MAX so that the newest sorts first.
    return (2**64 - 1) - number if number > 2**63 else number


def _cause(exc: Exception) -> str:
    """Lance's message without its prefix and Rust source location, for a person to read."""
    text = str(exc).strip() or type(exc).__name__
    text = _LANCE_SOURCE.sub("", text)
    for prefix in ("lance error: ", "LanceError(IO): ", "Generic LocalFileSystem error: "):
        text = text.removeprefix(prefix)
    return text.rstrip(".")
