"""Streamed text checked sentence by sentence, each check right after its sentence."""

from __future__ import annotations

import pytest

from assistant.ask.sentence_stream import SentenceStream
from assistant.ask.types import AskEvent, SentenceChecked, TextDelta
from assistant.guardrails.support import SupportChecker

SOURCES = {1: "margin stores API keys in the system keyring, never in config files."}
ANSWER = "API keys live in the system keyring [1]. Penguins migrate across Antarctica.\n"


def replay(pieces: list[str]) -> list[AskEvent]:
    stream = SentenceStream(SupportChecker(SOURCES))
    events = [event for piece in pieces for event in stream.feed(piece)]
    return events + stream.finish()


def test_text_and_checks_interleave_at_sentence_ends_for_any_chunking() -> None:
    expected = [
        ("cited", "API keys live in the system keyring [1]."),
        ("unsupported", ANSWER.rstrip()),
    ]
    for size in (1, 2, 3, 7, len(ANSWER)):
        pieces = [ANSWER[i : i + size] for i in range(0, len(ANSWER), size)]
        shown, checks = "", []
        for event in replay(pieces):
            if isinstance(event, TextDelta):
                shown += event.text
            elif isinstance(event, SentenceChecked):
                checks.append((event.support.status, shown))
        assert shown == ANSWER, size
        assert checks == expected, size


@pytest.mark.parametrize(
    "text",
    [
        "Keys live in the keyring, e.g. on Linux [1]. Run `margin keys set. x` first.\n\n"
        "```sh\nmargin keys set work. now\n```\n1. Then ask. 2. Jane Doe said so!\nDone",
        "See https://docs.python.org/3/. Then J. Smith.\n- Item one. Item two [1].\n"
        "```\nunclosed. fence\n\nstill. code",
        "Unclosed `code. with dots.\n\nNew para [1]. ~~~\nx\n~~~\nEnd.",
    ],
)
def test_streamed_checks_equal_a_check_of_the_whole_text(text: str) -> None:
    checker = SupportChecker(SOURCES)
    whole = checker.check_text(text).sentences
    for size in (1, 2, 5, 11, len(text)):
        stream = SentenceStream(checker)
        for i in range(0, len(text), size):
            stream.feed(text[i : i + size])
        stream.finish()
        assert stream.checked == whole, size


def test_white_space_after_a_possible_end_waits_for_the_next_character() -> None:
    stream = SentenceStream(SupportChecker(SOURCES))
    assert stream.feed("API keys live in the system keyring. ") == [
        TextDelta("API keys live in the system keyring.")
    ]
    events = stream.feed("Then")
    assert isinstance(events[0], SentenceChecked) and events[0].support.status == "attributed"
    assert events[1:] == [TextDelta(" Then")]


def test_an_empty_answer_gives_no_events() -> None:
    assert replay([""]) == []


def cut_stream(text: str, at: int, not_before: int) -> SentenceStream:
    stream = SentenceStream(SupportChecker(SOURCES))
    stream.feed(text)
    stream.cut(at, not_before=not_before)
    return stream


def test_a_cut_ends_at_the_last_sentence_end_and_keeps_its_checks() -> None:
    repeat = "Penguins migrate. Keys live in the keyring. "
    text = "API keys live in the system keyring [1]. " + repeat * 3
    first = text.index("Penguins")
    stream = cut_stream(text, first + len(repeat) + 9, not_before=first + 3)
    assert stream.text == "API keys live in the system keyring [1]. " + repeat.rstrip()
    assert [text[c.start : c.end] for c in stream.checked][-1] == "Keys live in the keyring."
    assert stream.checked[-1].end == len(stream.text)


def test_a_cut_inside_code_keeps_whole_lines_and_checks_them() -> None:
    text = "Run this:\n```\nkeyring get margin\nkeyring get margin\nkeyring get"
    start = text.index("keyring")
    stream = cut_stream(text, text.index("keyring", start + 1) + 4, not_before=start)
    assert stream.text == "Run this:\n```\nkeyring get margin"
    assert stream.checked[-1].kind == "code"


def test_a_cut_with_no_sentence_end_in_the_repeated_run_is_at_the_word() -> None:
    stream = cut_stream("keys keys keys keys", 5, not_before=0)
    assert stream.text == "keys" and len(stream.checked) == 1
