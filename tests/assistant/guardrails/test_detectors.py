"""Personal-data detectors: tables of values that must be found and text that must not."""

from __future__ import annotations

import pytest

from assistant.guardrails.detectors import find_pii


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
        ("07911 123456", "phone"),
        ("0044 20 7946 0958", "phone"),
        ("011 44 20 7946 0958", "phone"),
        ("01.23.45.67.89", "phone"),
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
        ("2 95 10 99 126 111 93", "national_id"),  # France, NIR
        ("54362315K", "national_id"),  # Spain, DNI
        ("X2482300W", "national_id"),  # Spain, NIE
        ("RCCMNL83S18D969H", "national_id"),  # Italy, codice fiscale
        ("756.9217.0769.85", "national_id"),  # Switzerland, AHV
        ("85.07.30-033.28", "national_id"),  # Belgium, national number
        ("880320-0016", "national_id"),  # Sweden, personnummer
        ("131052-308T", "national_id"),  # Finland, HETU
        ("390.533.447-05", "national_id"),  # Brazil, CPF
        ("6433435F", "national_id"),  # Ireland, PPS
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
    ("text", "value"),
    [
        ("Steuer-ID: 36 574 261 809", "36 574 261 809"),
        ("Meine Steueridentifikationsnummer lautet 36574261809.", "36574261809"),
        ("BSN 111222333", "111222333"),
        ("burgerservicenummer: 1112.22.333", "1112.22.333"),
        ("Aadhaar no. 2341 2341 2346", "2341 2341 2346"),
        ("PESEL: 44051401359", "44051401359"),
        ("CPR-nummer 211062-5629", "211062-5629"),
        ("fødselsnummer 15108695088", "15108695088"),
        ("NHS number 943 476 5919", "943 476 5919"),
        ("Social insurance number 130 692 544", "130 692 544"),
    ],
)
def test_weakly_checked_numbers_are_found_when_named(text: str, value: str) -> None:
    assert ("national_id", value) in found(text)


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
        "Order 111222333 shipped; invoice 36574261809; batch 2341 2341 2346.",
        "Years 2019 2020 2021 2022 and 2341 2342 2343.",
        "NIR-like but wrong key: 2 95 10 99 126 111 94. DNI-like: 54362315A.",
        "product(range(2), repeat=3) --> 000 001 010 011 100 101 110 111",
        "Fibonacci: 233 377 610 987 1597 2584.",
        "At 15:17:08.123456 the value 4551.950730698041 was read.",
        "Woolworth's sample card: 078-05-1120 was never a valid SSN.",
        "Call +1 2 3 4 5 6 7 8 or 1234567890 (not valid numbers).",
        "Free Software Foundation, 51 Franklin St, Boston, MA 02110-1301 USA.",
        "Released 03-03-2022, 05.18.2022 and 02/07/2022.",
        "Fixed in commit 2183683b; build 12345678a; libfoo (1.7.6.6-1) and 2.10.0.27~rc1.",
    ],
)
def test_ordinary_text_has_no_personal_data(text: str) -> None:
    assert found(text) == []
