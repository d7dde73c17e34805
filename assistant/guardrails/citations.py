"""Citation markers in model output: `[1]`, `[2, 3]`, `[1-3]`, `[Source 4]`, `(source 2)`.

A marker must name a source the model was given; markers naming anything else are removed.
Brackets inside code and links are not citations (see `sentences.code_spans`), and margin
never adds a marker to the model's text: sentences the model did not cite are matched with
sources by the support check (`support.py`) and shown apart from the model's own citations.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.guardrails.sentences import code_spans

_NUMBER_LIST = r"\d+(?:\s*(?:[,;]|[-–])\s*(?:sources?\s*)?\d+)*"
# group 1: the space before the marker (dropped with a removed marker); group 2: the numbers
_BRACKET_MARKER = re.compile(
    rf"([ \t]*)\[\s*((?:sources?\s*)?{_NUMBER_LIST})\s*\](?!\()", re.IGNORECASE
)
_PAREN_MARKER = re.compile(rf"([ \t]*)\(\s*(sources?\s*{_NUMBER_LIST})\s*\)", re.IGNORECASE)
_MARKERS = re.compile(rf"{_BRACKET_MARKER.pattern}|{_PAREN_MARKER.pattern}", re.IGNORECASE)
_RANGE = re.compile(r"(\d+)\s*[-–]\s*(\d+)")
_MAX_RANGE = 50


@dataclass(frozen=True, slots=True)
class CitationCheck:
    text: str  # the answer with invalid markers removed
    cited: list[int]  # valid source numbers, in order of first use
    invalid: list[int]  # numbers that name no source, in order of first use


def check_citations(answer_text: str, source_numbers: set[int]) -> CitationCheck:
    """Keep markers that name real sources, drop the others; code and links are left alone."""
    cited: list[int] = []
    invalid: list[int] = []

    def rewrite(match: re.Match[str]) -> str:
        parenthesised = match.group(2) is None
        lead, listed = (match.group(3), match.group(4)) if parenthesised else match.group(1, 2)
        numbers = _numbers_in(listed)
        for number in numbers:
            bucket = cited if number in source_numbers else invalid
            if number not in bucket:
                bucket.append(number)
        valid = [n for n in numbers if n in source_numbers]
        if len(valid) == len(numbers):
            return match.group()
        if not valid:
            return ""
        kept = ", ".join(str(n) for n in valid)
        if parenthesised:
            return f"{lead}(source {kept})"
        word = "Source " if "source" in listed.lower() else ""
        return f"{lead}[{word}{kept}]"

    return CitationCheck(text=_in_prose(answer_text, rewrite), cited=cited, invalid=invalid)


def marker_numbers(text: str) -> list[int]:
    """The source numbers the markers in `text` name, outside code, in order of first use."""
    found: list[int] = []

    def collect(match: re.Match[str]) -> str:
        listed = match.group(2) if match.group(2) is not None else match.group(4)
        found.extend(_numbers_in(listed))
        return match.group()

    _in_prose(text, collect)
    return list(dict.fromkeys(found))


def strip_markers(text: str) -> str:
    """`text` without its citation markers."""
    return _MARKERS.sub(" ", text)


def _in_prose(text: str, rewrite: Callable[[re.Match[str]], str]) -> str:
    """`text` with `rewrite` applied to each marker outside code and links."""
    pieces: list[str] = []
    position = 0
    for start, end in [*code_spans(text), (len(text), len(text))]:
        pieces.append(_MARKERS.sub(rewrite, text[position:start]))
        pieces.append(text[start:end])
        position = end
    return "".join(pieces)


def _numbers_in(listed: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"[,;]", re.sub(r"(?i)sources?", "", listed)):
        bounds = _RANGE.fullmatch(part.strip())
        if bounds and 0 < int(bounds[2]) - int(bounds[1]) <= _MAX_RANGE:
            numbers.extend(range(int(bounds[1]), int(bounds[2]) + 1))
        else:
            numbers.extend(int(n) for n in re.findall(r"\d+", part))
    return list(dict.fromkeys(numbers))
