"""`margin models pull-reranker`: a cross-encoder's folder is installed only once every file
is complete and the folder has passed the caller's check, so a failure installs nothing.

The folder's files (see `models.pull.resolve_folder` for its address) are fetched one by one
with `Downloader` (resume, retries, disk space, published checksums) into `NAME.partial/`:
each as `FILE.part`, renamed to `FILE` once complete, so a second run fetches only what is
missing. `NAME.partial.source` beside it holds the folder's address (a partial folder fetched
from another address is started over) and a lock, so two runs never write one folder. A
dropped connection or Ctrl+C keeps the partial folder for the same command to resume; any
other failure deletes it. Weights come only as `model.safetensors`: `pytorch_model.bin` is a
pickle, which can run code when loaded, and is never fetched. Whether the files make a working
reranker is `check`'s to say: this package does not load cross-encoders.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from durable.private_files import sync_folder
from models.download import Downloader, Progress
from models.errors import DownloadError, DownloadNotFoundError, DownloadRefusedError
from models.pull import resolve_folder
from models.pull_lock import lock_to_write
from models.registry import NAME_PATTERN
from models.rerankers import PARTIAL, source_file

REQUIRED = ("config.json", "model.safetensors")
TOKENIZERS = ("tokenizer.json", "vocab.txt")  # at least one of them
OPTIONAL = ("tokenizer_config.json", "special_tokens_map.json")
FILES = (*REQUIRED, *TOKENIZERS, *OPTIONAL)
_WHEN_MISSING = {
    "config.json": "Every model folder has a config.json: is the address a cross-encoder's?",
    "model.safetensors": (
        "margin only takes safetensors weights (model.safetensors), never pytorch_model.bin, "
        "a pickle that can run code when loaded: choose a repository that publishes "
        "model.safetensors."
    ),
}

FolderCheck = Callable[[Path], str | None]  # a complete folder -> why it cannot serve, or None


@dataclass(frozen=True, slots=True)
class PulledReranker:
    name: str
    path: Path
    files: tuple[str, ...]
    size: int
    source: str  # the folder's address

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": str(self.path),
            "files": list(self.files),
            "bytes": self.size,
            "source": self.source,
        }


def reranker_target(folder: Path, name: str) -> Path:
    """Where the reranker NAME goes in `folder`; DownloadError unless NAME is a valid name that
    no installed reranker has."""
    if not NAME_PATTERN.fullmatch(name) or name.endswith(PARTIAL):
        raise DownloadError(
            f"{name!r} cannot name a reranker: use up to 64 letters, digits, '_', '-' or '.', "
            f"starting with a letter or digit and not ending in {PARTIAL}."
        )
    target = folder / name
    if target.exists() or target.is_symlink():
        raise DownloadError(
            f"A reranker named {name!r} is already installed in {target}. Choose another "
            f"--name, or `margin models remove {name}` first."
        )
    return target


def pull_reranker(
    source: str,
    name: str,
    folder: Path,
    downloader: Downloader,
    *,
    check: FolderCheck,
    progress: Callable[[Progress], None] | None = None,
) -> PulledReranker:
    """Download the reranker at `source` into `folder/NAME`, once `check` accepts it."""
    target = reranker_target(folder, name)
    base = resolve_folder(source)
    with _claimed(folder / f"{name}{PARTIAL}", base) as partial:
        try:
            files = _fetch(base, partial, downloader, progress)
        except DownloadError as exc:
            if not exc.keep_partial:
                shutil.rmtree(partial, ignore_errors=True)
                raise
            done = [file for file in FILES if (partial / file).is_file()]
            if not done:
                raise
            raise type(exc)(
                f"{exc} {partial} keeps the files already complete ({', '.join(done)})."
            ) from None
        problem = check(partial)
        if problem:
            shutil.rmtree(partial, ignore_errors=True)
            raise DownloadError(
                f"{base} is not a usable reranker: {problem} Nothing was installed."
            )
        try:
            os.replace(partial, target)
            sync_folder(folder)
        except OSError as exc:
            raise DownloadError(
                f"Cannot move the download into place as {target}: {exc.strerror}. Nothing was "
                "installed."
            ) from None
    size = sum((target / file).stat().st_size for file in files)
    return PulledReranker(name, target.resolve(), files, size, base)


def _fetch(
    base: str,
    partial: Path,
    downloader: Downloader,
    progress: Callable[[Progress], None] | None,
) -> tuple[str, ...]:
    """Every file of the folder the server has, into `partial`; their names."""
    found = []
    for file in FILES:
        path = partial / file
        if path.is_file():
            _note(progress, f"{file}: complete from an earlier run")
        else:
            _note(progress, file)
            part = path.with_name(path.name + ".part")
            try:
                downloader.download(f"{base}/{quote(file)}", part, progress=progress)
            except DownloadRefusedError as exc:
                raise DownloadRefusedError(
                    f"{exc} Download the folder's files in a browser into one folder, then "
                    "point `[retrieval] reranker` in config.toml at it. Nothing was installed."
                ) from None
            except DownloadNotFoundError as exc:
                if file in REQUIRED:
                    raise DownloadNotFoundError(
                        f"{exc} {_WHEN_MISSING[file]} Nothing was installed."
                    ) from None
                _note(progress, f"{file}: not there, skipped")
                continue
            os.replace(part, path)
        found.append(file)
    if not set(TOKENIZERS) & set(found):
        raise DownloadNotFoundError(
            f"{base} has neither {' nor '.join(TOKENIZERS)}: a reranker needs its tokenizer. "
            "Nothing was installed."
        )
    return tuple(found)


def _note(progress: Callable[[Progress], None] | None, text: str) -> None:
    if progress is not None:
        progress(Progress(0, None, 0.0, None, text))


@contextmanager
def _claimed(partial: Path, base: str) -> Iterator[Path]:
    """`partial`, locked for this run and holding only files fetched from `base`: an earlier
    run's folder is resumed when it fetched from the same address, else started over."""
    state = source_file(partial)
    partial.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(state, flags, 0o600)
    except OSError as exc:
        raise DownloadError(f"Cannot write {state}: {exc.strerror}.") from None
    held = False
    try:
        lock_to_write(fd, partial, "margin models pull-reranker")
        held = True
        if os.pread(fd, 65536, 0).decode("utf-8", "replace") != base:
            shutil.rmtree(partial, ignore_errors=True)
            os.ftruncate(fd, 0)
            os.pwrite(fd, base.encode(), 0)
        partial.mkdir(exist_ok=True, mode=0o700)
        yield partial
    finally:
        # Installed or deleted: the address has nothing left to describe. Only the run that
        # holds the lock removes the file, which is the lock another run may hold.
        if held and not partial.exists():
            state.unlink(missing_ok=True)
        os.close(fd)
