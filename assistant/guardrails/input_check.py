"""The first guardrail of `ask`: the question itself.

Control characters and terminal escape sequences are stripped (they could repaint the
terminal when the question is echoed, or hide text from the person), invisible Unicode
formatting characters are removed and whitespace is normalised. A question that cannot be
asked is a usage error (exit 2) with a message that says why: empty, not valid UTF-8 (bytes
from a terminal in another encoding arrive as lone surrogates), or longer than the limit,
which the message names.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from assistant.ask.types import GuardrailEvent
from assistant.errors import UsageError
from assistant.guardrails.events import INPUT_CONTROL_CHARS
from assistant.guardrails.invisible import strip_invisible
from assistant.terminal import sanitize

EMPTY_QUESTION = "Ask a question: the question is empty."
NOT_UTF8 = (
    "The question is not valid UTF-8 text: it holds bytes that are not characters. "
    "Check the terminal's encoding (or the file the question came from) and ask again."
)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True, slots=True)
class InputCheck:
    """The cleaned question and what was done to it."""

    text: str
    events: list[GuardrailEvent] = field(default_factory=list)


def check_input(question: str, *, max_chars: int) -> InputCheck:
    """Clean `question` and check it; an empty, undecodable or over-long question raises
    `UsageError`."""
    if not question.strip():
        raise UsageError(EMPTY_QUESTION)
    if _LONE_SURROGATE.search(question):
        raise UsageError(NOT_UTF8)
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
    if len(text) > max_chars:
        raise UsageError(
            f"The question is {len(text):,} characters long; the limit is {max_chars:,} "
            "(ask.max_question_chars in config.toml). Shorten it and ask again."
        )
    return InputCheck(text=text, events=events)


def _normalise_whitespace(text: str) -> str:
    """One space between words, no trailing spaces, at most one blank line in a row."""
    lines = [_HORIZONTAL_SPACE.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
