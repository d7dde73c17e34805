"""Stopping a model that repeats itself: the same run of words, over and over, to max_tokens.

A small model stuck in a loop writes one passage again and again (the bundled SmolLM2 once
streamed 171 s of it), at the same cost per token as a real answer. `RepetitionStop` watches
the words as they stream and says when the text ends in a run of words written at least
`MIN_COPIES` times in a row, and the copies after the first hold at least
`MIN_REPEATED_WORDS` words: a long passage is stopped at its third copy, a short phrase only
once it has come back many more times.

Words are compared as written, with white space ignored, so a loop that only indents each
line further is still a loop. Legitimate repetition rarely repeats itself whole: list items,
table rows and lines of code differ from one another (a name, a number, a cell), which ends
the run; the thresholds were measured on the bundled model's answers (docs/ask.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_COPIES = 3  # the run of words, then two more copies of it right after
MIN_REPEATED_WORDS = 24  # words in the copies after the first: 25 of one word, 3 of a sentence
MAX_PERIOD_WORDS = 200  # the longest run looked for, about four long sentences

_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class Repetition:
    """Where the repeats start, and what repeats."""

    starts_at: int  # offset in the text of the run's first copy...
    repeats_at: int  # ...and of its second: the text before this is worth keeping
    words: int  # words in the repeated run
    copies: int  # times the run was written in a row when the stream stopped


class RepetitionStop:
    """Fed the deltas of a stream, finds the loop at the end of its text, if any.

    For every period p (1 to `MAX_PERIOD_WORDS`), `_runs[p]` counts the words at the end that
    each equal the word p before them: a text that ends in c copies of a p-word run has a run
    of (c - 1) * p there. Each new word updates every period in one step.
    """

    def __init__(self) -> None:
        self._text = ""
        self._scanned = 0  # characters of _text whose complete words are counted
        self._words: list[str] = []
        self._starts: list[int] = []  # each word's offset in the text
        self._runs = [0] * (MAX_PERIOD_WORDS + 1)
        self.found: Repetition | None = None

    def feed(self, delta: str) -> Repetition | None:
        """The loop the text ends in once `delta` is added, or None; stays found once found."""
        if self.found is not None:
            return self.found
        self._text += delta
        for word in _WORD.finditer(self._text, self._scanned):
            if word.end() == len(self._text):  # the word may go on in the next delta
                break
            self._scanned = word.end()
            self.found = self._add(word.group(), word.start())
            if self.found is not None:
                break
        return self.found

    def _add(self, word: str, start: int) -> Repetition | None:
        count = len(self._words)
        self._words.append(word)
        self._starts.append(start)
        runs = self._runs
        for period in range(1, min(count, MAX_PERIOD_WORDS) + 1):
            runs[period] = runs[period] + 1 if self._words[count - period] == word else 0
            repeated = runs[period]
            if repeated >= (MIN_COPIES - 1) * period and repeated >= MIN_REPEATED_WORDS:
                second = count + 1 - repeated
                return Repetition(
                    starts_at=self._starts[second - period],
                    repeats_at=self._starts[second],
                    words=period,
                    copies=1 + repeated // period,
                )
        return None
