"""The lock a `margin models pull` or `pull-reranker` run holds while it writes a download: on the
partial file itself, or on the state file beside a partial folder. A second run of the command
is refused rather than writing the same bytes, and `margin models remove` deletes an unfinished
download only while no run holds its lock. Neither waits: the person is told who holds it.
"""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from models.errors import DownloadError, RegistryError


def lock_to_write(fd: int, target: Path, command: str) -> None:
    """Lock the open file `fd` for this run of `command`, which writes `target`; DownloadError
    while another run holds the lock."""
    if not _locked(fd):
        raise DownloadError(
            f"Another `{command}` is writing {target} right now; wait for it to finish."
        )


@contextmanager
def locked_to_remove(lock_file: Path, name: str, command: str) -> Iterator[None]:
    """`lock_file`'s lock, held while the unfinished download `name` is deleted (nothing to hold
    when the file is gone); RegistryError while a run of `command` is writing it."""
    try:
        fd = os.open(lock_file, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        yield
        return
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        yield  # a symbolic link: no run of `command` made it, so none holds a lock on it
        return
    try:
        if not _locked(fd):
            raise RegistryError(
                f"`{command}` is downloading {name} right now; stop it (Ctrl+C) first."
            )
        yield
    finally:
        os.close(fd)


def _locked(fd: int) -> bool:
    """Whether this process took `fd`'s lock; False, without waiting, while another holds it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
