"""Phone numbers: a pattern finds what is written like one, `phonenumbers` decides.

Three ways of writing a number are looked for: international (`+44 20 7946 0958`, and with
an exit code, `0044 …` or `011 …`), North American (`(415) 555-2671`, `415-555-2671`), and
national numbers that start with a trunk 0 and are written in groups (`020 7946 0958`,
`06 12 34 56 78`). Each candidate is kept only when Google's libphonenumber metadata (the
`phonenumbers` package) says it is a valid number: for a national number, valid in at least
one country that dials with a trunk 0. Years, dates, versions, prices and table rows are
rarely written in these shapes, and almost never valid numbers when they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from assistant.guardrails.spans import Span

_INTERNATIONAL = re.compile(
    r"(?<![\w+])(?:\+|00|011[ ]?)[1-9]\d{0,2}(?:[ .-]?\(\d{1,4}\))?(?:[ .-]?\d{1,5}){2,6}"
    r"(?!\d|\.\d)"
)
_NANP = re.compile(
    r"(?<![\w.+-])(?:\(([2-9]\d{2})\)[ ]?|(?<!\d )([2-9]\d{2})([-. ]))[2-9]\d{2}[-. ]\d{4}"
    r"(?![\w.-]?\d)"
)
# Not after another number ("001 010 011 100" is a row of numbers, "377 610 987 1597" one
# of Fibonacci's), not after a time ("15:17:08.123456").
_NATIONAL = re.compile(
    r"(?<![\w.+/:-])(?<!\d )(?:\(0[1-9]\d{0,3}\)[ ]?|0[1-9]\d{0,3}(?P<sep>[ .-]))"
    r"\d{2,6}(?:(?(sep)(?P=sep)|[ .-])\d{2,4}){0,3}(?![\w.-]?\d)"
)
_DIGIT_RUN = re.compile(r"\d+")
# Written as an SSN ("078-05-1120"), a US ZIP+4 code ("Boston, MA 02110-1301") or a date
# ("03-03-2022", "05.18.2022"), not a phone.
_NOT_A_PHONE = re.compile(r"\d{3}-\d{2}-\d{4}|\d{5}-\d{4}|\d{2}([-./])\d{2}\1(?:19|20)\d{2}")
_SIGNED_DECIMAL = re.compile(r"\+\d+\.\d+")  # "+35236450.6" is a number, not a phone
_DECIMALS = re.compile(r"\.\d")  # nor is "+35236450" cut from it
_MOST_DIGITS = 15  # ITU-T E.164
# Countries whose national numbers start with a trunk 0 (the 0 is dropped after +cc).
_TRUNK_ZERO_REGIONS = ("GB", "DE", "FR", "NL", "BE", "CH", "AT", "IE", "SE", "AU", "NZ", "IN")


def find_phones(text: str) -> Iterator[Span]:
    for match in _INTERNATIONAL.finditer(text):
        if _SIGNED_DECIMAL.fullmatch(match.group()):
            continue
        for end in _group_ends(match):
            written = text[match.start() : end]
            if not _DECIMALS.match(text, end) and _valid_international(written):
                yield Span(match.start(), end, "phone")
                break
    for match in _NANP.finditer(text):
        if _valid_in(match.group(), ("US", "CA")):
            yield Span(match.start(), match.end(), "phone")
    for match in _NATIONAL.finditer(text):
        if match["sep"] == "." and match.group().count(".") < 2:
            continue
        if _NOT_A_PHONE.fullmatch(match.group()):
            continue
        for end in _group_ends(match):
            if _valid_national(text[match.start() : end]):
                yield Span(match.start(), end, "phone")
                break


def _group_ends(match: re.Match[str]) -> list[int]:
    """Where the number may end, longest first: a greedy match can run into a following
    number ("+44 20 7946 0958 4111 ..."), so it is cut back group by group."""
    ends, digits = [], 0
    for run in _DIGIT_RUN.finditer(match.group()):
        digits += len(run.group())
        if digits > _MOST_DIGITS:
            break
        if digits >= 7:
            ends.append(match.start() + run.end())
    return ends[::-1]


def _valid_international(written: str) -> bool:
    lib = _phonenumbers()
    digits = re.sub(r"\D", "", written)
    exit_code = "011" if written.startswith("011") else "00" if written.startswith("00") else ""
    try:
        number = lib.parse("+" + digits[len(exit_code) :], None)
    except lib.NumberParseException:
        return False
    return bool(lib.is_valid_number(number))


def _valid_in(written: str, regions: tuple[str, ...]) -> bool:
    lib = _phonenumbers()
    for region in regions:
        try:
            number = lib.parse(written, region)
        except lib.NumberParseException:
            continue
        if lib.is_valid_number_for_region(number, region):
            return True
    return False


def _valid_national(written: str) -> bool:
    """Valid in one of the trunk-0 countries: the digits after the 0 are the national
    significant number in each of them, so the number is built once per country."""
    lib = _phonenumbers()
    national = int(re.sub(r"\D", "", written))
    for region in _TRUNK_ZERO_REGIONS:
        number = lib.PhoneNumber(
            country_code=lib.country_code_for_region(region), national_number=national
        )
        if lib.is_valid_number_for_region(number, region):
            return True
    return False


@cache
def _phonenumbers() -> Any:
    """The library, imported on first use (its metadata is large)."""
    import phonenumbers

    return phonenumbers
