"""An answer's text as it streams, checked sentence by sentence as each sentence ends.

`SentenceStream` turns the growing text into `TextDelta`s and a `SentenceChecked` after each
sentence, placed exactly at the sentence's end, so a terminal can print a support mark right
after the sentence it belongs to. A sentence is known to be over only when the next one has
begun, so white space after a possible sentence end is held back until the next character
arrives (one token, at most); everything else passes through at once.
"""

from __future__ import annotations

from assistant.ask.types import AskEvent, SentenceChecked, SentenceSupport, TextDelta
from assistant.guardrails.sentences import TextUnit, split_sentences
from assistant.guardrails.support import SupportChecker


class SentenceStream:
    def __init__(self, checker: SupportChecker):
        self.checker = checker
        self._text = ""
        self._emitted = 0  # characters of _text already sent as TextDelta
        self.checked: list[SentenceSupport] = []  # every unit checked so far, in order

    @property
    def text(self) -> str:
        return self._text

    def feed(self, delta: str) -> list[AskEvent]:
        """Events for `delta`: text, with a check after each sentence it completes."""
        self._text += delta
        events = self._check(self._units()[:-1])
        held_from = len(self._text.rstrip())
        if held_from > self._emitted:
            events.append(TextDelta(self._text[self._emitted : held_from]))
            self._emitted = held_from
        return events

    def finish(self) -> list[AskEvent]:
        """Events for the end of the text: the last sentence's check and any held text."""
        events = self._check(self._units())
        if len(self._text) > self._emitted:
            events.append(TextDelta(self._text[self._emitted :]))
            self._emitted = len(self._text)
        return events

    def _units(self) -> list[TextUnit]:
        """The units from the end of the last checked one on. The text before it is split for
        good (the splitter is prefix-stable, and a unit never ends inside code), so each token
        costs the length of its line, not of the whole answer. The split starts at the line's
        start, as list numbers and abbreviations are read in their line."""
        done = self.checked[-1] if self.checked else None
        base = 0 if done is None else done.end
        if done is not None and done.kind == "prose":
            base = self._text.rfind("\n", 0, base) + 1
        units = (
            TextUnit(unit.start + base, unit.end + base, unit.kind)
            for unit in split_sentences(self._text[base:])
        )
        return [unit for unit in units if done is None or unit.start >= done.end]

    def _check(self, complete: list[TextUnit]) -> list[AskEvent]:
        events: list[AskEvent] = []
        for unit in complete:
            if unit.end > self._emitted:
                events.append(TextDelta(self._text[self._emitted : unit.end]))
                self._emitted = unit.end
            self.checked.append(self.checker.check(self._text, unit))
            events.append(SentenceChecked(self.checked[-1]))
        return events
