"""Mask personal data and secrets with reversible placeholders before text leaves the machine.

One `Redactor` serves one ask: the question and every source sent to a remote model go
through `redact`, which replaces each value with a placeholder such as `[EMAIL_1]` (the same
value always gets the same placeholder), and the model's answer goes through `restore`, which
puts the originals back for the person. The originals never leave this object: `findings`
and `counts_by_kind()` hold kinds and placeholders only.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from assistant.guardrails.detectors import find_pii
from assistant.guardrails.normalise import normalise
from assistant.guardrails.secret_keys import find_secrets
from assistant.guardrails.spans import Span

# Placeholder label per kind; the label is what the model sees.
LABELS = {
    "private_key": "PRIVATE_KEY",
    "jwt": "JWT",
    "api_key": "API_KEY",
    "password": "PASSWORD",
    "secret": "SECRET",
    "card": "CARD",
    "iban": "IBAN",
    "email": "EMAIL",
    "ssn": "SSN",
    "national_id": "NATIONAL_ID",
    "uk_nino": "NI_NUMBER",
    "ip": "IP",
    "phone": "PHONE",
}
# When spans overlap the longer one wins; on equal length, the earlier kind in LABELS.
_PRIORITY = {kind: rank for rank, kind in enumerate(LABELS)}
_LABEL_ALTERNATIVES = "|".join(sorted(LABELS.values(), key=len, reverse=True))
# Tolerates what models do to placeholders: dropped or doubled brackets, a space or an
# escaped underscore (markdown) instead of "_", lower case.
_PLACEHOLDER = re.compile(
    rf"\[{{1,2}}\s*({_LABEL_ALTERNATIVES})(?:\\?_| |-)?(\d+)\s*\]{{0,2}}"
    rf"|\b({_LABEL_ALTERNATIVES})\\?_(\d+)\b\]{{0,2}}",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Redaction:
    """One masked occurrence: its kind and the placeholder that replaced it."""

    kind: str
    placeholder: str


class Redactor:
    """Masks and restores values consistently across all texts it is given."""

    def __init__(self) -> None:
        self._placeholders: dict[tuple[str, str], str] = {}
        self._originals: dict[str, str] = {}
        self._counters: Counter[str] = Counter()
        self.findings: list[Redaction] = []

    def __repr__(self) -> str:
        return f"Redactor({dict(self.counts_by_kind())})"

    def redact(self, text: str) -> str:
        """`text` with every detected value replaced by its placeholder.

        Detection reads the normalised text (see `normalise`), so a card written with
        full-width digits or an address with a Cyrillic `а` is found; each span is mapped
        back, and the original characters are what the placeholder replaces and restores.
        """
        pieces: list[str] = []
        position = 0
        for span in self._spans(text):
            placeholder = self._placeholder_for(span.kind, text[span.start : span.end])
            self.findings.append(Redaction(span.kind, placeholder))
            pieces.append(text[position : span.start])
            pieces.append(placeholder)
            position = span.end
        pieces.append(text[position:])
        return "".join(pieces)

    def _spans(self, text: str) -> list[Span]:
        view = normalise(text)
        found = _resolve_overlaps([*find_secrets(view.text), *find_pii(view.text)])
        return [Span(*view.original_span(span.start, span.end), span.kind) for span in found]

    def restore(self, text: str) -> str:
        """Put the original values back; unknown placeholders are left as they are."""
        return _PLACEHOLDER.sub(self._original_for, text)

    def counts_by_kind(self) -> dict[str, int]:
        """How many occurrences of each kind were masked, e.g. {"email": 2}."""
        return dict(Counter(finding.kind for finding in self.findings))

    def _placeholder_for(self, kind: str, value: str) -> str:
        key = (kind, value)
        if key not in self._placeholders:
            label = LABELS[kind]
            self._counters[label] += 1
            placeholder = f"[{label}_{self._counters[label]}]"
            self._placeholders[key] = placeholder
            self._originals[placeholder] = value
        return self._placeholders[key]

    def _original_for(self, match: re.Match[str]) -> str:
        label = (match.group(1) or match.group(3)).upper()
        number = match.group(2) or match.group(4)
        original = self._originals.get(f"[{label}_{int(number)}]")
        return match.group() if original is None else original


def _resolve_overlaps(spans: list[Span]) -> list[Span]:
    """Non-overlapping spans in text order, preferring longer spans, then higher priority."""
    chosen: list[Span] = []
    ranked = sorted(spans, key=lambda s: (-(s.end - s.start), _PRIORITY[s.kind], s.start))
    for span in ranked:
        if all(span.end <= kept.start or span.start >= kept.end for kept in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)
