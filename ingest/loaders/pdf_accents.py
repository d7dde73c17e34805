"""Accents that TeX draws as glyphs of their own, put back on their letters.

A font in TeX's old text encoding (OT1: Computer Modern, most papers before T1 fonts) has
no "é": TeX draws a spacing accent and then the letter, and the text layer reads "G¨odel",
"Th´eor`eme", "Erd˝os", "´Ecole", "cap´ıtulo" (a dotless i under the accent), "Disserta¸c˜oes"
(a cedilla before its letter, or after it in other fonts: "Publicac¸oes"). A search for
"Gödel" or "théorème" never found such a page, and NFKC made each accent a space and a
stray mark.

An accent goes onto its letter only where Unicode has that accented letter, so a stray mark
stays as it was. Marks that stand for other characters are left alone:

- an acute before the letters of an English contraction ("it´s", "don´t", "John´s") is an
  apostrophe set with the wrong key;
- a spacing tilde or circumflex is what groff draws for ASCII "~" and "^" ("˜/.bashrc",
  "ˆC"), and a listing's tilde is TeX's tie ("organization˜Embedded"), so those join only a
  lower-case letter inside a word ("Espa˜na", "rˆole");
- the grave is read as ASCII "`", which TeX manuals also use to open a quotation
  ("`english'", "`a'") and to write a character code ("\\hjcode`a=`a"), so it joins a
  lower-case letter inside a word of running text ("Gen`eve") or one standing alone
  ("`a la");
- a dot above is a Polish, Lithuanian, Maltese or Turkish letter ("ż", "ė", "ġ", "İ") or
  nothing: a listing's visible space reads "control˙sequence".
"""

from __future__ import annotations

import re
import unicodedata

_BEFORE = {  # spacing accent drawn before its letter -> combining mark
    "\u00a8": "\u0308",  # diaeresis
    "\u00b4": "\u0301",  # acute
    "\u02c7": "\u030c",  # caron
    "\u02d8": "\u0306",  # breve
    "\u00af": "\u0304",  # macron
    "\u02dd": "\u030b",  # double acute
    "\u02da": "\u030a",  # ring above
    "\u02d9": "\u0307",  # dot above, on the letters that take it in a language: "ż", "İ"
}
_DOTTED = set("zZIeEgGcC")
_INSIDE_WORD = {"\u02c6": "\u0302", "\u02dc": "\u0303", "`": "\u0300"}  # circumflex, tilde, grave
_GRAVE = "`"
_CEDILLA = "\u00b8"
_CEDILLA_LETTERS = set("cCsStT")
_DOTLESS = {"\u0131": "i", "\u0237": "j"}  # TeX puts an accent on a dotless i: \'\i

_LETTER = r"[^\W\d_]"
_ONE_LETTER = re.compile(_LETTER)
_PROSE_AFTER = r"[\s.,;:!?)’\-]|$"  # what ends a word in running text: not "=", "{" or "`"
_CONTRACTION = re.compile(r"(?:s|t|d|m|ll|re|ve)\b")
_ACCENT_BEFORE = re.compile(f"(?<!\\\\)([{''.join(_BEFORE)}])({_LETTER})")
_ACCENT_INSIDE = re.compile(
    f"(?<={_LETTER})([{''.join(_INSIDE_WORD)}])({_LETTER})(?={_LETTER}|{_PROSE_AFTER})"
)
_GRAVE_ALONE = re.compile(f"(?<![^\\s(\\-]){_GRAVE}({_LETTER})(?={_PROSE_AFTER})")
_CEDILLA_BESIDE = re.compile(f"({_LETTER})?{_CEDILLA}({_LETTER})?")


def with_accents_on_letters(text: str) -> str:
    """`text` with each spacing accent beside a letter made one accented letter."""
    if not any(accent in text for accent in (*_BEFORE, *_INSIDE_WORD, _CEDILLA)):
        return text

    def before(match: re.Match[str]) -> str:
        accent, letter = match.groups()
        rest = match.string[match.start(2) :]
        if accent == "\u00b4" and _CONTRACTION.match(rest) and _follows_letter(match):
            return match.group(0)
        if accent == "\u02d9" and letter not in _DOTTED:
            return match.group(0)
        return _composed(letter, _BEFORE[accent]) or match.group(0)

    def inside(match: re.Match[str]) -> str:
        accent, letter = match.groups()
        if not letter.islower():  # TeX's tie in a listing: "organization~Embedded"
            return match.group(0)
        return _composed(letter, _INSIDE_WORD[accent]) or match.group(0)

    def alone(match: re.Match[str]) -> str:
        letter = match.group(1)
        return (letter.islower() and _composed(letter, _INSIDE_WORD[_GRAVE])) or match.group(0)

    def cedilla(match: re.Match[str]) -> str:
        left, right = match.group(1) or "", match.group(2) or ""
        if right in _CEDILLA_LETTERS:
            return left + unicodedata.normalize("NFC", right + "\u0327")
        if left in _CEDILLA_LETTERS:
            return unicodedata.normalize("NFC", left + "\u0327") + right
        return match.group(0)

    text = _ACCENT_BEFORE.sub(before, text)
    text = _ACCENT_INSIDE.sub(inside, text)
    text = _GRAVE_ALONE.sub(alone, text)
    return _CEDILLA_BESIDE.sub(cedilla, text)


def _follows_letter(match: re.Match[str]) -> bool:
    start = match.start()
    return start > 0 and _ONE_LETTER.match(match.string, start - 1) is not None


def _composed(letter: str, mark: str) -> str | None:
    """The one accented letter `letter` with `mark` is, if Unicode has it."""
    composed = unicodedata.normalize("NFC", _DOTLESS.get(letter, letter) + mark)
    return composed if len(composed) == 1 else None
