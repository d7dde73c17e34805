"""Errors of the local log."""

from __future__ import annotations

from pathlib import Path

from assistant.errors import MarginError, UsageError


class LogError(MarginError):
    """The log file cannot be used; the message says why and what to do."""


class LogDamagedError(LogError):
    """The file is not a readable SQLite database any more (truncated, overwritten)."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"The interaction log {path} is damaged ({detail}). `margin doctor` checks it; "
            "the next `margin ask` keeps it aside under a new name and starts a fresh log."
        )
        self.path = path


class LogSchemaError(LogDamagedError):
    """A migration cannot apply: the file's tables are not the ones this margin's migrations
    expect (written by another version or edited by hand)."""

    def __init__(self, path: Path, migration: str, detail: str) -> None:
        LogError.__init__(
            self,
            f"The interaction log {path} has tables this version of margin does not expect: "
            f"upgrading it ({migration}) failed with: {detail}. It was probably written by "
            "another version of margin. The next `margin ask` keeps it aside under a new name "
            "and starts a fresh log; `margin doctor` checks it.",
        )
        self.path = path


class LogWriteError(LogError):
    """The disk refused a write (full, read-only, failing); nothing logged before is lost."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"The interaction log {path} cannot be written: {detail}. Free some disk space "
            "(or fix the folder's permissions) and try again; nothing logged before is lost."
        )
        self.path = path


class UnknownInteractionError(UsageError):
    """Feedback or a lookup named an interaction id the log does not hold."""

    def __init__(self, interaction_id: int) -> None:
        super().__init__(
            f"No interaction with id {interaction_id} in the local log. "
            "The id is printed after each answer (and in `ask --json` as interaction_id); "
            "it may have been purged."
        )
        self.interaction_id = interaction_id


class InvalidRatingError(UsageError):
    def __init__(self, rating: str) -> None:
        super().__init__(f"Rating must be 'up' or 'down', not {rating!r}.")


class UnknownEvalRunError(UsageError):
    def __init__(self, run_id: int) -> None:
        super().__init__(
            f"No eval run with id {run_id} in the local log; `margin eval` lists stored runs."
        )
        self.run_id = run_id


class UnknownConversationError(UsageError):
    def __init__(self, wanted: str, why: str) -> None:
        super().__init__(
            f"Cannot continue conversation {wanted!r}: {why}. Its id is in `ask --json` "
            "(conversation_id) and after each answer; `margin ask --continue` takes the latest."
        )
        self.wanted = wanted
