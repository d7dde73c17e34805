"""Where code is in a model's answer, and where its sentences begin and end.

Both follow Markdown closely enough that nothing margin adds (a citation mark, a support
flag) can land inside code:

- a fenced block (a line opening with three or more backticks or tildes) runs to the line
  that closes it with the same fence, or to the end of the text;
- an inline code span opens with a run of backticks and closes at the next run of the same
  length within the paragraph. One that never closes counts as code up to the paragraph's
  end: Markdown would show the backtick as it is, but text after it is where a model that
  forgot the closing backtick meant code, and a later backtick could still close it;
- links (`http://`, `https://`) count as code too: their brackets and dots are not prose.

A sentence ends at a line break, or at `.`, `!` or `?` (with any closing quote or bracket
and citation markers such as `[1]` after it) followed by a space and more text; not after an
abbreviation ("e.g.", "etc."), an initial ("J.") or a list number ("1."). Technical answers
often start a sentence with a lower-case name (`shutil.copytree ...`), so case is not asked.
A fenced block is a unit of its own. The splitter is prefix-stable:
every unit of a text except the last is also a unit of any longer text that starts with it,
which is what lets `assistant.ask.sentence_stream` check sentences while the answer streams.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from assistant.ask.types import UnitKind
from ingest.markdown_syntax import fenced_blocks

_BACKTICKS = re.compile(r"`+")
_PARAGRAPH_END = re.compile(r"\n[ \t]*\n")
_NO_END = 1 << 62  # sorts after any real span end
_URL = re.compile(r"https?://[^\s<>()`]*[^\s<>()`.,;:!?'\"]")
# Sentence end: punctuation, closing quotes or brackets, citation markers, then a space and a
# character that can start a sentence ("[" cannot: it may be the start of a marker).
_BOUNDARY = re.compile(
    r"[.!?][\"'’”)\]]*(?:[ \t]*\[[^\[\]\n]{1,24}\])*(?=[ \t]+[^\s\[])|\n",
)
_WORD_BEFORE_DOT = re.compile(r"(?:^|[\s(])([\w.]+)$")
_ABBREVIATION_LIST = "e.g i.e etc vs cf approx incl fig no nos mr mrs ms dr st ca resp viz al"
ABBREVIATIONS = frozenset(_ABBREVIATION_LIST.split())  # written with a full stop after


@dataclass(frozen=True, slots=True)
class TextUnit:
    """A sentence (`prose`) or a fenced code block (`code`): `text[start:end]`, trimmed."""

    start: int
    end: int
    kind: UnitKind


def code_spans(text: str, *, links: bool = True) -> list[tuple[int, int]]:
    """The (start, end) spans of fenced blocks, inline code and (with `links`) URLs, sorted."""
    fenced = fenced_blocks(text)
    spans = list(fenced)
    for start, end in _prose_regions(text, fenced):
        spans.extend(_inline_code(text, start, end))
    spans.sort()
    if links:
        urls = [(m.start(), m.end()) for m in _URL.finditer(text) if not _inside(spans, m.start())]
        spans = sorted(spans + urls)
    return spans


def split_sentences(text: str) -> list[TextUnit]:
    """The sentences and fenced code blocks of `text`, in order, trimmed of white space."""
    fenced = fenced_blocks(text)
    protected = code_spans(text)
    units: list[TextUnit] = []
    for start, end in _prose_regions(text, fenced, include_fences=True):
        if (start, end) in fenced:
            units.append(TextUnit(start, end, "code"))
            continue
        begin = start
        for boundary in _BOUNDARY.finditer(text, start, end):
            cut = boundary.end() if boundary.group() != "\n" else boundary.start()
            if _inside(protected, boundary.start()) or _not_an_end(text, boundary):
                continue
            _add_prose(units, text, begin, cut)
            begin = boundary.end()
        _add_prose(units, text, begin, end)
    return units


def _not_an_end(text: str, boundary: re.Match[str]) -> bool:
    """True for the dot of an abbreviation, an initial or a list number (`1. ` at the start
    of a line)."""
    if not boundary.group().startswith("."):
        return False
    line = text[text.rfind("\n", 0, boundary.start()) + 1 : boundary.start()]
    before = _WORD_BEFORE_DOT.search(line)
    if before is None:
        return False
    word = before.group(1)
    at_line_start = line[: before.start(1)].strip() == ""
    return (
        word.lower().rstrip(".") in ABBREVIATIONS
        or (len(word) == 1 and word.isupper())
        or (word.isdigit() and len(word) <= 3 and at_line_start)
    )


def _add_prose(units: list[TextUnit], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        units.append(TextUnit(start + lead, start + lead + len(stripped), "prose"))


def _prose_regions(
    text: str, fenced: list[tuple[int, int]], *, include_fences: bool = False
) -> list[tuple[int, int]]:
    """The stretches between fenced blocks (and the blocks themselves, if asked), in order."""
    regions: list[tuple[int, int]] = []
    position = 0
    for start, end in fenced:
        if start > position:
            regions.append((position, start))
        if include_fences:
            regions.append((start, end))
        position = end
    if position < len(text):
        regions.append((position, len(text)))
    return regions


def _inline_code(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    position = start
    while (opening := _BACKTICKS.search(text, position, end)) is not None:
        paragraph = _PARAGRAPH_END.search(text, opening.end(), end)
        limit = paragraph.start() if paragraph is not None else end
        closing = re.compile(rf"(?<!`){opening.group()}(?!`)")
        found = closing.search(text, opening.end(), limit)
        close_at = found.end() if found is not None else limit
        spans.append((opening.start(), close_at))
        position = close_at
    return spans


def _inside(spans: list[tuple[int, int]], position: int) -> bool:
    """True when `position` falls inside one of the sorted, non-overlapping `spans`."""
    index = bisect.bisect_right(spans, (position, _NO_END)) - 1
    return index >= 0 and spans[index][0] <= position < spans[index][1]
