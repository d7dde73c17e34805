from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.guardrails.pii import Redactor

EMAIL = "bob.smith@example.co.uk"
OTHER_EMAIL = "alice@example.org"
PHONE = "+44 20 7946 0958"
CARD = "4111 1111 1111 1111"
KEY = "sk-" + "proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"

BENIGN = [
    # git documentation: hashes, ranges, versions
    "Run `git log --oneline` to see commits such as 3f2a9c1 and 9fceb02d0ae598e95dc970b74767f1"
    "9372d61af8. `git rebase -i HEAD~3` rewrites the last 3 commits (git 2.43.0, 2023-11-20).",
    # a README
    "margin needs Python 3.11 and about 500 MB of disk. Start the server on 127.0.0.1:8080, "
    "then open http://localhost:8080/docs. Ignore the build folder. See issue #1234.",
    # a report
    "Revenue grew 17% to $2,350,000 in Q3 2019, up from 1,980,000 in 2018; 4 of 12 regions "
    "missed the target of 250 units. Table 3.2 lists them; see page 45.",
    # identifiers
    "Run 123e4567-e89b-12d3-a456-426614174000 used seed 42 and sha256 e3b0c44298fc1c149afb"
    "f4c8996fb92427ae41e4649b934ca495991b7852b855.",
]


@pytest.mark.parametrize("text", BENIGN)
def test_benign_prose_is_left_alone(text: str) -> None:
    redactor = Redactor()
    assert redactor.redact(text) == text
    assert redactor.findings == []


def test_values_get_numbered_placeholders_by_kind() -> None:
    redactor = Redactor()
    text = f"Mail {EMAIL} or {OTHER_EMAIL}, call {PHONE}, pay with {CARD}, key {KEY}."
    assert redactor.redact(text) == (
        "Mail [EMAIL_1] or [EMAIL_2], call [PHONE_1], pay with [CARD_1], key [API_KEY_1]."
    )
    assert redactor.counts_by_kind() == {"email": 2, "phone": 1, "card": 1, "api_key": 1}


def test_same_value_same_placeholder_across_texts() -> None:
    redactor = Redactor()
    first = redactor.redact(f"Question about {EMAIL}?")
    second = redactor.redact(f"Source: {OTHER_EMAIL} wrote to {EMAIL}.")
    assert first == "Question about [EMAIL_1]?"
    assert second == "Source: [EMAIL_2] wrote to [EMAIL_1]."
    assert redactor.counts_by_kind() == {"email": 3}


def test_longest_overlapping_value_wins() -> None:
    redactor = Redactor()
    assert redactor.redact("Call +1 (415) 555-2671 now") == "Call [PHONE_1] now"
    url = "https://admin:" + "s3cretPassw0rd" + "@db.example.com/prod"
    assert "s3cretPassw0rd" not in redactor.redact(url)


def test_restore_puts_originals_back() -> None:
    redactor = Redactor()
    redacted = redactor.redact(f"{EMAIL} and {CARD}")
    assert redactor.restore(redacted) == f"{EMAIL} and {CARD}"


@pytest.mark.parametrize(
    "mangled",
    ["[EMAIL_1]", "EMAIL_1", "[EMAIL_1", "EMAIL_1]", "[email_1]", "[EMAIL 1]", "[[EMAIL_1]]",
     "EMAIL\\_1", "[ EMAIL_1 ]", "[EMAIL-1]"],
)  # fmt: skip
def test_restore_tolerates_mangled_placeholders(mangled: str) -> None:
    redactor = Redactor()
    redactor.redact(f"write to {EMAIL}")
    assert redactor.restore(f"Write to {mangled}.") == f"Write to {EMAIL}."


def test_restore_leaves_unknown_placeholders_and_words() -> None:
    redactor = Redactor()
    redactor.redact(f"write to {EMAIL}")
    text = "[EMAIL_2], [PHONE_1], the email 1 field and EMAIL_10"
    assert redactor.restore(text) == text


def test_values_never_appear_in_findings_or_repr() -> None:
    redactor = Redactor()
    redactor.redact(f"{EMAIL} {KEY} {CARD}")
    shown = repr(redactor) + repr(redactor.findings) + repr(redactor.counts_by_kind())
    for value in (EMAIL, KEY, CARD, "4111"):
        assert value not in shown


def test_private_key_block_is_one_placeholder() -> None:
    pem = (
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nAAAA==\n"
        "-----END PRIVATE KEY-----"
    )
    redactor = Redactor()
    assert redactor.redact(f"key:\n{pem}\ndone") == "key:\n[PRIVATE_KEY_1]\ndone"


VALUES = [EMAIL, OTHER_EMAIL, PHONE, CARD, KEY, "GB82 WEST 1234 5698 7654 32", "192.168.1.20",
          "123-45-6789", "AB 12 34 56 C", "(415) 555-2671"]  # fmt: skip
FILLER = st.text(alphabet="abcdefgh xyz.,;:!?()\n-", max_size=12)


@settings(deadline=None)  # the first example pays for importing detect-secrets
@given(st.lists(st.one_of(st.sampled_from(VALUES), FILLER), max_size=12))
def test_round_trip_restores_exactly(parts: list[str]) -> None:
    text = " ".join(parts)
    redactor = Redactor()
    redacted = redactor.redact(text)
    for value in VALUES:
        assert value not in redacted
    assert redactor.restore(redacted) == text
