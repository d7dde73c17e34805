"""Personal-data detectors: tables of values that must be found and text that must not."""

from __future__ import annotations

import pytest

from assistant.guardrails.detectors import find_pii, iban_valid, luhn_valid


def found(text: str) -> list[tuple[str, str]]:
    return sorted((s.kind, text[s.start : s.end]) for s in find_pii(text))


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("bob.smith@example.co.uk", "email"),
        ("first+tag@mail.example.org", "email"),
        ("+1 (415) 555-2671", "phone"),
        ("+44 20 7946 0958", "phone"),
        ("+49 30 12345678", "phone"),
        ("+33 1 23 45 67 89", "phone"),
        ("+14155552671", "phone"),
        ("(415) 555-2671", "phone"),
        ("415-555-2671", "phone"),
        ("415.555.2671", "phone"),
        ("020 7946 0958", "phone"),
        ("07700 900123", "phone"),
        ("01 23 45 67 89", "phone"),
        ("4111 1111 1111 1111", "card"),
        ("4111-1111-1111-1111", "card"),
        ("5555555555554444", "card"),
        ("378282246310005", "card"),
        ("3782 822463 10005", "card"),
        ("GB82 WEST 1234 5698 7654 32", "iban"),
        ("GB82WEST12345698765432", "iban"),
        ("DE89370400440532013000", "iban"),
        ("FR14 2004 1010 0505 0001 3M02 606", "iban"),
        ("NL91ABNA0417164300", "iban"),
        ("123-45-6789", "ssn"),
        ("AB 12 34 56 C", "uk_nino"),
        ("AB123456C", "uk_nino"),
        ("192.168.1.20", "ip"),
        ("8.8.8.8", "ip"),
        ("2a00:1450:4009:81f::200e", "ip"),
        ("2a02:0c7f:85a3:0000:0000:8a2e:0370:7334", "ip"),
    ],
)
def test_value_is_found_whole_inside_a_sentence(value: str, kind: str) -> None:
    text = f"Contact: {value}, thanks."
    assert (kind, value) in found(text)
    # Other shapes may match part of the value (the redactor keeps the longest), never more.
    start = text.index(value)
    assert all(start <= s.start and s.end <= start + len(value) for s in find_pii(text))


@pytest.mark.parametrize(
    "text",
    [
        "Released in 2019; version 1.2.3 fixed 1234567890 bugs on 2024-01-15.",
        "The range 2019-2020 and the time 12:30:45 and 3.14159.",
        "Commit 3f2a9c1b7d4e5f60718293a4b5c6d7e8f9012345 fixed it.",
        "UUID 123e4567-e89b-12d3-a456-426614174000 names the run.",
        "Listen on 127.0.0.1:8080 or 0.0.0.0 with netmask 255.255.255.0; ::1 is loopback.",
        "Windows 10.0.19041.1 and version 1.2.3.4 and v2.10.0.1 are builds.",
        "999.1.1.1 is not an address, and neither is 1.2.3.",
        "MAC 00:1A:2B:3C:4D:5E and std::vector<int> and a::b::c.",
        "ISBN 978-3-16-148410-0, page 1234, line 56.",
        "The price was 1,234,567.89 for 10 000 units.",
        "Card-like but wrong: 4111 1111 1111 1112 and 4111-1111 1111-1111.",
        "A timestamp in ns: 1700000000000000000.",
        "Never issued: 000-12-3456, 666-12-3456, 900-12-3456, 123-00-4567, 123-45-0000.",
        "IBAN-like but wrong: GB82 WEST 1234 5698 7654 33 and XX12 3456 7890 1234.",
        "Call 911 or 112 in an emergency.",
        "npm install left-pad@1.3.0 and @types/node.",
        "git clone git@github.com:pydantic/pydantic-core.git",
        "The ratio 1:2:3 and the score 3-2-1.",
        "Examples use 192.0.2.130, 198.51.100.7, 203.0.113.9 and 2001:db8::8a2e:370:7334.",
        "Decimal('+35236450.6') and +1.5e10 are signed numbers.",
        "Networks 10.0.0.0/8, 172.16.0.0/12, 224.0.0.1, 169.254.1.1 and 192.168.1.255.",
        "Row: 2 3 0 0 0 2 0 2 0 2 0 0 0 0 0 0 0 0 0; ratio 0.4111111111111111.",
    ],
)
def test_ordinary_text_has_no_personal_data(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("digits", "valid"),
    [("4111111111111111", True), ("4111111111111112", False), ("79927398713", True)],
)
def test_luhn(digits: str, valid: bool) -> None:
    assert luhn_valid(digits) is valid


@pytest.mark.parametrize(
    ("iban", "valid"),
    [
        ("GB82WEST12345698765432", True),
        ("GB82WEST12345698765433", False),
        ("GB82WEST1234569876543", False),  # one character short for GB
        ("ZZ82WEST12345698765432", False),  # no such country
    ],
)
def test_iban_check(iban: str, valid: bool) -> None:
    assert iban_valid(iban) is valid
