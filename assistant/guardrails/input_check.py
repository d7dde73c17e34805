"""The first guardrail of `ask`: the question itself.

Control characters and terminal escape sequences are stripped (they could repaint the
terminal when the question is echoed, or hide text from the person), invisible Unicode
formatting characters are removed, whitespace is normalised, and an over-long question gets a
refusal that names the limit.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from assistant.ask.types import GuardrailEvent
from assistant.errors import UsageError
from assistant.guardrails.events import INPUT_CONTROL_CHARS, INPUT_TOO_LONG
from assistant.guardrails.invisible import strip_invisible
from assistant.terminal import sanitize

EMPTY_QUESTION = "Ask a question: the question is empty."

_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True, slots=True)
class InputCheck:
    """The cleaned question, what was done to it, and a refusal if it cannot be asked."""

    text: str
    events: list[GuardrailEvent] = field(default_factory=list)
    refusal: str | None = None


def check_input(question: str, *, max_chars: int) -> InputCheck:
    """Clean `question` and check its length; an empty question raises `UsageError`."""
    if not question.strip():
        raise UsageError(EMPTY_QUESTION)
    normal = unicodedata.normalize("NFC", question.replace("\r\n", "\n").replace("\r", "\n"))
    visible = strip_invisible(sanitize(normal))
    removed = len(normal) - len(visible)
    text = _normalise_whitespace(visible)
    if not text:
        raise UsageError(EMPTY_QUESTION)
    events: list[GuardrailEvent] = []
    if removed:
        plural = "s" if removed != 1 else ""
        events.append(
            GuardrailEvent(
                INPUT_CONTROL_CHARS,
                f"removed {removed} control or invisible character{plural} from the question",
            )
        )
    refusal = None
    if len(text) > max_chars:
        refusal = (
            f"The question is {len(text):,} characters long; the limit is {max_chars:,}. "
            "Shorten it and ask again."
        )
        events.append(
            GuardrailEvent(INPUT_TOO_LONG, f"{len(text):,} characters, limit {max_chars:,}")
        )
    return InputCheck(text=text, events=events, refusal=refusal)


def _normalise_whitespace(text: str) -> str:
    """One space between words, no trailing spaces, at most one blank line in a row."""
    lines = [_HORIZONTAL_SPACE.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
