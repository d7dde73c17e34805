"""A section's number in front of a line of a PDF: "2.1 Related work", "I. INTRODUCTION",
"A. Second-level heading", "A.2 Proofs". Papers without bookmarks number their headings, and
the number says how deep a heading sits: 2.1 under 2; in REVTeX and IEEE papers lettered
headings sit under roman ones and arabic ones under those.

Whether the numbered line is a heading at all is for `pdf_headings` to judge from its type;
what may follow the number is judged here, so that the usual look-alikes are not numbered
headings: a list item in a sentence ("1. unpack the archive."), an equation number ("(3)"),
a reference entry ("[12] A. Author"), a table row ("1 Apples 3.2 4.5"), a page number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_ROMAN = r"(?:X{0,3})(?:IX|IV|V?I{0,3})"
_NUMBER = re.compile(
    r"(?P<arabic>\d{1,2}(?:\.\d{1,2}){0,3})\.?"
    rf"|(?P<sub_roman>(?=[IVX]){_ROMAN}(?:\.\d{{1,2}}){{1,3}})\.?"
    r"|(?P<lettered>[A-Z](?:\.\d{1,2}){1,3})\.?"
    rf"|(?P<roman>(?=[IVX]){_ROMAN})\."
    r"|(?P<letter>[A-Z])\."
)
_TITLE = re.compile(r"[ \t]+(?P<title>[A-Z][^\s]*(?:[ \t]+\S+)*)")
_MAX_TITLE_WORDS = 14
_DIGIT_SHARE = 0.2  # a title with more digits than this is a table row or a formula


@dataclass(frozen=True, slots=True)
class SectionNumber:
    values: tuple[int, ...]  # "2.1" -> (2, 1); "B." -> (2,); "IV." -> (4,); "A.2" -> (1, 2)
    roman: bool = False  # "IV.", "IV.2.": a top level that lettered and arabic ones sit under
    letter: bool = False  # "B.": under a roman heading, or an appendix

    def depth(self, roman_headings: bool) -> int:
        """1 for a top-level heading. Where roman numbers head the sections (REVTeX, IEEE),
        "A." is the second level and "1." the third; elsewhere "A." is an appendix."""
        if not roman_headings or self.roman:
            return len(self.values)
        return len(self.values) + (1 if self.letter else 2)


def section_number(line: str) -> SectionNumber | None:
    """The number in front of a line that reads as a section's number and title."""
    number = _NUMBER.match(line)
    if number is None or not number.group(0):
        return None
    title = _TITLE.fullmatch(line, number.end())
    if title is None or not _reads_as_title(title.group("title")):
        return None
    if number.group("arabic"):
        return SectionNumber(tuple(int(part) for part in number.group("arabic").split(".")))
    if number.group("sub_roman"):
        numeral, *parts = number.group("sub_roman").split(".")
        return SectionNumber((_roman_value(numeral), *(int(part) for part in parts)), roman=True)
    if number.group("lettered"):
        letter, *parts = number.group("lettered").split(".")
        return SectionNumber((_letter_value(letter), *(int(part) for part in parts)))
    if number.group("roman"):
        return SectionNumber((_roman_value(number.group("roman")),), roman=True)
    return SectionNumber((_letter_value(number.group("letter")),), letter=True)


def _reads_as_title(title: str) -> bool:
    words = title.split()
    digits = sum(character.isdigit() for character in title)
    return (
        len(words) <= _MAX_TITLE_WORDS
        and digits <= _DIGIT_SHARE * len(title)
        and not title.endswith((".", ",", ";"))
        and "@" not in title
        and "://" not in title
    )


def follows(number: SectionNumber, trail: Sequence[int], depth: int) -> bool:
    """Whether a heading numbered `number` at `depth` comes next after the numbered headings
    `trail` (the last number at each depth so far): 2.1 after 2, 2.2 after 2.1, 3 after 2.1.
    A list item in the text restarts at 1, where a heading never does."""
    value = number.values[-1]
    if depth > len(trail) + 1:
        return False
    if depth == len(trail) + 1:
        return value == 1
    return trail[depth - 1] == value - 1


def _letter_value(letter: str) -> int:
    return ord(letter) - ord("A") + 1


def _roman_value(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10}
    total = 0
    for index, character in enumerate(numeral):
        value = values[character]
        following = values[numeral[index + 1]] if index + 1 < len(numeral) else 0
        total += -value if value < following else value
    return total
