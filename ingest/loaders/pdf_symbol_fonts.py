"""TeX's maths symbol fonts, whose glyphs PDFium reads as the letters of their codes.

Computer Modern's symbol fonts (CMSY, bold CMBSY), Latin Modern's Type 1 copy of them and
the TX and PX fonts' (txsys, pxsy: "⟨http://...⟩" read "hhttp://...i") carry no Unicode
map, and some of their glyph names ("angbracketleft") are in no list PDFium knows, so it
gives the character code instead: a manual's "⟨options⟩" reads "hoptionsi",
"\\author{⟨author⟩}" reads "\\author{hauthori}". Codes 0x61-0x7A of their encoding (TeX's OMS)
are the symbols below; the fonts have no lowercase letters, so a lowercase letter read from
one is always such a code.
"""

from __future__ import annotations

import re

_SYMBOL_FONT = re.compile(rb"(?:^|\+)(?:CMB?SY\d|LMMathSymbols|[tp]xb?sys?$)", re.IGNORECASE)
_SYMBOLS = dict(zip("abcdefghijklmnopqrstuvwxyz", "⊣⌊⌋⌈⌉{}⟨⟩|‖↕⇕\\≀√⨿∇∫⊔⊓⊑⊒§†‡", strict=True))


def reads_as_letters(font_name: bytes) -> bool:
    """Whether a font of this name is one whose symbols PDFium reads as lowercase letters."""
    return bool(_SYMBOL_FONT.search(font_name))


def symbol_for(letter: str) -> str:
    """The symbol such a font draws where PDFium read `letter`."""
    return _SYMBOLS.get(letter, letter)


def could_be_symbol(char: str) -> bool:
    return char in _SYMBOLS
