"""Passwords and tokens found by their name: config snippets, headers, prose.

Values are assembled from parts so that this file does not itself hold a credential.
"""

from __future__ import annotations

import pytest

from assistant.guardrails.pii import Redactor
from assistant.guardrails.secret_keys import find_secrets
from tests.red_team.hostile import AWS_SECRET, BEARER, FROB, HUNTER, WINTER

BASIC = "dXNlcjpwYXNz" + "d29yZDEyMw=="


def found(text: str) -> set[tuple[str, str]]:
    return {(s.kind, text[s.start : s.end]) for s in find_secrets(text)}


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        (f"[database]\npassword = {HUNTER}\nport = 5432", HUNTER, "password"),
        (f"[client]\nuser=app\npassword={HUNTER}\n", HUNTER, "password"),
        (f"database:\n  db_password: {FROB}\n  host: db", FROB, "password"),
        (f'{{"user": "app", "password": "{FROB}"}}', FROB, "password"),
        (f"DB_PASSWORD={FROB}", FROB, "password"),
        (f"export SERVICE_TOKEN={FROB}", FROB, "secret"),
        (f"My password: {WINTER}", WINTER, "password"),
        (f"my password is {WINTER} since Monday", WINTER, "password"),
        (f"Mot de passe : {WINTER}", WINTER, "password"),
        (f"Das Passwort ist {WINTER}", WINTER, "password"),
        (f"postgres://admin:{FROB}@db.example.com/prod", FROB, "password"),
        (f"Authorization: Bearer {BEARER}", BEARER, "secret"),
        ('curl -H "Authorization: Basic ' + BASIC + '"', BASIC, "secret"),
        (f"then send it with bearer {BEARER} in the header", BEARER, "secret"),
        (f"The AWS secret access key is {AWS_SECRET} for the backup.", AWS_SECRET, "api_key"),
        (f"aws_secret_access_key = {AWS_SECRET}", AWS_SECRET, "api_key"),
    ],
)  # fmt: skip
def test_named_secret_is_found(text: str, value: str, kind: str) -> None:
    assert (kind, value) in found(text)
    masked = Redactor().redact(text)
    assert value not in masked


@pytest.mark.parametrize(
    "text",
    [
        "password = getpass.getpass()",
        "pwd = os.getcwd()",
        'password = os.environ["DB_PASSWORD"]',
        "password: ${DB_PASSWORD}",
        "password = <your password>",
        "password: ********",
        "Password: at least 8 characters",
        "The password is required.",
        "Note that if you only pass :c:expr:`PyObject *` args, it works.",
        "The :token:`~python-grammar:expression_list` rule.",
        "phrase ``AUTH=CRAM-MD5``.",
        "Authorization: Bearer YOUR_TOKEN",
        "Bearer authentication is described in RFC 6750.",
        "postgres://user:pass@localhost/db",
        "max_tokens: 256\ntoken_limit: 100000",
        "The author = 'Guido van Rossum' line.",
        "--password CERTIFI\u2010\nCATE (a word hyphenated by man)",
        "ftp://[user[:pass]@]host[:port]/path",
        "Token=static:::1a:2b:3c:4d and the token: ::1a:2b:3c:4d",
        "Token=prefixstable:2002:da8:1::",
        "The credentials: see /SetCredential=. The auth_token = setting.",
        "secret = ID:VALUE, password: PASSWORD",
    ],
)
def test_code_placeholders_and_prose_are_left_alone(text: str) -> None:
    assert found(text) == set()
