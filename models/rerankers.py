"""The rerankers `margin models pull-reranker` installed in its folder (`rerankers/NAME/`) and
its unfinished downloads (`NAME.partial/`, resumed by the same command): listed for `margin
models list` and `margin doctor`, deleted by `margin models remove`.

Only what this module finds by listing the folder is deleted, so a name cannot reach outside
it. An unfinished download is deleted under the lock its `pull-reranker` holds, never while
that command is writing it. Which reranker config.toml uses is the caller's to know.
"""

from __future__ import annotations

import fcntl
import os
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.errors import RegistryError
from models.reranker_pull import PARTIAL, source_file


@dataclass(frozen=True, slots=True)
class InstalledReranker:
    name: str
    path: Path
    size: int  # bytes of its files

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "path": str(self.path), "bytes": self.size}


@dataclass(frozen=True, slots=True)
class UnfinishedReranker:
    name: str
    path: Path  # the NAME.partial folder
    size: int  # bytes fetched so far
    source: str  # the address it is fetched from; "" when not recorded

    @property
    def resume(self) -> str:
        """The command that finishes the download."""
        source = shlex.quote(self.source) if self.source else "SOURCE"
        return f"margin models pull-reranker {source} --name {self.name}"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": str(self.path),
            "bytes": self.size,
            "source": self.source,
            "resume": self.resume,
        }


def installed_rerankers(folder: Path) -> list[InstalledReranker]:
    """The complete reranker folders in `folder`, by name."""
    return [
        InstalledReranker(path.name, path.resolve(), _size(path))
        for path in _folders(folder)
        if not path.name.endswith(PARTIAL)
    ]


def unfinished_rerankers(folder: Path) -> list[UnfinishedReranker]:
    """The partial folders of unfinished `margin models pull-reranker` runs in `folder`."""
    return [
        UnfinishedReranker(path.name.removesuffix(PARTIAL), path, _size(path), _source(path))
        for path in _folders(folder)
        if path.name.endswith(PARTIAL)
    ]


def remove_reranker(folder: Path, name: str) -> InstalledReranker:
    """Delete the installed reranker `name` from `folder`; what it was."""
    found = {reranker.name: reranker for reranker in installed_rerankers(folder)}
    if name not in found:
        raise RegistryError(f"No reranker named {name!r} is installed in {folder}.")
    try:
        shutil.rmtree(found[name].path)
    except OSError as exc:
        raise RegistryError(
            f"Cannot delete {found[name].path}: {exc.strerror}. Delete what is left of it by hand."
        ) from None
    return found[name]


def discard_unfinished(folder: Path, name: str) -> UnfinishedReranker:
    """Delete the unfinished download of the reranker `name`; what it was. RegistryError while
    a `margin models pull-reranker` is still writing it."""
    found = {partial.name: partial for partial in unfinished_rerankers(folder)}
    if name not in found:
        raise RegistryError(f"No unfinished download of a reranker named {name!r} in {folder}.")
    partial = found[name]
    state = source_file(partial.path)
    try:
        fd = os.open(state, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        fd = None
    try:
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        shutil.rmtree(partial.path, ignore_errors=True)
        state.unlink(missing_ok=True)
    except BlockingIOError:
        raise RegistryError(
            f"`margin models pull-reranker` is downloading {name} right now; stop it (Ctrl+C) "
            "first."
        ) from None
    finally:
        if fd is not None:
            os.close(fd)
    return partial


def _folders(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if path.is_dir() and not path.is_symlink())


def _size(path: Path) -> int:
    return sum(file.stat().st_size for file in path.iterdir() if file.is_file())


def _source(partial: Path) -> str:
    try:
        return source_file(partial).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""
