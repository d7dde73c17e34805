"""API keys, tokens and private keys found in text.

Known token formats come from detect-secrets' offline regex plugins (GitHub, GitLab, AWS
access key ids, Slack, Stripe, npm, PyPI, SendGrid, Twilio, ...) and its keyword plugin
(`password = "..."`, `api_key: "..."`). Added here, because detect-secrets lacks or only
partly covers them: OpenAI (`sk-`, `sk-proj-`), Anthropic (`sk-ant-`), GitHub fine-grained
tokens, Hugging Face and Google API keys (also when a line break splits the key), JWTs whose
header and payload decode to JSON objects, whole PEM and PGP private-key blocks
(detect-secrets reports only the BEGIN line), also when chunking cut the block in two, and
Base64 blobs that decode to any of these. Secrets found by their name (passwords in config
snippets, `Authorization` headers) are in `credentials.py`.

Not used: detect-secrets' high-entropy plugins. On ordinary documents they flag git commit
hashes, checksums, UUIDs and Base64 examples; masking those would make answers about such
documents worse and protect nothing.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING

from assistant.guardrails.credentials import find_credentials, looks_like_secret
from assistant.guardrails.encoded import decoded_blobs
from assistant.guardrails.spans import Span

if TYPE_CHECKING:
    from detect_secrets.plugins.base import RegexBasedDetector
    from detect_secrets.plugins.keyword import KeywordDetector

_MIN_PLUGIN_VALUE = 12
# Every token format of the regex plugins has a run of at least 16 key characters with a
# digit in it (credentials in a URL are found in credentials.py); the keyword plugin (quotes
# required) needs a secret-like name and a quote. Checking first is much faster than running
# every pattern.
_TOKEN_RUN = re.compile(r"[\w+/=-]{16,}")
_KEYWORD_HINT = re.compile(r"key|pass|pwd|secret|contrase", re.IGNORECASE)
_QUOTE = re.compile("[\"'`]")
_PASSWORD_HINT = re.compile(r"pass(?:word|wd)?|pwd|contrase", re.IGNORECASE)

# Each alternative starts with a literal prefix, which keeps the scan fast; the left word
# boundary is checked on each match instead. A key wrapped onto the next line is taken whole
# when that line starts with the rest of it: key characters mixing digits, upper and lower
# case (the first word of an ordinary line does not).
_KEY_CHAR = "[A-Za-z0-9_-]"
_WRAPPED = (
    rf"(?:[ \t]*\n[ \t]*(?={_KEY_CHAR}*\d)(?={_KEY_CHAR}*[a-z])(?={_KEY_CHAR}*[A-Z])"
    rf"{_KEY_CHAR}{{8,}}(?!{_KEY_CHAR}))?"
)
_API_KEYS = re.compile(
    rf"sk-(?:ant-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{{8,}}{_WRAPPED}"
    rf"|github_pat_[A-Za-z0-9_]{{8,}}{_WRAPPED}"
    rf"|gh[pousr]_[A-Za-z0-9]{{8,}}{_WRAPPED}"
    rf"|hf_[A-Za-z0-9]{{8,}}{_WRAPPED}"
    r"|AIza[0-9A-Za-z_-]{35}"
    r"|(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b"
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"
    r"|https://hooks\.slack\.com/services/[A-Za-z0-9/]+",
    re.MULTILINE,
)
# The shortest each key can be once a wrapped line is joined back.
_LEAST_KEY_CHARS = {"sk-": 23, "github_pat_": 33, "gh": 40, "hf_": 33}
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
# A whole block; or, when chunking cut it, its BEGIN line with the header and Base64 lines
# that follow, or the Base64 lines before its END line.
# PGP armour ("PRIVATE KEY BLOCK") ends with a "=XXXX" checksum line.
_PEM_BLOCK = re.compile(
    r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
    r"(?:.*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
    r"|(?:\n[A-Za-z-]+:[^\n]*)*(?:\n(?=\n))?(?:\n[A-Za-z0-9+/]{40,}={0,2})*"
    r"(?:\n=?[A-Za-z0-9+/]+={0,2}$)?)"
    r"|(?:^=?[A-Za-z0-9+/=]{4,}[ \t]*\n)*(?:^[A-Za-z0-9+/=]{16,}[ \t]*\n)"
    r"(?:^=?[A-Za-z0-9+/=]{4,}[ \t]*\n)*-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----",
    re.DOTALL | re.MULTILINE,
)


def find_secrets(text: str) -> list[Span]:
    """Every secret span in `text`; spans may overlap (the caller resolves that)."""
    return [*_plain_secrets(text), *_encoded_secrets(text)]


def _plain_secrets(text: str) -> list[Span]:
    return [
        *_private_keys(text),
        *_jwts(text),
        *_own_keys(text),
        *find_credentials(text),
        *_detect_secrets(text),
    ]


def _encoded_secrets(text: str) -> Iterator[Span]:
    """A Base64 blob whose decoded text holds a secret is that kind of secret."""
    for match, decoded in decoded_blobs(text):
        inner = _plain_secrets(decoded)
        if inner:
            yield Span(match.start(), match.end(), inner[0].kind)


def _private_keys(text: str) -> Iterator[Span]:
    for match in _PEM_BLOCK.finditer(text):
        yield Span(match.start(), match.end(), "private_key")


def _jwts(text: str) -> Iterator[Span]:
    for match in _JWT.finditer(text):
        header, payload, _signature = match.group().split(".")
        if _decodes_to_json_object(header) and _decodes_to_json_object(payload):
            yield Span(match.start(), match.end(), "jwt")


def _decodes_to_json_object(part: str) -> bool:
    try:
        decoded = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        return isinstance(json.loads(decoded), dict)
    except (binascii.Error, ValueError):
        return False


def _own_keys(text: str) -> Iterator[Span]:
    for match in _API_KEYS.finditer(text):
        value = match.group()
        if match.start() and (text[match.start() - 1].isalnum() or text[match.start() - 1] in "_-"):
            continue
        joined = re.sub(r"\s", "", value)
        least = next((n for prefix, n in _LEAST_KEY_CHARS.items() if joined.startswith(prefix)), 0)
        if len(joined) < least:
            continue
        if value.startswith("sk-") and not _mixes_letters_and_digits(joined[3:]):
            continue
        yield Span(match.start(), match.end(), "api_key")


def _mixes_letters_and_digits(value: str) -> bool:
    """Real keys are random; a slug such as `sk-learn-compatible-estimators` is not."""
    return any(char.isdigit() for char in value) and any(char.isalpha() for char in value)


def _detect_secrets(text: str) -> Iterator[Span]:
    """Run detect-secrets line by line, each plugin only on lines that could hold its kind of
    value: a token line has a long run of key characters with a digit, a keyword line names
    a secret and quotes a value. Most lines of prose are neither, and a text with neither
    never imports detect-secrets (a question's first check stays quick)."""
    offset = 0
    for line in text.splitlines(keepends=True):
        if any(_may_be_token(run.group()) for run in _TOKEN_RUN.finditer(line)):
            regex_plugins, _keyword = _plugins()
            for plugin in regex_plugins:
                for pattern in plugin.denylist:
                    for match in pattern.finditer(line):
                        start, end = _secret_part(match)
                        yield Span(offset + start, offset + end, "api_key")
        if _KEYWORD_HINT.search(line) and _QUOTE.search(line):
            kind = "password" if _PASSWORD_HINT.search(line) else "secret"
            _regexes, keyword_plugin = _plugins()
            for value in set(keyword_plugin.analyze_string(line)):
                if looks_like_secret(value, quoted=True):
                    for match in re.finditer(re.escape(value), line):
                        yield Span(offset + match.start(), offset + match.end(), kind)
        offset += len(line)


def _may_be_token(run: str) -> bool:
    return any(char.isdigit() for char in run)


def _secret_part(match: re.Match[str]) -> tuple[int, int]:
    """The span of the secret in a plugin's match: its longest group when that is long
    enough to be the secret itself (some plugins capture only a prefix), else the match."""
    groups = [index for index in range(1, (match.re.groups or 0) + 1) if match.group(index)]
    longest = max(groups, key=lambda index: len(match.group(index)), default=0)
    if longest and len(match.group(longest)) >= _MIN_PLUGIN_VALUE:
        return match.span(longest)
    return match.span()


@cache
def _plugins() -> tuple[tuple[RegexBasedDetector, ...], KeywordDetector]:
    """detect-secrets' regex plugins and its keyword plugin, imported on first use."""
    from detect_secrets.plugins.artifactory import ArtifactoryDetector
    from detect_secrets.plugins.aws import AWSKeyDetector
    from detect_secrets.plugins.azure_storage_key import AzureStorageKeyDetector
    from detect_secrets.plugins.cloudant import CloudantDetector
    from detect_secrets.plugins.discord import DiscordBotTokenDetector
    from detect_secrets.plugins.github_token import GitHubTokenDetector
    from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
    from detect_secrets.plugins.ibm_cloud_iam import IbmCloudIamDetector
    from detect_secrets.plugins.ibm_cos_hmac import IbmCosHmacDetector
    from detect_secrets.plugins.keyword import KeywordDetector
    from detect_secrets.plugins.mailchimp import MailchimpDetector
    from detect_secrets.plugins.npm import NpmDetector
    from detect_secrets.plugins.openai import OpenAIDetector
    from detect_secrets.plugins.pypi_token import PypiTokenDetector
    from detect_secrets.plugins.sendgrid import SendGridDetector
    from detect_secrets.plugins.slack import SlackDetector
    from detect_secrets.plugins.softlayer import SoftlayerDetector
    from detect_secrets.plugins.square_oauth import SquareOAuthDetector
    from detect_secrets.plugins.stripe import StripeDetector
    from detect_secrets.plugins.telegram_token import TelegramBotTokenDetector
    from detect_secrets.plugins.twilio import TwilioKeyDetector

    regex_plugins: tuple[RegexBasedDetector, ...] = (
        ArtifactoryDetector(),
        AWSKeyDetector(),
        AzureStorageKeyDetector(),
        CloudantDetector(),
        DiscordBotTokenDetector(),
        GitHubTokenDetector(),
        GitLabTokenDetector(),
        IbmCloudIamDetector(),
        IbmCosHmacDetector(),
        MailchimpDetector(),
        NpmDetector(),
        OpenAIDetector(),
        PypiTokenDetector(),
        SendGridDetector(),
        SlackDetector(),
        SoftlayerDetector(),
        SquareOAuthDetector(),
        StripeDetector(),
        TelegramBotTokenDetector(),
        TwilioKeyDetector(),
    )
    return regex_plugins, KeywordDetector()
