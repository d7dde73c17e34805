"""What the log keeps when `privacy.log_text = false`: a SHA-256 and a length, never text."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

# Keys of eval-run question records that hold question, answer or document text.
TEXT_KEYS = frozenset({"question", "answer", "expected_answer", "text"})


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class KeptText:
    """A text as the log stores it: the text itself only when text is kept."""

    text: str | None
    sha256: str
    chars: int

    @classmethod
    def of(cls, text: str, *, keep: bool) -> KeptText:
        return cls(text if keep else None, sha256_text(text), len(text))


def without_text(value: Any) -> Any:
    """A copy of a JSON-like value where each TEXT_KEYS string becomes `<key>_sha256`."""
    if isinstance(value, dict):
        copy: dict[str, Any] = {}
        for key, item in value.items():
            if key in TEXT_KEYS and isinstance(item, str):
                copy[f"{key}_sha256"] = sha256_text(item)
            else:
                copy[key] = without_text(item)
        return copy
    if isinstance(value, list):
        return [without_text(item) for item in value]
    return value
