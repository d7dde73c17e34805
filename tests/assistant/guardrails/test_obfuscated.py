"""Personal data written to slip past a pattern: found on the normalised text, replaced in the
original, and restored exactly.

Values are assembled from parts so that this file does not itself hold a credential.
"""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.guardrails.normalise import normalise
from assistant.guardrails.pii import Redactor

KEY = "sk-" + "proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"
SOFT_HYPHEN, NBSP, ZWSP = "\u00ad", "\u00a0", "\u200b"


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


HIDDEN = [
    ("bob.smith [at] example [dot] com", "email"),
    ("bob.smith(at)example(dot)co(dot)uk", "email"),
    ("bob.smith at example dot com", "email"),
    ("bob.smith @ example.com", "email"),
    ("b\u043eb.sm\u0456th@ex\u0430mple.com", "email"),  # Cyrillic о, і, а
    ("bob" + ZWSP + ".smith@example.com", "email"),
    ("4111  1111  1111  1111", "card"),
    ("4111.1111.1111.1111", "card"),
    (full_width("4111 1111 1111 1111"), "card"),
    ("4111" + SOFT_HYPHEN + "1111" + SOFT_HYPHEN + "1111" + SOFT_HYPHEN + "1111", "card"),
    ("4111" + NBSP + "1111" + NBSP + "1111" + NBSP + "1111", "card"),
    ("gb82 west 1234 5698 7654 32", "iban"),
    ("de89370400440532013000", "iban"),
    (KEY[:24] + "\n" + KEY[24:], "api_key"),
    (base64.b64encode(KEY.encode()).decode(), "api_key"),
    ("+44" + NBSP + "20" + NBSP + "7946" + NBSP + "0958", "phone"),
]


@pytest.mark.parametrize(("value", "kind"), HIDDEN)
def test_hidden_value_is_masked_whole_and_restored_exactly(value: str, kind: str) -> None:
    text = f"Contact:\n{value}\nThanks."
    redactor = Redactor()
    masked = redactor.redact(text)
    assert redactor.counts_by_kind() == {kind: 1}, masked
    assert masked == f"Contact:\n{redactor.findings[0].placeholder}\nThanks."
    assert redactor.restore(masked) == text


@pytest.mark.parametrize(
    "text",
    [
        "Look at example.com for details; meet me at home dot later.",
        "The matrix product a dot b is at most n.",
        "Version 1.2.3 and the year ２０２４ in full-width digits.",
        "A line ending in a key name sk-learn\nThe next line starts here.",
        "Indented  text   with    spaces and tabs\tis prose.",
    ],
)
def test_folded_prose_stays_prose(text: str) -> None:
    assert Redactor().redact(text) == text


def test_normalised_spans_map_back_to_the_original_characters() -> None:
    text = "a\u00a0\u00a0b\u200bc ｆｕｌｌ ﬁne"
    view = normalise(text)
    assert view.text == "a bc full fine"
    start = view.text.index("full")
    assert text[slice(*view.original_span(start, start + 4))] == "ｆｕｌｌ"
    start = view.text.index("fi")
    assert text[slice(*view.original_span(start, start + 2))] == "ﬁ"


VALUES = [v for v, _ in HIDDEN]
NOISE = st.text(alphabet="ab .,\n\u00a0\u200b\u00ad\u0430１", max_size=10)


@settings(deadline=None)
@given(st.lists(st.one_of(st.sampled_from(VALUES), NOISE), max_size=8))
def test_round_trip_restores_exactly_through_normalisation(parts: list[str]) -> None:
    text = " ".join(parts)
    redactor = Redactor()
    assert redactor.restore(redactor.redact(text)) == text
