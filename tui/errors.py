"""Failures and refusals turned into notifications a person can act on, never a traceback.

Errors are recognised by type. The TUI imports only `assistant`: the errors raised further
down (ingest, models) come from `assistant.errors`, which re-exports them. Their messages are
already written for people.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.ask.types import Answer
from assistant.errors import (
    BudgetExceededError,
    ConfigError,
    ContextOverflowError,
    EmbedderError,
    IngestError,
    KeyStoreError,
    MarginError,
    MissingKeyError,
    ModelError,
    ModelLoadError,
    ModelMismatchError,
    NoDocumentsError,
    RemoteModelError,
    StoreBusyError,
    StoreError,
    UsageError,
)
from assistant.terminal import sanitize

_PALETTE = "ctrl+p"
_INGEST = "ctrl+o"


@dataclass(frozen=True, slots=True)
class Problem:
    title: str
    message: str
    fix: str

    def text(self) -> str:
        return f"{self.message}\n\n{self.fix}" if self.fix else self.message


# Most specific first: the first type the error is an instance of wins.
KNOWN_ERRORS: tuple[tuple[type[Exception], str, str], ...] = (
    (
        BudgetExceededError,
        "Over budget",
        f"Raise [budget] in config.toml, or switch to the local model ({_PALETTE}).",
    ),
    (NoDocumentsError, "No documents yet", f"Ingest a folder first ({_INGEST})."),
    (ConfigError, "Configuration problem", "Fix config.toml and restart `margin chat`."),
    (
        MissingKeyError,
        "No API key",
        "Run `margin keys set PROFILE`, or set the profile's key_env variable; "
        f"or switch to the local model ({_PALETTE}).",
    ),
    (
        KeyStoreError,
        "Keyring unavailable",
        "Set the profile's key_env variable instead (no keyring is needed then); "
        f"or switch to the local model ({_PALETTE}).",
    ),
    (
        RemoteModelError,
        "Model endpoint failed",
        f"Check base_url and the network, or switch to the local model ({_PALETTE}).",
    ),
    (
        ContextOverflowError,
        "Question too long for the model",
        "Start a new conversation (ctrl+n) or ask a shorter question.",
    ),
    (ModelLoadError, "Model cannot be loaded", "Run `margin doctor` to check the model file."),
    (ModelError, "Model failed", "Run `margin doctor`, or switch model profile."),
    (StoreBusyError, "Index busy", "Another margin process is writing; try again shortly."),
    (
        ModelMismatchError,
        "Index built with another embedder",
        "Run `margin reindex` to re-embed your documents.",
    ),
    (StoreError, "Index problem", "Run `margin doctor` to check the store."),
    (EmbedderError, "Embedding model failed", "Run `margin doctor` to check the install."),
    (IngestError, "Ingest failed", "Nothing was changed; check the path and try again."),
    (UsageError, "Cannot do that", ""),
    (MarginError, "margin", "Run `margin doctor` if this persists."),
)

_REFUSALS: dict[str, tuple[str, str]] = {
    "budget": (
        "Budget refused",
        f"Raise [budget] daily_usd or request_usd in config.toml, "
        f"or switch to the local model ({_PALETTE}).",
    ),
    "local_only": (
        "Local-only sources",
        f"These sources never go to a remote model: switch to a local profile ({_PALETTE}).",
    ),
    "no_documents": (
        "No documents yet",
        f"Ingest a folder ({_INGEST}), or run `margin ingest PATH` in a shell.",
    ),
}


def describe_error(error: BaseException) -> Problem:
    message = sanitize(str(error)) or type(error).__name__
    for kind, title, fix in KNOWN_ERRORS:
        if isinstance(error, kind):
            return Problem(title, message, fix)
    return Problem(
        "Unexpected error",
        f"{type(error).__name__}: {message}",
        "Run `margin doctor`; if it finds nothing, please report this.",
    )


def describe_refusal(answer: Answer) -> Problem | None:
    """A notification for refusals the person can fix; None for ordinary ones."""
    known = _REFUSALS.get(answer.refusal_reason or "")
    if not answer.refused or known is None:
        return None
    title, fix = known
    return Problem(title, sanitize(answer.answer), fix)
