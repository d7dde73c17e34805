"""Split a passage into sentences: the units evidence is scored on, quoted and matched.

`passage_sentences(text)` returns `TextSpan`s that cover every word of the text once, in
order, with their character offsets, so a caller can quote a span verbatim or find its
neighbours. The splitter knows the shapes real documents take:

- paragraphs (a blank line) and list items (a line starting with `-`, `*`, `•`, `1.` or a
  shell or Python prompt) always start a new span;
- a single line break is a wrapped line (man pages, PDFs), not a sentence end;
- a sentence ends at `.`, `!` or `?` before a space and a capital, digit, quote or bracket,
  but not after an abbreviation ("e.g.", "i.e.", "etc.") or an initial;
- a fragment of fewer than `MIN_WORDS` words joins the next span of its block (an option
  name like "-a, --all" joins its description), or the one before at a block's end; not the
  tail of a sentence a text opens inside ("details.)" of a chunk that starts mid-sentence),
  which stays a span of its own, so a quote can leave it out;
- a span longer than `MAX_WORDS` (a table, a code listing) is cut into windows of that size.

It cuts source text: the evidence stage scores its sentences and the answer-support check
(`assistant.guardrails.support`) matches answer sentences against them. A model's answer is
Markdown and is cut by `assistant.guardrails.sentences` instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

MIN_WORDS = 3
MAX_WORDS = 48
CALLOUT_MARK = r"<\d{1,2}>"  # a callout list's item, "<2> Rewind ...", as HTML's are read

# A blank line, or a line break before a list item (a callout's "<2> " too), a heading (an
# org-mode "** TODO" too) or a prompt.
_BLOCK_BREAK = re.compile(
    r"\n[ \t]*(?:\n[ \t]*)+"
    rf"|\n(?=[ \t]*(?:[-•+]|\*+|\d{{1,3}}[.)]|{CALLOUT_MARK}|#{{1,6}}|>>>|\$|\|)[ \t])"
)
# A line of fields ("title: Lisbon trip", an e-mail's "From: …", a CSV row as the loader
# writes it, "date: 2026-10-03; category: groceries"): in a run of such lines each is a
# block of its own, as its line is, never a wrapped line of one sentence.
FIELD_LINE = re.compile(r"[ \t]*[^\W\d][\w.-]*(?: [\w.-]+){0,2}:[ \t]+\S")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"'“‘(\[`]?[A-Z0-9$`-])")
# Titles and abbreviations a full stop does not end a sentence after ("Prof. Dr. Helga
# Brandt", "approx. 40", "Dept. of Physics", "et al.", "claim no. 55"), and initials.
_ABBREVIATION = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|vs|cf|viz|approx|ca|no|nos|fig|figs|eq|pp|vol|ch|sec|resp|esp"
    r"|incl|al|mr|mrs|ms|dr|prof|st|jr|sr|dept|univ|inc|ltd|corp|co)"
    r"|(?<![\w.])[A-Za-z])\.$",
    re.IGNORECASE,
)
_WORD = re.compile(r"\S+")
_PLAIN_WORD = re.compile(r"[a-z][a-z0-9'’-]*[,.;!?)]*")  # "date:" is a label, not a tail


@dataclass(frozen=True, slots=True)
class TextSpan:
    """`text[start:end]` of the passage it came from, and that text with spaces folded."""

    start: int
    end: int
    text: str

    @property
    def words(self) -> int:
        return len(self.text.split())


def passage_sentences(text: str) -> list[TextSpan]:
    """The sentences of `text`, in order, each at least `MIN_WORDS` words where the text
    allows it and at most `MAX_WORDS`."""
    spans: list[TextSpan] = []
    tail = starts_mid_sentence(text)
    for block_start, block_end in _blocks(text):
        pieces = list(_sentences(text, block_start, block_end))
        if tail and len(pieces) > 1:  # the tail of a sentence the text opens inside
            spans.extend(_sized(text, pieces[:1]))
            pieces = pieces[1:]
        tail = False
        spans.extend(_sized(text, _merged(text, pieces)))
    return spans


def starts_mid_sentence(text: str) -> bool:
    """Whether `text` opens with the rest of a sentence: a plain lower-case word ("names.",
    "option,"), not a name in code ("re.X", "os.walk(top)") or a label ("date: 2026-10-03")."""
    first = text.split(maxsplit=1)[0] if text.strip() else ""
    return _PLAIN_WORD.fullmatch(first) is not None


def _blocks(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for match in _BLOCK_BREAK.finditer(text):
        if text[start : match.start()].strip():
            yield from _field_lines(text, start, match.start())
        start = match.end()
    if text[start:].strip():
        yield from _field_lines(text, start, len(text))


def _field_lines(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The block `text[start:end]`, cut after each line of fields a line of fields follows."""
    lines = text[start:end].split("\n")
    fields = [FIELD_LINE.match(line) is not None for line in lines]
    line_end = start
    for index, line in enumerate(lines[:-1]):
        line_end += len(line)
        if fields[index] and fields[index + 1]:
            yield start, line_end
            start = line_end + 1
        line_end += 1
    yield start, end


def _sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    block = text[start:end]
    begin = 0
    for match in _SENTENCE_END.finditer(block):
        if _ABBREVIATION.search(block[begin : match.start() + 1]):
            continue
        yield _trimmed(text, start + begin, start + match.end())
        begin = match.end()
    if block[begin:].strip():
        yield _trimmed(text, start + begin, end)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _merged(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join each fragment of fewer than MIN_WORDS words with the piece after it (or, for the
    last piece of a block, before it)."""
    merged: list[tuple[int, int]] = []
    pending: int | None = None  # start of a fragment waiting for the next piece
    for start, end in pieces:
        if pending is not None:
            start, pending = pending, None
        if len(_WORD.findall(text[start:end])) < MIN_WORDS:
            pending = start
            continue
        merged.append((start, end))
    if pending is not None:
        last_end = pieces[-1][1]
        if merged:
            merged[-1] = (merged[-1][0], last_end)
        else:
            merged.append((pending, last_end))
    return merged


def _sized(text: str, pieces: list[tuple[int, int]]) -> Iterator[TextSpan]:
    for start, end in pieces:
        words = list(_WORD.finditer(text, start, end))
        windows = -(-len(words) // MAX_WORDS)
        size = -(-len(words) // windows)  # equal windows: no stub of one word at the end
        for first in range(0, len(words), size):
            window = words[first : first + size]
            begin, finish = window[0].start(), window[-1].end()
            yield TextSpan(begin, finish, " ".join(w.group() for w in window))
