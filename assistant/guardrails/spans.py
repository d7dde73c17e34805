"""A found value: where it is in the text and what kind it is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """`text[start:end]` is a value of `kind` (email, phone, card, iban, api_key, ...)."""

    start: int
    end: int
    kind: str
