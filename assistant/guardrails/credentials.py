"""Secrets found by what they are called: passwords and tokens given a name in a config
snippet, a shell line, an HTTP header or a sentence.

- assignments in config files: `password = Hunter2Frob!` (TOML, INI), `db_password:
  S3cretFrobPw` (YAML), `"password": "..."` (JSON), `DB_PASSWORD=...` (.env, shell);
- prose: "My password: Winter2024!", "the password is Winter2024!", also in French, German,
  Spanish, Dutch and Portuguese;
- `Authorization: Bearer|Basic|Token ...` headers, and `Bearer <token>` on its own;
- credentials in a URL (`postgres://admin:S3cret@db/prod`);
- an AWS secret access key named as one in prose ("the AWS secret key is wJalr...").

A named value is masked only when it looks like a secret: at least six characters with a
digit or a symbol, and not a placeholder (`${DB_PASSWORD}`, `<password>`, `changeme`,
`********`), a code expression (`getpass.getpass()`, `os.environ["PW"]`) or a plain word
("Password: at least 8 characters" names a rule, not a password).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.guardrails.spans import Span

_MIN_VALUE = 6
# "pass" alone is an English verb ("pass :c:expr:`x` args"): only as part of a name (db_pass).
_PASSWORD_WORDS = (
    r"(?<=[_.-])pass|pass(?:word|wd|phrase)|pwd|passwort|kennwort|mot\s+de\s+passe"
    r"|contrase(?:ñ|n)a|senha|wachtwoord|clave"
)
_SECRET_WORDS = r"secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?"
# A name that ends in a secret word (`db_password`, `API_TOKEN`, `"password"`), then `=` or
# `:`, then the value up to the end of the value (quotes, spaces, a comma or a brace).
# A name right after ":" is a reST role (":token:`expression`"), not a setting.
_ASSIGNMENT = re.compile(
    rf"(?<![\w:-])[\"']?(?P<name>[\w.-]*?(?P<word>{_PASSWORD_WORDS}|{_SECRET_WORDS}))[\"']?"
    r"[ \t]*(?::|=|:=|=>)[ \t]*"
    r"(?:(?P<quote>[\"'`])(?P<quoted>[^\"'`\n]{1,200})(?P=quote)|(?P<bare>[^\s\"'`,;{}]{1,200}))",
    re.IGNORECASE,
)
_PROSE = re.compile(
    rf"\b(?P<word>{_PASSWORD_WORDS})\s+(?:is|was|=|est|ist|es|é|is\s+now|remains)\s*:?\s*"
    r"[\"'“«]?(?P<value>[^\s\"'”»]{6,200})",
    re.IGNORECASE,
)
_AUTHORIZATION = re.compile(
    r"\b(?:authorization|proxy-authorization)[\"']?\s*[:=]\s*[\"']?"
    r"(?:(?:bearer|basic|token|digest|apikey)\s+)?(?P<value>[A-Za-z0-9._~+/=-]{8,})"
    r"|\bbearer\s+(?P<bearer>[A-Za-z0-9._~+/-]{16,}=*)",
    re.IGNORECASE,
)
# Searched in the lower-cased text (much faster than a case-insensitive search).
_HINT = re.compile(
    r"pass|pwd|secret|token|key|auth|credential|senha|clave|kennwort|wachtwoord|contrase"
)
_URL_CREDENTIALS = re.compile(r"://[^\s:/@]{1,64}:(?P<value>[^\s/@]{1,128})@")
_AWS_SECRET = re.compile(
    r"(?<![A-Za-z])aws(?![A-Za-z]).{0,30}?secret.{0,40}?(?<![A-Za-z0-9/+])(?P<value>[A-Za-z0-9/+]{40})"
    r"(?![A-Za-z0-9/+])",
    re.IGNORECASE | re.DOTALL,
)
_PLACEHOLDER = re.compile(
    r"[<>{}$*%\[\]]|^(.)\1*$|\.\.\.|:$|^(?:changeme|pass|password|secret|example|none|null|true|false"
    r"|required|optional|your[-_].*|.*here|xxx+.*)$"
    r"|^(?-i:[A-Z_:.-]+)$",  # VALUE, ID:VALUE: the upper-case name of a value
    re.IGNORECASE,
)
# Not a value: a call, an index, a dotted or plain name (`os.environ`, `get_pw()`), a path
# (`/SetCredential=`), or an IPv6 suffix or C++ scope (`Token=static:::1a:2b`).
_EXPRESSION = re.compile(r"[()\[\]]|::|^[/~]|^[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)+$|^[A-Za-z_]+$")


def find_credentials(text: str) -> Iterator[Span]:
    """Every named password or token in `text` that looks like a real one."""
    lower = text.lower()
    for start, end in _hinted_lines(lower):
        yield from _named(text, start, end)
    if "auth" in lower or "bearer" in lower:
        yield from _tokens(text)
    if "://" in text:
        for match in _URL_CREDENTIALS.finditer(text):
            if not _PLACEHOLDER.search(match["value"]):
                yield Span(match.start("value"), match.end("value"), "password")
    if "aws" in lower:
        for match in _AWS_SECRET.finditer(text):
            value = match["value"]
            if any(c.isupper() for c in value) and any(c.islower() for c in value):
                yield Span(match.start("value"), match.end("value"), "api_key")


def _hinted_lines(text: str) -> list[tuple[int, int]]:
    """Start and end of each line of the lower-cased `text` that names a password or a
    secret (few lines do)."""
    lines: list[tuple[int, int]] = []
    for hint in _HINT.finditer(text):
        if lines and hint.start() < lines[-1][1]:
            continue
        start = text.rfind("\n", 0, hint.start()) + 1
        end = text.find("\n", hint.end())
        lines.append((start, len(text) if end < 0 else end))
    return lines


def _named(text: str, start: int, end: int) -> Iterator[Span]:
    for match in _ASSIGNMENT.finditer(text, start, end):
        group = "quoted" if match["quoted"] is not None else "bare"
        value = match[group] if group == "quoted" else match[group].rstrip(".,;")
        if looks_like_secret(value, quoted=group == "quoted"):
            yield Span(match.start(group), match.start(group) + len(value), _kind(match["word"]))
    for match in _PROSE.finditer(text, start, end):
        value = match["value"].rstrip(".,;:?)")
        if looks_like_secret(value, quoted=False):
            yield Span(match.start("value"), match.start("value") + len(value), "password")


def _tokens(text: str) -> Iterator[Span]:
    for match in _AUTHORIZATION.finditer(text):
        group = "value" if match["value"] is not None else "bearer"
        if _looks_like_token(match[group]):
            yield Span(match.start(group), match.end(group), "secret")


def _looks_like_token(value: str) -> bool:
    """Random enough to be a token: a digit, or upper and lower case in 16 or more
    characters ("Bearer YOUR_TOKEN" and "Bearer authentication" are not)."""
    if _PLACEHOLDER.search(value):
        return False
    mixed = any(c.isupper() for c in value) and any(c.islower() for c in value)
    return any(c.isdigit() for c in value) or (mixed and len(value) >= 16)


def _kind(word: str) -> str:
    return "secret" if re.fullmatch(_SECRET_WORDS, word, re.IGNORECASE) else "password"


def looks_like_secret(value: str, *, quoted: bool) -> bool:
    """A value given to a secret-like name that is not a placeholder, code (unless quoted) or
    a label: long enough, with a digit or a symbol ("hunter2", "Tr0ub4dor&3"), unlike
    "Bearer" or "My API Key"."""
    if len(value) < _MIN_VALUE or _PLACEHOLDER.search(value):
        return False
    if not quoted and _EXPRESSION.search(value):
        return False
    return any(
        char.isdigit() or (char.isascii() and not (char.isalpha() or char in " -_"))
        for char in value
    )
