"""Secret detectors: our own formats and the detect-secrets plugins, on real-shaped values.

Values are assembled from parts so that this file does not itself hold a token.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import pytest

from assistant.guardrails.pii import Redactor
from assistant.guardrails.secret_keys import find_secrets


def b64url(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


JWT = ".".join([b64url({"alg": "HS256", "typ": "JWT"}), b64url({"sub": "1234567890"}), "S" * 43])
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx\nq8Zb+Qo==\n-----END RSA PRIVATE KEY-----"


def found(text: str) -> list[tuple[str, str]]:
    return sorted((s.kind, text[s.start : s.end]) for s in find_secrets(text))


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("sk-" + "proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", "api_key"),
        ("sk-" + "ant-" + "api03-AbC123dEf456GhI789jKl012MnO345", "api_key"),
        ("sk-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", "api_key"),
        ("ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8", "api_key"),
        ("github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789", "api_key"),
        ("AKIA" + "IOSFODNN7EXAMPLE", "api_key"),
        ("xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "api_key"),
        ("hf_" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "api_key"),
        ("AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", "api_key"),
        ("sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc", "api_key"),  # detect-secrets: Stripe
        ("glpat-" + "Ab3dEf6hIj9kLm2nOp5q", "api_key"),  # detect-secrets: GitLab
        (JWT, "jwt"),
        (PEM, "private_key"),
    ],
)
def test_token_is_found_whole(value: str, kind: str) -> None:
    assert (kind, value) in found(f"The value is {value} (keep it safe).")


def test_whole_private_key_block_is_one_span_even_when_cut_by_chunking() -> None:
    base64_line = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW"
    begin_only = f"key:\n-----BEGIN OPENSSH PRIVATE KEY-----\n{base64_line}\nAAAABG5vbmU="
    assert found(begin_only) == [("private_key", begin_only[5:])]
    encrypted = (
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,AB12\n"
        f"\n{base64_line}\n{base64_line}"
    )
    assert found(f"{encrypted}\n\nThe next paragraph stays.") == [("private_key", encrypted)]
    end_only = "AAAAB3NzaC1yc2EAAAADAQAB\nq8ZbQoAAAAAAAAAAAAAAA==\n-----END PRIVATE KEY-----\nok"
    assert found(end_only) == [("private_key", end_only[: end_only.index("\nok")])]


def test_aws_secret_next_to_its_name() -> None:
    secret = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY"
    text = f"aws_secret_access_key = {secret}\n"
    assert ("api_key", secret) in found(text)


@pytest.mark.parametrize(
    ("line", "value", "kind"),
    [
        ('password = "hunter2x"', "hunter2x", "password"),
        ("db_pass: 'Tr0ub4dor&3'", "Tr0ub4dor&3", "password"),
        ('api_key = "abcd1234efgh5678"', "abcd1234efgh5678", "secret"),
        ("DB_PASSWORD=hunter2x", "hunter2x", "password"),
        ("export GITHUB_TOKEN=Zq81mXv0Lr5t", "Zq81mXv0Lr5t", "secret"),
        ("  OPENAI_API_KEY = 'a1b2c3d4e5f6'", "a1b2c3d4e5f6", "secret"),
    ],
)
def test_assignments_in_code_and_env_files(line: str, value: str, kind: str) -> None:
    assert set(found(line)) == {(kind, value)}


@pytest.mark.parametrize(
    "text",
    [
        "Commit 3f2a9c1b7d4e5f60718293a4b5c6d7e8f9012345 fixed the leak.",
        "sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "UUID 123e4567-e89b-12d3-a456-426614174000",
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4",
        "Use sk-learn-compatible-estimators-everywhere in the docs.",
        "A JWT has the form eyJhbGciOiJub25lIn0.payloadpart.signature and more.",
        "eyJub3RqdXN0b24.eyJzdWIiOiIxIn0.c2lnbmF0dXJlcw",
        'password = "changeme"',
        'password = "<your password>"',
        'token = "${GITHUB_TOKEN}"',
        "api_key_prefix['ApiKeyAuth'] = 'Bearer'",
        'client = OpenAI(api_key="My API Key")',
        "The password is required; set it with `margin keys set`.",
        "Password: at least 8 characters, and a token: see below.",
        "DB_PASSWORD=${DB_PASSWORD}\nAPI_KEY=your-key-here\nSECRET=changeme\nTOKEN=<token>",
        "MAX_TOKENS=100000\nTOKENIZER_PATH=/models/tokenizer.json\nPASSWORD_MIN_LENGTH=12",
        "ERRORTOKEN = token.ERRORTOKEN\nPASSWD = getpass.getpass(prompt)",
        "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n",
        "The GitHub prefix ghp_ marks a personal token.",
        "The slug task-Ab3dEf6hIj9kLm2nOp5qRs8tUv names a job, not a key.",
    ],
)
def test_ordinary_text_has_no_secrets(text: str) -> None:
    assert found(text) == []


PGP_LINE = "lQOYBGNhbWUBCAC7" + "x" * 48
PGP = (
    "-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n"
    f"{PGP_LINE}\n{PGP_LINE}\n=Zx9q\n-----END PGP PRIVATE KEY BLOCK-----"
)


def test_pgp_private_key_block_is_one_span_whole_or_cut_by_chunking() -> None:
    begin_only = PGP[: PGP.index("\n=Zx9q")]
    end_only = PGP[PGP.index(PGP_LINE) :]
    for block in (PGP, begin_only, end_only):
        redactor = Redactor()
        assert redactor.redact(f"My key:\n{block}\n\nNext.") == "My key:\n[PRIVATE_KEY_1]\n\nNext."


def test_prose_is_checked_without_importing_detect_secrets() -> None:
    """Its plugins are needed only on a line with a token-like run or a quoted value; a
    question without either (most) is checked by margin's own patterns alone."""
    probe = (
        "import json, sys\n"
        "from assistant.guardrails.secret_keys import find_secrets\n"
        "prose = find_secrets('How does margin keep API keys safe?')\n"
        "before = 'detect_secrets' in sys.modules\n"
        "quoted = find_secrets('password = \"Zq8wLm3vTx\"')\n"
        "print(json.dumps([len(prose), before, sorted({s.kind for s in quoted})]))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == [0, False, ["password"]]
