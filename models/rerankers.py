"""The rerankers `margin models pull-reranker` installed in its folder (`rerankers/NAME/`) and
its unfinished downloads (`NAME.partial/`, resumed by the same command): listed for `margin
models list` and `margin doctor`, deleted by `margin models remove`. The folder's layout is
named here (`PARTIAL`, `source_file`); `models.reranker_pull` writes it.

Only what this module found by listing the folder is deleted, so a name cannot reach outside
it. An unfinished download is deleted under the lock its `pull-reranker` holds, never while
that command is writing it. Which reranker config.toml uses is the caller's to know.
"""

from __future__ import annotations

import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.errors import RegistryError
from models.pull_lock import locked_to_remove

PARTIAL = ".partial"  # the suffix of an unfinished download's folder


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


@dataclass(frozen=True, slots=True)
class RerankerListing:
    """What one listing of the rerankers folder found, each list by name."""

    installed: list[InstalledReranker]  # the complete reranker folders
    unfinished: list[UnfinishedReranker]  # the partial folders of unfinished pulls

    def named(self, name: str) -> tuple[InstalledReranker | None, UnfinishedReranker | None]:
        """The installed reranker and the unfinished download named `name`."""
        installed = next((reranker for reranker in self.installed if reranker.name == name), None)
        unfinished = next((partial for partial in self.unfinished if partial.name == name), None)
        return installed, unfinished


def list_rerankers(folder: Path) -> RerankerListing:
    """The installed rerankers and unfinished `margin models pull-reranker` runs in `folder`,
    from one listing of it."""
    folders = _folders(folder)
    return RerankerListing(
        [
            InstalledReranker(path.name, path.resolve(), _size(path))
            for path in folders
            if not path.name.endswith(PARTIAL)
        ],
        [
            UnfinishedReranker(path.name.removesuffix(PARTIAL), path, _size(path), _source(path))
            for path in folders
            if path.name.endswith(PARTIAL)
        ],
    )


def remove_installed(reranker: InstalledReranker) -> None:
    """Delete an installed reranker's folder."""
    try:
        shutil.rmtree(reranker.path)
    except OSError as exc:
        raise RegistryError(
            f"Cannot delete {reranker.path}: {exc.strerror}. Delete what is left of it by hand."
        ) from None


def discard_unfinished(partial: UnfinishedReranker) -> None:
    """Delete an unfinished download; RegistryError while its `margin models pull-reranker` is
    still writing it."""
    state = source_file(partial.path)
    with locked_to_remove(state, partial.name, "margin models pull-reranker"):
        shutil.rmtree(partial.path, ignore_errors=True)
        state.unlink(missing_ok=True)


def source_file(partial: Path) -> Path:
    """The file beside a partial folder that holds its address and, while a run writes the
    folder, that run's lock."""
    return partial.with_name(partial.name + ".source")


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
