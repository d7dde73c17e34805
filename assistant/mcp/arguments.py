"""Tool arguments as a client sends them (untrusted JSON), checked one by one.

Each check raises `UsageError` with a message a person (or a model) can act on, worded like
the command line's: the server turns it into an MCP tool error. Nothing here trusts the input
schema to have been honoured by the client.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from assistant.errors import UsageError

# C0 controls other than tab, newline and carriage return, and DEL: not text.
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Arguments:
    """The arguments of one call to `tool`, which accepts exactly `accepted`."""

    def __init__(self, tool: str, arguments: Mapping[str, Any] | None, accepted: Sequence[str]):
        if arguments is not None and not isinstance(arguments, Mapping):
            raise UsageError(f"{tool} takes its arguments as a JSON object")
        self.tool = tool
        self._values = dict(arguments or {})
        unknown = sorted(name for name in self._values if name not in accepted)
        if unknown:
            name = unknown[0] if len(unknown[0]) <= 40 else unknown[0][:40] + "…"
            raise UsageError(f"{tool} has no argument {name!r}; it takes {', '.join(accepted)}")

    def text(self, name: str, *, limit: int, what: str, empty: str) -> str:
        """A required text argument of at most `limit` characters; `empty` is the message for
        an empty or blank one, `what` names it in the too-long message."""
        value = self.optional_text(name, limit=limit, what=what)
        if value is None:
            raise UsageError(f"{self.tool} needs {name!r} as text")
        if not value.strip():
            raise UsageError(empty)
        return value

    def optional_text(self, name: str, *, limit: int, what: str) -> str | None:
        value = self._values.get(name)
        if value is None:
            return None
        if not isinstance(value, str):
            raise UsageError(f"{name!r} must be text, not {_json_type(value)}")
        if len(value) > limit:
            raise UsageError(
                f"The {what} is {len(value):,} characters long; the limit is {limit:,}. "
                "Shorten it and ask again."
            )
        if _BINARY.search(value) or not _encodable(value):
            raise UsageError(f"{name!r} holds binary data (control characters); send plain text")
        return value

    def whole_number(self, name: str, *, low: int, high: int, default: int) -> int:
        value = self._values.get(name)
        if value is None:
            return default
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise UsageError(f"{name!r} must be a whole number")
        if not low <= value <= high:
            raise UsageError(
                f"Invalid value for {name!r}: {value} is not in the range {low}<=x<={high}."
            )
        return value


def _encodable(text: str) -> bool:
    """False for text holding lone surrogates (JSON "\\ud800"), which is not Unicode text."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__
