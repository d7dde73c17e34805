"""StreamRestorer: placeholders split across streamed deltas still come back whole."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.guardrails.pii import Redactor
from assistant.guardrails.restore import StreamRestorer

# What a model's answer is made of here: placeholders whole, in parts and without brackets.
PIECES = ["API_KEY_1", "[EMAIL_1]", "EMAIL_1", "[[API_KEY_1]]", "EMAIL 1", "API", "KEY", "I",
          "IP", "e", "_", "1", "[", "]", ".", "\\_", " "]  # fmt: skip
KEY = "sk-" + "proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"


def restore(text: str) -> str:
    return text.replace("[EMAIL_1]", "ada@example.org")


def streamed(deltas: list[str]) -> list[str]:
    restorer = StreamRestorer(restore)
    shown = [restorer.feed(delta) for delta in deltas]
    return [*shown, restorer.flush()]


def test_a_placeholder_split_over_deltas_is_held_back_then_restored() -> None:
    shown = streamed(["Write to [EM", "AIL", "_1] today."])
    assert shown == ["Write to ", "", "ada@example.org today.", ""]


def test_a_bracket_that_cannot_be_a_placeholder_is_released_at_once() -> None:
    long_text = "[" + "not a placeholder, just a long aside " * 2
    assert streamed([long_text]) == [long_text, ""]


def test_an_unclosed_bracket_at_the_end_is_flushed() -> None:
    assert streamed(["See [1", ""]) == ["See ", "", "[1"]
    assert "".join(streamed(["mail [EMAIL_1", "]"])) == "mail ada@example.org"


def test_a_placeholder_without_brackets_split_over_deltas_is_restored() -> None:
    redactor = Redactor()
    redactor.redact(f"key {KEY} and mail ada@example.org")
    restorer = StreamRestorer(redactor.restore)
    shown = [restorer.feed(d) for d in ["The key is API_", "KEY_1; mail EMAIL", "\\_1."]]
    shown.append(restorer.flush())
    assert "".join(shown) == f"The key is {KEY}; mail ada@example.org."
    assert restorer.text == "".join(shown)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(PIECES),
        max_size=12,
    ),
    st.lists(st.integers(0, 60), max_size=6),
)
def test_what_is_shown_is_the_whole_answer_restored_however_it_is_split(
    words: list[str], cuts: list[int]
) -> None:
    redactor = Redactor()
    redactor.redact(f"key {KEY} and mail ada@example.org")
    text = "".join(words)
    points = sorted({min(cut, len(text)) for cut in cuts})
    deltas = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    restorer = StreamRestorer(redactor.restore)
    shown = "".join([*(restorer.feed(delta) for delta in deltas), restorer.flush()])
    assert shown == restorer.text
    assert redactor.restore(shown) == shown  # no placeholder is left for the person to see
