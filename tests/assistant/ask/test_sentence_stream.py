"""Streamed text checked sentence by sentence, each check right after its sentence."""

from __future__ import annotations

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
