"""Base64 blobs in text, and the readable text they decode to.

A secret or an instruction can be hidden by encoding it: `c2stcHJvai1...` is an OpenAI key,
`SWdub3JlIGFsbCBwcmV2aW91cy...` an injection. Detectors decode each blob and look again.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator

BASE64_BLOB = re.compile(r"(?<![\w+/=-])[A-Za-z0-9+/_-]{24,}={0,2}(?![\w+/=-])")
_READABLE_SHARE = 0.95


def decoded_blobs(text: str) -> Iterator[tuple[re.Match[str], str]]:
    """Each Base64 (or URL-safe Base64) blob in `text` that decodes to readable UTF-8 text,
    with that text."""
    for match in BASE64_BLOB.finditer(text):
        decoded = decode_base64_text(match.group())
        if decoded:
            yield match, decoded


def decode_base64_text(blob: str) -> str | None:
    """The decoded text if `blob` is Base64 of readable UTF-8 text, else None."""
    padded = blob + "=" * (-len(blob) % 4)
    try:
        raw = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
        decoded = raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    printable = sum(char.isprintable() or char in "\n\t" for char in decoded)
    return decoded if decoded and printable / len(decoded) > _READABLE_SHARE else None
