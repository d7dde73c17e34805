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

    def cut(self, at: int, *, not_before: int = 0) -> None:
        """Drop the text from `at` on, and the checks of what is dropped: the model went on
        repeating itself from there. The cut moves back to the latest end of a checked
        sentence or of a line at or after `not_before` (where the repeated run starts), so
        no half sentence stays; what stays after the last checked sentence (a code block's
        lines) is checked now. The dropped text has already streamed: no event is sent."""
        ends = [unit.end for unit in self.checked if not_before <= unit.end <= at]
        line_end = self._text.rfind("\n", not_before, at)
        boundary = max([*ends, line_end + 1] if line_end >= 0 else ends, default=at)
        self._text = self._text[:boundary].rstrip()
        self.checked = [unit for unit in self.checked if unit.end <= boundary]
        self.checked.extend(self.checker.check(self._text, unit) for unit in self._units())
        self._emitted = min(self._emitted, len(self._text))

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
