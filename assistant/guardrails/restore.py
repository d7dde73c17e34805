"""Restoring redacted placeholders ([EMAIL_1]...) in an answer streamed from a remote model.

`guardrails.context` masks PII and secrets before a prompt leaves the machine; the model
answers with the placeholders, and the person sees the originals put back, delta by delta.
What the person is shown and the answer kept (`--json`, the log) are one text: `text` is the
concatenation of every restored piece, so the two cannot differ.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.guardrails.pii import LABELS

# A placeholder such as [EMAIL_12] is short; anything longer after an open bracket is text.
_MAX_PLACEHOLDER = 32
# The end of a delta that may be the start of a placeholder written without brackets
# (`API_KEY_2`, `EMAIL\_1`): a word that a label starts with, or a label and its number.
_LABEL_STARTS = {label[:i] for label in LABELS.values() for i in range(1, len(label) + 1)}
_BARE_TAIL = re.compile(
    r"(?<![\w\\])(?:"
    + "|".join(sorted(map(re.escape, _LABEL_STARTS), key=len, reverse=True))
    + r")(?:\\?_?\d*)$",
    re.IGNORECASE,
)


class StreamRestorer:
    """Applies `restore` to streamed text without splitting a placeholder across deltas.

    Text after an unclosed "[", or a word at the end that could be the start of a
    placeholder without brackets, is held back until the next delta shows what it is (or it
    grows too long to be a placeholder), then released restored.
    """

    def __init__(self, restore: Callable[[str], str]):
        self._restore = restore
        self._pending = ""
        self._shown: list[str] = []

    @property
    def text(self) -> str:
        """Everything released so far: what the person saw, and the answer to keep."""
        return "".join(self._shown)

    def feed(self, delta: str) -> str:
        text = self._pending + delta
        cut = _held_from(text)
        self._pending, text = text[cut:], text[:cut]
        return self._release(text)

    def flush(self) -> str:
        text, self._pending = self._pending, ""
        return self._release(text)

    def _release(self, text: str) -> str:
        shown = self._restore(text) if text else ""
        self._shown.append(shown)
        return shown


def _held_from(text: str) -> int:
    """Where the part of `text` that may still become a placeholder begins (len: none)."""
    window = max(0, len(text) - _MAX_PLACEHOLDER)
    bracket = text.rfind("[", window)
    if bracket != -1 and "]" not in text[bracket:]:
        return bracket - 1 if bracket > window and text[bracket - 1] == "[" else bracket
    bare = _BARE_TAIL.search(text, window)
    return bare.start() if bare is not None else len(text)
