"""Small files margin keeps beside the index tables (the re-index plan): in the index's folder,
or as objects under its prefix in object storage, so they travel with the index."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from durable.private_files import write_private


class SideFiles(Protocol):
    def read(self, name: str) -> bytes | None: ...

    def write(self, name: str, data: bytes) -> None: ...

    def delete(self, name: str) -> None: ...


class FolderFiles:
    """Files in the index folder, written whole or not at all, owner-only."""

    def __init__(self, folder: Path):
        self._folder = folder

    def read(self, name: str) -> bytes | None:
        try:
            return (self._folder / name).read_bytes()
        except FileNotFoundError:
            return None

    def write(self, name: str, data: bytes) -> None:
        write_private(self._folder / name, data)

    def delete(self, name: str) -> None:
        (self._folder / name).unlink(missing_ok=True)


class ObjectFiles:
    """Objects under the index's prefix (an object put is whole or absent)."""

    def __init__(self, store: Any):
        self._store = store

    def read(self, name: str) -> bytes | None:
        import obstore

        try:
            return bytes(obstore.get(self._store, name).bytes())
        except FileNotFoundError:
            return None

    def write(self, name: str, data: bytes) -> None:
        import obstore

        obstore.put(self._store, name, data)

    def delete(self, name: str) -> None:
        import obstore

        obstore.delete(self._store, name)  # no error when it is already gone
