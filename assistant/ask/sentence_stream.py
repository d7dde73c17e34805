"""An answer's text as it streams, checked sentence by sentence as each sentence ends.

`SentenceStream` turns the growing text into `TextDelta`s and a `SentenceChecked` after each
sentence, placed exactly at the sentence's end, so a terminal can print a support mark right
after the sentence it belongs to. A sentence is known to be over only when the next one has
begun, so white space after a possible sentence end is held back until the next character
arrives (one token, at most); everything else passes through at once.
"""

from __future__ import annotations

from assistant.ask.types import AskEvent, SentenceChecked, TextDelta
from assistant.guardrails.sentences import TextUnit, split_sentences
from assistant.guardrails.support import SupportChecker


class SentenceStream:
    def __init__(self, checker: SupportChecker):
        self.checker = checker
        self._text = ""
        self._emitted = 0  # characters of _text already sent as TextDelta
        self._checked = 0  # units already checked

    @property
    def text(self) -> str:
        return self._text

    def feed(self, delta: str) -> list[AskEvent]:
        """Events for `delta`: text, with a check after each sentence it completes."""
        self._text += delta
        events = self._check(split_sentences(self._text)[:-1])
        held_from = len(self._text.rstrip())
        if held_from > self._emitted:
            events.append(TextDelta(self._text[self._emitted : held_from]))
            self._emitted = held_from
        return events

    def finish(self) -> list[AskEvent]:
        """Events for the end of the text: the last sentence's check and any held text."""
        events = self._check(split_sentences(self._text))
        if len(self._text) > self._emitted:
            events.append(TextDelta(self._text[self._emitted :]))
            self._emitted = len(self._text)
        return events

    def _check(self, complete: list[TextUnit]) -> list[AskEvent]:
        events: list[AskEvent] = []
        for unit in complete[self._checked :]:
            if unit.end > self._emitted:
                events.append(TextDelta(self._text[self._emitted : unit.end]))
                self._emitted = unit.end
            events.append(SentenceChecked(self.checker.check(self._text, unit)))
        self._checked = max(self._checked, len(complete))
        return events
