"""Errors raised by the ingest package, written for the person reading them."""

from __future__ import annotations

import os
import re
from pathlib import Path

# How LanceDB (Rust) reports the OS error behind a refused write: "... (os error 28)".
_OS_ERROR_CODE = re.compile(r"\(os error (\d+)\)")
_OS_ERRORS = {28: "the disk is full", 30: "the file system is read-only", 13: "permission denied"}


class IngestError(Exception):
    """Base class: anything that stops ingest as a whole (not a single bad file)."""


class StoreError(IngestError):
    """The vector store cannot be opened, read or written."""


class ModelMismatchError(StoreError):
    """The store was built with a different embedding model than the one loaded now."""


class StoreBusyError(StoreError):
    """Another process holds the store's write lock."""


class StoreWriteError(StoreError):
    """The disk refused a write (full, read-only, failing); what was committed is intact."""

    @classmethod
    def behind(cls, exc: BaseException, folder: Path | str) -> StoreWriteError | None:
        """The error to raise for `exc` if an OS error refused a write, else None."""
        found = _OS_ERROR_CODE.search(str(exc))
        code = int(found.group(1)) if found else getattr(exc, "errno", None)
        if not isinstance(code, int):
            return None
        reason = _OS_ERRORS.get(code, os.strerror(code))
        return cls(
            f"The index in {folder} cannot be written: {reason}. Documents indexed before "
            "are intact; free some space (or fix the folder) and run the ingest again."
        )


class EmbedderError(IngestError):
    """The embedding model cannot be loaded or run."""


class LoadError(Exception):
    """One file cannot be read; carried as data in the ingest report, never fatal."""


class NotADocumentError(LoadError):
    """The file is binary, empty or not text: skipped by rule rather than failed."""
