"""Make untrusted text (model output, file names, document text) safe to print in a terminal."""

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


def sanitize(text: str) -> str:
    """Remove terminal control sequences and control characters, keeping tabs and newlines."""
    return _ESCAPES.sub("", text.replace("\r\n", "\n"))
