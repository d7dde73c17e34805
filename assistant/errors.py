"""Errors of the assistant package; the CLI turns each into a message and an exit code.

The `ingest` and `models` errors that `assistant` lets through to its callers are re-exported
here, so the TUI (which sits above `assistant` and never imports those packages) and the CLI
name every error they handle by type, from this one module.
"""

from ingest.errors import (
    EmbedderError,
    IngestError,
    ModelMismatchError,
    StoreBusyError,
    StoreError,
)
from models.errors import (
    ContextOverflowError,
    KeyStoreError,
    MissingKeyError,
    ModelError,
    ModelLoadError,
    RemoteModelError,
)

__all__ = [
    "BudgetExceededError",
    "ConfigError",
    "ContextOverflowError",
    "EmbedderError",
    "IngestError",
    "KeyStoreError",
    "MarginError",
    "MissingKeyError",
    "ModelError",
    "ModelLoadError",
    "ModelMismatchError",
    "NoDocumentsError",
    "RemoteModelError",
    "StoreBusyError",
    "StoreError",
    "UsageError",
]


class MarginError(Exception):
    """Base class; `exit_code` is what the CLI exits with."""

    exit_code = 1


class UsageError(MarginError):
    """The person asked for something malformed (empty question, bad option)."""

    exit_code = 2


class ConfigError(MarginError):
    """config.toml cannot be read or holds something wrong; the message names file and line."""


class BudgetExceededError(MarginError):
    """A request would go over the per-request or daily budget; nothing was sent."""

    exit_code = 4


NOTHING_INGESTED = "Nothing is ingested yet, so there is nothing to search or answer from."
INGEST_FIRST = "Run `margin ingest PATH` first."
# A search whose results an ask would refuse to answer from (the relevance gate).
NOTHING_CLOSE = "Nothing in your documents closely matches this"


class NoDocumentsError(MarginError):
    """Nothing has been ingested yet (`ask` refuses with reason "no_documents" instead)."""
