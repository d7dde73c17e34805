"""The allowed values of every config.toml setting, declared next to the setting.

A number field is declared with `ranged(default, low, high)` and a text field with
`text(default, max_chars, ...)`; `check_value` refuses anything outside, by name, in plain
English: NaN and infinities, negatives, absurd sizes, overlong or malformed text. Fields typed
`Literal[...]` take their choices from the type; booleans need no limit.
"""

from __future__ import annotations

import math
import re
import typing
from dataclasses import Field, dataclass, field, fields
from functools import cache
from typing import Any, Literal, get_args, get_origin

from assistant.errors import ConfigError

LIMIT = "margin.limit"


@dataclass(frozen=True, slots=True)
class Range:
    """Numbers from `low` to `high`, both included."""

    low: float
    high: float

    def describe(self, whole: bool) -> str:
        kind = "a whole number" if whole else "a number"
        return f"{kind} from {_figure(self.low)} to {_figure(self.high)}"


@dataclass(frozen=True, slots=True)
class TextLimit:
    """At most `max_chars` characters, matching `pattern` (described by `shape`) if given."""

    max_chars: int
    pattern: str | None = None
    shape: str = ""

    def describe(self) -> str:
        length = f"at most {self.max_chars:,} characters"
        return f"{self.shape}, {length}" if self.shape else f"text of {length}"


@dataclass(frozen=True, slots=True)
class TableLimit:
    """A table of at most `max_entries` keys matching `key_pattern`, each value a string, a
    number or true/false of at most `max_chars` characters."""

    max_entries: int
    key_pattern: str
    max_chars: int

    def describe(self) -> str:
        return (
            f"at most {self.max_entries} keys of lower-case letters, digits and '_', "
            f"each value at most {self.max_chars:,} characters"
        )

    def allows(self, table: dict[str, Any]) -> bool:
        return len(table) <= self.max_entries and all(
            re.fullmatch(self.key_pattern, key)
            and isinstance(value, str | int | float | bool)
            and len(str(value)) <= self.max_chars
            for key, value in table.items()
        )


def ranged(default: float, low: float, high: float) -> Any:
    """A number setting with its allowed range."""
    return field(default=default, metadata={LIMIT: Range(low, high)})


def text(default: Any, max_chars: int, pattern: str | None = None, shape: str = "") -> Any:
    """A text setting with its longest length and, optionally, the pattern it must match
    (`default=MISSING` for a required one)."""
    return field(default=default, metadata={LIMIT: TextLimit(max_chars, pattern, shape)})


def table(max_entries: int, key_pattern: str, max_chars: int) -> Any:
    """A table setting (`[section.NAME]`), empty by default."""
    limit = TableLimit(max_entries, key_pattern, max_chars)
    return field(default_factory=dict, metadata={LIMIT: limit})


Limit = Range | TextLimit | TableLimit | tuple[str, ...]


def limit_of(owner: type, setting: Field[Any]) -> Limit | None:
    """The declared limit of `setting`, its Literal choices, or None (booleans)."""
    declared = setting.metadata.get(LIMIT)
    if declared is not None:
        return declared
    hint = _hints(owner)[setting.name]
    if get_origin(hint) is Literal:
        return tuple(str(choice) for choice in get_args(hint))
    return None


def check_value(owner: type, setting: str, value: Any, *, name: str, where: str) -> None:
    """Raise ConfigError with a message for a person when `value` is outside the limit of
    the field `setting` of `owner`.

    `name` is the dotted key (`ask.max_tokens`), `where` the file and line; the message
    holds both and the allowed values.
    """
    declared = next(f for f in fields(owner) if f.name == setting)
    limit = limit_of(owner, declared)
    shown = _shown(value)
    if isinstance(limit, Range):
        whole = isinstance(declared.default, int)
        allowed = limit.describe(whole)
        if isinstance(value, float) and math.isnan(value):
            raise ConfigError(f"{where}: {name} = nan is not a number; allowed: {allowed}")
        if isinstance(value, float) and math.isinf(value):
            raise ConfigError(f"{where}: {name} = {shown} is infinite; allowed: {allowed}")
        if not limit.low <= value <= limit.high:
            raise ConfigError(f"{where}: {name} = {shown} is out of range; allowed: {allowed}")
    elif isinstance(limit, TextLimit):
        if len(value) > limit.max_chars or (
            limit.pattern is not None and value and not re.fullmatch(limit.pattern, value)
        ):
            raise ConfigError(f"{where}: {name} = {shown} is not allowed; use {limit.describe()}")
    elif isinstance(limit, TableLimit):
        if not limit.allows(value):
            raise ConfigError(f"{where}: {name} = {shown} is not allowed; use {limit.describe()}")
    elif isinstance(limit, tuple) and value not in limit:
        choices = " or ".join(repr(choice) for choice in limit)
        raise ConfigError(f"{where}: {name} = {shown} is not allowed; use {choices}")


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, int) and abs(value) >= 10**6:
        return f"{value:,}"
    return repr(value)


def _figure(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


@cache
def _hints(owner: type) -> dict[str, Any]:
    return typing.get_type_hints(owner)
