"""How long an answer may be, and why it stopped short when it did.

The limit comes from the model's context: whatever the prompt leaves free, under the
ceiling `ask.max_tokens` (512 by default, as the bundled 135M model can repeat itself until
its context is full; 0: no ceiling); the budget may lower it further for a remote model. An
answer that stops at any of these limits, or that the stream stopped as the model was
repeating itself, says so (`truncation_of`, `describe_truncation`).
When choosing sources, the prompt leaves at least `answer_reserve` tokens free.
"""

from __future__ import annotations

from assistant.ask.types import Truncation
from assistant.config import AskConfig
from models.base import FinishReason

RESERVE_SHARE = 4  # the prompt leaves at least a quarter of the context for the answer...
MAX_RESERVE = 1024  # ...or this many tokens, whichever is less
MIN_ANSWER_TOKENS = 16
# Named in the message of an answer cut at ask.max_tokens, which may be this or the setting.
DEFAULT_MAX_TOKENS = AskConfig().max_tokens


def answer_reserve(context_tokens: int, ceiling: int) -> int:
    """Tokens to keep free for the answer when fitting sources into the prompt."""
    reserve = min(context_tokens // RESERVE_SHARE, MAX_RESERVE)
    return min(reserve, ceiling) if ceiling > 0 else reserve


def answer_limit(context_tokens: int, prompt_tokens: int, ceiling: int) -> int:
    """The `max_tokens` for a prompt of `prompt_tokens`: all the room the context has left,
    lowered to `ceiling` when one is set (> 0)."""
    room = max(context_tokens - prompt_tokens, MIN_ANSWER_TOKENS)
    return min(room, ceiling) if ceiling > 0 else room


def truncation_of(
    finish_reason: FinishReason, *, given: int, limit: int, ceiling: int
) -> Truncation | None:
    """Why an answer stopped short, from how its stream finished: `given` is the max_tokens
    the model was given, `limit` what `answer_limit` allowed, `ceiling` ask.max_tokens."""
    if finish_reason in ("cancelled", "repetition"):
        return finish_reason
    if finish_reason != "length":
        return None
    if given < limit:
        return "budget"
    return "max_tokens" if 0 < ceiling == limit else "context"


def describe_truncation(truncation: Truncation, max_tokens: int) -> str:
    """One sentence for a person: why the answer stops where it does."""
    if truncation == "cancelled":
        return "Stopped before the answer was finished."
    if truncation == "budget":
        return (
            f"Cut off at {max_tokens:,} tokens: the budget paid for no more "
            "(budget.request_usd and budget.daily_usd in config.toml)."
        )
    if truncation == "repetition":
        return "Stopped: the model was repeating itself; the repeats are left out of the answer."
    if truncation == "max_tokens":
        return (
            f"Cut off at {max_tokens:,} tokens, the limit ask.max_tokens sets "
            f"({DEFAULT_MAX_TOKENS:,} by default; set it in config.toml, 0 for no limit)."
        )
    return (
        f"Cut off at {max_tokens:,} tokens: the model's context was full after the question "
        "and its sources (a model profile's `context`, or fewer sources with --k, leaves room)."
    )
