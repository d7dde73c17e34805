"""What a server may claim: an answer is cut at `max_tokens` however the server streams it,
and the usage it reports is checked before it is priced.

A server that ignores `max_tokens` would otherwise stream (and bill) as long as it likes, and
one that reports negative or absurd usage would open the budget (−5,000,000 prompt tokens are
−$0.75). Tokens are counted as they arrive: one per streamed event (servers send one token
per event), or one per `LENIENT_BYTES_PER_TOKEN` bytes when a server sends larger pieces,
whichever is more. Reported usage outside what the prompt and the answer could hold is
rejected: the stream estimates it instead, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

# Generous on purpose: a real token is rarely longer, so a real answer is never cut early.
LENIENT_BYTES_PER_TOKEN = 6
# No tokenizer packs more than this many bytes of text into one token, on average.
MAX_BYTES_PER_TOKEN = 24
# Tokens a chat template may add: per message, and once.
TEMPLATE_TOKENS_PER_MESSAGE = 16
TEMPLATE_TOKENS = 64


@dataclass(frozen=True, slots=True)
class StreamNote:
    """Something a stream found wrong with the server, for the person (`kind`, `detail`)."""

    kind: str
    detail: str


class TokenCap:
    """Counts an answer's tokens as it streams and cuts it at `max_tokens`."""

    def __init__(self, max_tokens: int) -> None:
        self.max_tokens = max(max_tokens, 0)
        self.received_bytes = 0  # everything the server sent, kept or not
        self.cut = False  # the server went on past the cap
        self._events = 0
        self._kept_bytes = 0

    def admit(self, delta: str) -> str:
        """The part of `delta` within the cap ("" once the cap is passed)."""
        data = delta.encode("utf-8")
        self.received_bytes += len(data)
        if self.cut:
            return ""
        self._events += 1
        room = self.max_tokens * LENIENT_BYTES_PER_TOKEN - self._kept_bytes
        if self._events > self.max_tokens or room <= 0:
            self.cut = True
            return ""
        if len(data) > room:
            self.cut = True
            delta = data[:room].decode("utf-8", errors="ignore")
        self._kept_bytes += len(delta.encode("utf-8"))
        return delta

    def note(self) -> StreamNote:
        return StreamNote(
            "stream.capped",
            f"the server went on past max_tokens = {self.max_tokens}; margin stopped "
            "reading there, and counts what it received",
        )


def implausible_usage(
    prompt_tokens: object,
    completion_tokens: object,
    *,
    prompt_bytes: int,
    messages: int,
    answer_bytes: int,
    max_tokens: int,
) -> str | None:
    """Why reported usage cannot be true for this prompt and answer, or None if it can.

    A token holds at least one byte (so a count cannot pass the bytes, plus what a chat
    template adds) and at most `MAX_BYTES_PER_TOKEN` on average; the answer may also count
    tokens it did not show (reasoning), up to `max_tokens`.
    """
    if isinstance(prompt_tokens, bool) or not isinstance(prompt_tokens, int) or prompt_tokens < 0:
        return f"prompt_tokens = {prompt_tokens!r}"
    if (
        isinstance(completion_tokens, bool)
        or not isinstance(completion_tokens, int)
        or completion_tokens < 0
    ):
        return f"completion_tokens = {completion_tokens!r}"
    overhead = TEMPLATE_TOKENS + TEMPLATE_TOKENS_PER_MESSAGE * messages
    if not prompt_bytes // MAX_BYTES_PER_TOKEN <= prompt_tokens <= prompt_bytes + overhead:
        return f"prompt_tokens = {prompt_tokens:,} for a prompt of {prompt_bytes:,} bytes"
    most = max(answer_bytes, max_tokens) + TEMPLATE_TOKENS
    if not answer_bytes // MAX_BYTES_PER_TOKEN <= completion_tokens <= most:
        return (
            f"completion_tokens = {completion_tokens:,} for an answer of "
            f"{answer_bytes:,} bytes (max_tokens = {max_tokens})"
        )
    return None
