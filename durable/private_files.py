"""One way to write a file: whole or not at all, and readable by its owner only from the start.

A temporary file beside the target (so the rename stays on one filesystem) is created with mode
0600, written, synced, renamed over the target, and the folder is synced so the rename survives
a power cut. Readers see the old content or the new, never a mix; two writers racing leave one
complete file. OSError (a read-only folder, a full disk) reaches the caller, and the temporary
file is gone.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

# Filesystems that cannot sync a folder say so with these; the rename itself has happened.
_NO_FOLDER_SYNC = {errno.EINVAL, errno.ENOTSUP, errno.EBADF}


def write_private(path: Path, data: str | bytes) -> None:
    """Put `data` (text is written as UTF-8) at `path`, atomically and owner-only."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    replace_private(path, lambda temporary: temporary.write_bytes(payload))


def replace_private(path: Path, write: Callable[[Path], object]) -> None:
    """Let `write(temporary)` fill a new owner-only file beside `path`, then put it in place.

    For writers that need a file name rather than bytes (an exporter that writes its own file).
    The folder must exist.
    """
    folder = path.parent
    descriptor, name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        os.close(descriptor)
        write(temporary)
        descriptor = os.open(temporary, os.O_RDONLY)
        try:
            os.fchmod(descriptor, 0o600)  # in case `write` made the file anew
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    sync_folder(folder)


def sync_folder(folder: Path) -> None:
    """Make the renames and new names in `folder` durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    except OSError as exc:
        if exc.errno not in _NO_FOLDER_SYNC:
            raise
    finally:
        os.close(descriptor)
