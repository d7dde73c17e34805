"""Make untrusted text (model output, file names, document text) safe to print in a terminal.

Three shapes, one for each kind of string:
- `sanitize`: text that may span lines (an answer, a passage): terminal control sequences,
  C0/C1 control characters and bidi overrides are removed; tabs and newlines stay.
- `one_line`: a label (a heading, a title, a reason): sanitized, every line break and run of
  spaces folded to one space, so it cannot start a fake line of output.
- `display_path`: a file name: nothing is removed, so the name shown is the name on disk, but
  every invisible or control character is written as a visible escape (`\\n`, `\\u202e`).
- `json_safe`: JSON text with the characters a terminal would act on escaped.
"""

from __future__ import annotations

import re

# CSI, OSC (terminated by BEL or ST), other ESC sequences, and C0/C1 controls except \t \n.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI ... final byte
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST (or unterminated)
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC
    r"|\x1b[@-Z\\-_]?"  # two-byte ESC sequences, or a lone ESC
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)
# Bidi embeddings, overrides and isolates, and the marks that steer them: they make text read
# in another order than it is stored ("gpj.exe" shown as "exe.jpg").
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_BIDI_CONTROLS = re.compile(f"[{_BIDI}]")
# What a file name shows escaped: C0, DEL, C1, bidi controls, zero-width characters, line and
# paragraph separators, the byte-order mark, and lone surrogates (undecodable bytes).
_INVISIBLE_IN_NAMES = re.compile(
    f"[\\x00-\\x1f\\x7f-\\x9f{_BIDI}\u200b-\u200d\u2028\u2029\u2060\ufeff\ud800-\udfff]"
)
# What JSON output escapes beyond what the json module does (it escapes only C0); lone
# surrogates (undecodable bytes in a file name) would not even encode to UTF-8.
_UNSAFE_IN_JSON = re.compile(f"[\\x7f-\\x9f{_BIDI}\u2028\u2029\ud800-\udfff]")
_SPACES = re.compile(r"\s+")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def sanitize(text: str) -> str:
    """Remove terminal control sequences, control characters and bidi overrides, keeping
    tabs and newlines."""
    return _BIDI_CONTROLS.sub("", _ESCAPES.sub("", text.replace("\r\n", "\n")))


def one_line(text: str) -> str:
    """Untrusted text for a single line: sanitized, with no line breaks."""
    return _SPACES.sub(" ", sanitize(text)).strip()


def display_path(path: str) -> str:
    """A file name exactly as stored, with each invisible or control character escaped."""
    return _INVISIBLE_IN_NAMES.sub(_escape, path)


def json_safe(text: str) -> str:
    """JSON text with DEL, C1 controls, bidi controls, line separators and lone surrogates
    as `\\uXXXX`.

    Those characters can only occur inside JSON strings, where the escape means the same
    character, so the JSON still parses to the same value.
    """
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED_ESCAPES.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def counted(count: int, noun: str) -> str:
    """`count` and the noun after it, plural unless it is one: "1 answer", "1,204 chunks"."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
