"""Files that appear whole or not at all: written to a temporary name, synced, then renamed."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any


def replace_atomically(target: Path, write: Callable[[Path], None]) -> None:
    """Call `write(temporary)` with a path beside `target`, then move the result into place.

    Readers see the old file or the new one, never a part; two writers racing leave one
    complete file. OSError (a read-only or full disk) reaches the caller.
    """
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        write(temporary)
        fd = os.open(temporary, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def write_json_atomically(target: Path, data: Any) -> None:
    """`data` as JSON at `target`, readable by the owner only."""

    def write(path: Path) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)

    replace_atomically(target, write)
