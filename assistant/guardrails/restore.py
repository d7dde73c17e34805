"""Restoring redacted placeholders ([EMAIL_1]...) in an answer streamed from a remote model.

`guardrails.context` masks PII and secrets before a prompt leaves the machine; the model
answers with the placeholders, and the person sees the originals put back, delta by delta.
"""

from __future__ import annotations

from collections.abc import Callable

# A placeholder such as [EMAIL_12] is short; anything longer after an open bracket is text.
_MAX_PLACEHOLDER = 32


class StreamRestorer:
    """Applies `restore` to streamed text without splitting a placeholder across deltas.

    Text after an unclosed "[" is held back until the bracket closes or grows too long to be
    a placeholder, then released restored.
    """

    def __init__(self, restore: Callable[[str], str]):
        self._restore = restore
        self._pending = ""

    def feed(self, delta: str) -> str:
        text = self._pending + delta
        cut = text.rfind("[")
        if cut != -1 and "]" not in text[cut:] and len(text) - cut <= _MAX_PLACEHOLDER:
            self._pending = text[cut:]
            text = text[:cut]
        else:
            self._pending = ""
        return self._restore(text) if text else ""

    def flush(self) -> str:
        text, self._pending = self._pending, ""
        return self._restore(text) if text else ""
