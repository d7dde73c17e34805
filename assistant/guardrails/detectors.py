"""Personal data found in text: each detector yields the spans it is sure about.

Every detector is a regular expression for the shape plus a check of the value where one
exists (Luhn for cards, the ISO 13616 check and national formats for IBANs, python-stdnum for
identity numbers, libphonenumber for phone numbers, number ranges for IP addresses), because
a shape alone matches too much ordinary text: years, versions, dates and identifiers.

The text is expected as `normalise` leaves it (see `normalise.py`): NFKC, no invisible
characters, single spaces, look-alike letters folded to ASCII.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator

from assistant.guardrails.national_ids import find_national_ids
from assistant.guardrails.phones import find_phones
from assistant.guardrails.spans import Span

_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w-])"
)

# Addresses written to dodge harvesters: "bob [at] example [dot] com", "bob(at)example.com",
# "bob @ example.com", and in plain words, "bob at example dot com" (only with a common
# top-level domain, so "look at example.com" or "at a dot b" stay prose).
_LOCAL_PART = r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*"
_LABEL = r"[A-Za-z0-9][A-Za-z0-9-]*"
_BRACKETED = r"\s?[\[({{<]\s?{word}\s?[\])}}>]\s?"
_AT = "(?:" + _BRACKETED.format(word="at") + r"|\s@\s?|@\s)"
_DOT = "(?:" + _BRACKETED.format(word="dot") + r"|\.|\sdot\s)"
_COMMON_TLDS = "com|org|net|edu|gov|io|co|uk|de|fr|es|it|nl|eu|info|me|us|ca|au|ch|be|at|in"
_OBFUSCATED_EMAILS = (
    re.compile(
        rf"{_LOCAL_PART}{_AT}{_LABEL}(?:{_DOT}{_LABEL})*{_DOT}[A-Za-z]{{2,24}}(?![\w-])",
        re.IGNORECASE,
    ),
    re.compile(
        rf"{_LOCAL_PART}\sat\s{_LABEL}(?:\sdot\s{_LABEL})*\sdot\s(?:{_COMMON_TLDS})(?![\w-])",
        re.IGNORECASE,
    ),
)
_OBFUSCATION_HINT = re.compile(r"[\[({<] ?at ?[\])}>]|\sat\s\S+\sdot\s|\s@|@\s")
_URL_USER = re.compile(r"://[^\s/@:]*:$")
_NUMBER_START = re.compile(r"(?<![\w.,-])\d")
_CARD = re.compile(r"\d(?:[ .-]?\d){12,18}(?![\w-]|\.\d)")
_IBAN_START = re.compile(r"\b([A-Za-z]{2})(\d{2})(?=[ ]?[A-Za-z0-9])")
_NINO = re.compile(
    r"\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r"(?: ?\d{2}){3} ?[A-D]\b"
)
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
# Not a Debian-style version: "1.7.6.6-1", "2.10.0.27~rc1".
_IPV4 = re.compile(rf"(?<![\w.])(?:{_OCTET}\.){{3}}{_OCTET}(?![\w~]|\.\d|-\d)")
_DOCUMENTATION_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
)
_VERSION_BEFORE = re.compile(r"(?:\bv|\bversion\s*|\bver\.?\s*|\brelease\s*)$", re.IGNORECASE)
_IPV6 = re.compile(
    r"(?<![\w:.])(?=[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:)[0-9A-Fa-f:]{2,39}(?:\.\d{1,3}){0,3}(?![\w:])"
)

# Lengths of the IBANs of the countries that use them most (ISO 13616 registry): where a
# candidate ends; python-stdnum then checks the country's format and the check digits.
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AT": 20, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20, "ES": 24, "FI": 18,
    "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "HR": 21,
    "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "KW": 30, "KZ": 20, "LB": 28,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18, "NO": 15,
    "PK": 24, "PL": 28, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24,
    "SI": 19, "SK": 24, "SM": 27, "TR": 26, "UA": 29,
}  # fmt: skip


def find_pii(text: str) -> list[Span]:
    """Every personal-data span in `text`; spans may overlap (the caller resolves that)."""
    return [span for detector in _DETECTORS for span in detector(text)]


def _emails(text: str) -> Iterator[Span]:
    """Addresses, except `git@host` SSH remotes, which name a service, not a person, and
    `password@host` in a URL (`postgres://admin:password@host`), a credential."""
    if "@" in text:
        for match in _EMAIL.finditer(text):
            in_url = _URL_USER.search(text, max(0, match.start() - 80), match.start())
            if not match.group().startswith("git@") and not in_url:
                yield Span(match.start(), match.end(), "email")
    if _OBFUSCATION_HINT.search(text.lower()):
        for pattern in _OBFUSCATED_EMAILS:
            for match in pattern.finditer(text):
                yield Span(match.start(), match.end(), "email")


def _cards(text: str) -> Iterator[Span]:
    """Tried from the start of every number, so a number just before a card (a phone, an
    order id) cannot hide it."""
    resume = 0
    for start in _NUMBER_START.finditer(text):
        if start.start() < resume:
            continue
        match = _CARD.match(text, start.start())
        if match and _is_card(match.group()):
            resume = match.end()
            yield Span(match.start(), match.end(), "card")


def _is_card(value: str) -> bool:
    """Written whole or in three or more groups of 3 or more digits (4-4-4-4, 4-6-5) with one
    kind of separator, a known issuer prefix and the Luhn check; a run of single digits is a
    table row and "4551.950730698041" a decimal number, not a card."""
    from stdnum import luhn

    digits = re.sub(r"\D", "", value)
    groups = re.split(r"[ .-]", value)
    one_kind_of_separator = len(set(re.sub(r"\d", "", value))) <= 1
    return (
        one_kind_of_separator
        and len(groups) != 2
        and all(len(group) >= 3 for group in groups)
        and _known_card_prefix(digits)
        and luhn.is_valid(digits)
    )


def _known_card_prefix(digits: str) -> bool:
    """Issuer ranges of Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro."""
    two, four = int(digits[:2]), int(digits[:4])
    return (
        digits[0] == "4"
        or 51 <= two <= 55
        or 2221 <= four <= 2720
        or two in (34, 37, 36, 38, 39, 62, 65)
        or 300 <= int(digits[:3]) <= 305
        or 3528 <= four <= 3589
        or digits.startswith(("6011", "644", "645", "646", "647", "648", "649"))
        or two in (50, 56, 57, 58, 63, 67)
    )


def _ibans(text: str) -> Iterator[Span]:
    """Upper or lower case, compact or in groups of four."""
    from stdnum import iban

    for match in _IBAN_START.finditer(text):
        length = _IBAN_LENGTHS.get(match.group(1).upper())
        if length is None:
            continue
        end = _take_alnum(text, match.start(), length)
        if end is None or (end < len(text) and text[end].isalnum()):
            continue
        if iban.is_valid(text[match.start() : end].replace(" ", "").upper()):
            yield Span(match.start(), end, "iban")


def _take_alnum(text: str, start: int, count: int) -> int | None:
    """End of `count` letters and digits from `start`, allowing single spaces between."""
    index, taken = start, 0
    while taken < count:
        if index < len(text) and text[index] == " " and taken and taken % 4 == 0:
            index += 1
        if index >= len(text) or not (text[index].isascii() and text[index].isalnum()):
            return None
        index += 1
        taken += 1
    return index


def _ninos(text: str) -> Iterator[Span]:
    for match in _NINO.finditer(text):
        yield Span(match.start(), match.end(), "uk_nino")


def _ips(text: str) -> Iterator[Span]:
    """IPv4 and IPv6 addresses of hosts; loopback, unspecified, multicast, link-local and
    reserved addresses, netmasks, network and broadcast addresses (x.x.x.0, x.x.x.255) and
    the ranges for documentation say nothing about a person and fill setup guides."""
    for match in _IPV4.finditer(text):
        if _VERSION_BEFORE.search(text, max(0, match.start() - 12), match.start()):
            continue
        if _is_personal_address(ipaddress.IPv4Address(match.group())):
            yield Span(match.start(), match.end(), "ip")
    for match in _IPV6.finditer(text):
        value = match.group()
        try:
            address = ipaddress.IPv6Address(value)
        except ValueError:
            continue
        looks_like_address = value.count(":") >= 3 and any(char.isdigit() for char in value)
        if looks_like_address and _is_personal_address(address):
            yield Span(match.start(), match.end(), "ip")


def _is_personal_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if address.is_loopback or address.is_unspecified or address.is_multicast:
        return False
    if address.is_link_local or address.is_reserved:
        return False
    if any(address in network for network in _DOCUMENTATION_NETWORKS):
        return False
    if isinstance(address, ipaddress.IPv4Address):
        bits = int(address)
        inverted = ~bits & 0xFFFFFFFF
        is_netmask = bits >> 24 == 0xFF and (inverted & (inverted + 1)) == 0
        is_network_or_broadcast = bits & 0xFF in (0, 0xFF)
        return not (is_netmask or is_network_or_broadcast)
    return True


_DETECTORS: tuple[Callable[[str], Iterator[Span]], ...] = (
    _emails,
    _cards,
    _ibans,
    find_national_ids,
    _ninos,
    _ips,
    find_phones,
)
