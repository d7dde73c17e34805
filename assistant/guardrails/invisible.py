"""Invisible Unicode: characters a person does not see but a model reads.

Zero-width characters can split a word so a filter misses it, bidi overrides make text read
differently from how it is stored, and the Unicode tag block (U+E0000-U+E007F) can carry a
whole hidden ASCII message ("ASCII smuggling").
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width space/joiners and marks, bidi embeddings/overrides/isolates, word joiner and
# invisible operators, the byte-order mark, and the tag block.
_INVISIBLE_CLASS = "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CLASS}]")
_TAGS = re.compile("[\U000e0020-\U000e007e]+")
_ZWJ = "\u200d"
_BOM = "\ufeff"


def strip_invisible(text: str) -> str:
    """`text` without any zero-width, bidi-control or tag characters."""
    return _INVISIBLE.sub("", text)


def suspicious_invisible(text: str) -> list[int]:
    """Positions of invisible characters that are not explained by ordinary use.

    A byte-order mark at the very start and a zero-width joiner inside an emoji sequence
    (as in 👩‍💻) are ordinary; everything else in the set is reported.
    """
    found = []
    for match in _INVISIBLE.finditer(text):
        index = match.start()
        char = match.group()
        if char == _BOM and index == 0:
            continue
        if char == _ZWJ and _is_symbol_at(text, index - 1) and _is_symbol_at(text, index + 1):
            continue
        found.append(index)
    return found


def hidden_tag_text(text: str) -> str:
    """The ASCII message carried by Unicode tag characters, if any (else "")."""
    return " ".join(
        "".join(chr(ord(char) - 0xE0000) for char in run.group()) for run in _TAGS.finditer(text)
    )


def _is_symbol_at(text: str, index: int) -> bool:
    if not 0 <= index < len(text):
        return False
    char = text[index]
    return unicodedata.category(char) == "So" or "\ufe00" <= char <= "\ufe0f"
