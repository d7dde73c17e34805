"""Text as the detectors read it, with a map back to the characters it came from.

Personal data is often written so a plain pattern misses it, by accident or on purpose:
full-width digits (`４１１１`), a no-break or double space inside a card number, a soft hyphen
or a zero-width space inside an address, Cyrillic letters that look Latin (`bоb@exаmple.com`).
`normalise` folds all of that away (NFKC, invisible characters removed, horizontal spaces
folded to one, look-alike letters folded to ASCII) and keeps, for every character it
produces, the index of the original character, so a span found in the normalised text maps
back to exactly the characters to replace in the original.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Removed: zero-width space/joiners, word joiner, invisible operators, BOM, soft hyphen, and
# the bidi controls (they only change how text is shown).
_REMOVED = frozenset(
    "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)
# Letters that look like ASCII ones (Cyrillic and Greek), from Unicode's confusables list,
# as pairs of the look-alike and its ASCII letter.
_LOOK_ALIKE_PAIRS = (
    "аa еe оo рp сc уy хx іi јj ѕs ԁd һh ӏl ԛq ԝw "
    "АA ВB ЕE КK МM НH ОO РP СC ТT ХX УY ЅS ІI ЈJ "
    "οo ιi νv ρp ΑA ΒB ΕE ΖZ ΗH ΙI ΚK ΜM ΝN ΟO ΡP ΤT ΥY ΧX"
)
_LOOK_ALIKES = {pair[0]: pair[1] for pair in _LOOK_ALIKE_PAIRS.split()}
# What needs folding: anything but printable ASCII, newline and single spaces.
_SPECIAL = re.compile(r"[^\x21-\x7e\n ]| {2,}")


@dataclass(frozen=True, slots=True)
class Normalised:
    """`text` as detectors read it; `origin[i]` is the index in the original of `text[i]`
    (None when nothing changed, so indexes are the same)."""

    text: str
    origin: list[int] | None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that `text[start:end]` came from."""
        if self.origin is None:
            return start, end
        return self.origin[start], self.origin[end - 1] + 1


def normalise(text: str) -> Normalised:
    """`text` folded for detection; see the module docstring for what is folded.

    Plain stretches (printable ASCII, newlines, single spaces) are copied whole; only the
    characters around them are folded one by one.
    """
    if not _SPECIAL.search(text):
        return Normalised(text, None)
    pieces: list[str] = []
    origin: list[int] = []
    position = 0
    for special in _SPECIAL.finditer(text):
        start = special.start()
        if start > position:
            pieces.append(text[position:start])
            origin.extend(range(position, start))
        if text[start] == " ":  # a run of spaces: one space, unless one was just written
            if not (pieces and pieces[-1].endswith(" ")):
                pieces.append(" ")
                origin.append(start)
            position = special.end()
            continue
        for index in range(start, special.end()):
            folded = _fold(text[index])
            if not folded or (folded == " " and pieces and pieces[-1].endswith(" ")):
                continue
            pieces.append(folded)
            origin.extend([index] * len(folded))
        position = special.end()
    pieces.append(text[position:])
    origin.extend(range(position, len(text)))
    return Normalised("".join(pieces), origin)


@lru_cache(maxsize=8192)
def _fold(char: str) -> str:
    if char in _REMOVED:
        return ""
    if char == "\n" or char == "\r":
        return char
    if char.isspace():
        return " "
    folded = unicodedata.normalize("NFKC", char)
    return "".join(_LOOK_ALIKES.get(part, part) for part in folded)
