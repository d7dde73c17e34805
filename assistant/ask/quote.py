"""Quote answers: the best supporting sentences, verbatim, with citations, and no model.

A quote is deterministic, instant and cannot invent anything: it is what the documents say,
where they say it. `ask.mode` (or `--mode`) chooses how a question is answered:

- "quote": always quote;
- "generate": a model writes the answer from the evidence;
- "auto": quote when the model would be the small bundled one and the evidence holds the
  question's terms (`DIRECT_COVERAGE`): on the evaluation sets the bundled 135M model's
  answers contain the expected answer less often than the quoted sentence does; generate
  otherwise (a capable model, or a question no sentence answers in its own words).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from assistant.ask.evidence import Evidence, EvidenceWindow
from assistant.ask.types import SentenceSupport
from assistant.config import BUNDLED, ModelProfile

AnswerStyle = Literal["generate", "quote"]

MAX_SENTENCES = 2
SECOND_SHARE = 0.9  # a second sentence is quoted when it scores this share of the best
DIRECT_COVERAGE = 0.5  # the best window holds this share of the question's weighted terms
# How a sentence ends when it does not announce the next one (closing quotes and brackets
# after the stop included); a window ending otherwise is quoted with the sentence after it.
FINISHED = tuple(stop + close for stop in ".!?" for close in ("", '"', "'", "”", "’", ")", "]"))


@dataclass(frozen=True, slots=True)
class Quote:
    text: str  # each quoted window followed by its citation, one per line
    cited: list[int]
    sentences: list[SentenceSupport]  # one per line: cited, by the source it is quoted from


def quote_answer(evidence: Evidence) -> Quote | None:
    """The best evidence window (a sentence and its neighbours: on eval/real-tune.jsonl it
    holds the expected answer 45% of the time, the sentence alone 26%), and the next best if
    it is nearly as good and says something else; None when there is no evidence."""
    best = evidence.best
    if best is None:
        return None
    chosen = [best]
    for window in evidence.windows[1:]:
        if len(chosen) == MAX_SENTENCES or window.score < SECOND_SHARE * best.score:
            break
        if not any(_overlaps(window, taken) for taken in chosen):
            chosen.append(window)
    chosen.sort(key=lambda w: (w.source.number, w.sentence.start))
    lines, sentences, start = [], [], 0
    for window in chosen:
        text = _quoted_text(window, evidence)
        line = f"{text} [{window.source.number}]"
        number = window.source.number
        sentences.append(
            SentenceSupport(
                start=start,
                end=start + len(line),
                status="cited",
                cited=(number,),
                source=number,
                score=1.0,
                evidence=text,
            )
        )
        lines.append(line)
        start += len(line) + 1
    return Quote("\n".join(lines), sorted({w.source.number for w in chosen}), sentences)


def _quoted_text(window: EvidenceWindow, evidence: Evidence) -> str:
    """The window's text, and the sentence after it when the window ends by announcing it
    (a colon, or no full stop: "If you want to use `cc' instead, type" before the command)."""
    text = window.window.text
    if text.endswith(FINISHED) and not text.endswith(":"):
        return text
    following = [
        w.sentence
        for w in evidence.windows
        if w.source.id == window.source.id and w.sentence.start >= window.window.end
    ]
    if not following:
        return text
    return f"{text} {min(following, key=lambda s: s.start).text}"


def answer_style(setting: str, profile: ModelProfile, evidence: Evidence) -> AnswerStyle:
    """How to answer this question: `setting` is "auto", "generate" or "quote"."""
    if setting == "quote":
        return "quote"
    if setting == "generate":
        return "generate"
    best = evidence.best
    small_model = profile.kind == "llama-cpp" and profile.path == BUNDLED
    if small_model and best is not None and best.coverage >= DIRECT_COVERAGE:
        return "quote"
    return "generate"


def _overlaps(one: EvidenceWindow, other: EvidenceWindow) -> bool:
    """The same text: overlapping windows of one source, or the same words in two."""
    if one.source.id != other.source.id:
        return one.window.text == other.window.text
    return one.window.start < other.window.end and other.window.start < one.window.end
