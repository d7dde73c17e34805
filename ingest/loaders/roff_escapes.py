"""Roff's escapes within a line, turned into the text `man` would print: fonts and sizes
left out (`\\fB`, `\\s-1`), special characters as Unicode (`\\(em`, `\\[u00E9]`, `\\('e`),
strings by their definitions (`\\*(lq`, a page's own `.ds`), a motion right as a space,
other motions and marks dropped. An escape this module does not know prints its character,
as groff's does."""

from __future__ import annotations

import re
import unicodedata

# Characters by their groff names (groff_char(7)); a name not here prints nothing.
_NAMED = {
    "em": "\u2014",
    "en": "\u2013",
    "hy": "-",
    "mi": "-",
    "lq": "\u201c",
    "rq": "\u201d",
    "oq": "\u2018",
    "cq": "\u2019",
    "aq": "'",
    "dq": '"',
    "Fo": "\u00ab",
    "Fc": "\u00bb",
    "fo": "\u2039",
    "fc": "\u203a",
    "bu": "\u2022",
    "ci": "\u25cb",
    "sq": "\u25a1",
    "co": "\u00a9",
    "rg": "\u00ae",
    "tm": "\u2122",
    "de": "\u00b0",
    "mu": "\u00d7",
    "di": "\u00f7",
    "+-": "\u00b1",
    "<=": "\u2264",
    ">=": "\u2265",
    "!=": "\u2260",
    "==": "\u2261",
    "~=": "\u2245",
    "->": "\u2192",
    "<-": "\u2190",
    "<>": "\u2194",
    "=>": "\u21d2",
    "ua": "\u2191",
    "da": "\u2193",
    "ti": "~",
    "ha": "^",
    "ga": "`",
    "aa": "\u00b4",
    "sl": "/",
    "rs": "\\",
    "ba": "|",
    "or": "|",
    "br": "\u2502",
    "bv": "\u2502",
    "ul": "_",
    "ru": "_",
    "sc": "\u00a7",
    "ps": "\u00b6",
    "dg": "\u2020",
    "dd": "\u2021",
    "ct": "\u00a2",
    "Po": "\u00a3",
    "Eu": "\u20ac",
    "eu": "\u20ac",
    "Ye": "\u00a5",
    "ss": "\u00df",
    "14": "\u00bc",
    "12": "\u00bd",
    "34": "\u00be",
    "if": "\u221e",
    "pc": "\u00b7",
    "lh": "\u261c",
    "rh": "\u261e",
    "OK": "\u2713",
    "at": "@",
    "sh": "#",
    "Do": "$",
    "lB": "[",
    "rB": "]",
    "lC": "{",
    "rC": "}",
    "la": "\u27e8",
    "ra": "\u27e9",
    "a-": "\u00af",
    "ho": "\u02db",
    "r!": "\u00a1",
    "r?": "\u00bf",
    "bq": "\u201e",
    "Bq": "\u201e",
    "fm": "\u2032",
    "sd": "\u2033",
    "*a": "\u03b1",
    "*b": "\u03b2",
    "*g": "\u03b3",
    "*d": "\u03b4",
    "*e": "\u03b5",
    "*l": "\u03bb",
    "*m": "\u03bc",
    "*p": "\u03c0",
    "*s": "\u03c3",
    "*S": "\u03a3",
}
# "\('e": a letter with an accent, composed as Unicode does.
_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    ":": "\u0308",
    "^": "\u0302",
    "~": "\u0303",
    ",": "\u0327",
}
# Escapes whose argument is a quoted string that prints nothing: \v'1v', \w'text', \X'...'.
_QUOTED_SILENT = frozenset("vwlLDXbSHRxAB")
# \h'+03': a motion right of at least one of these units leaves a space ("\(bu\h'+03'\c", the
# bullet of DocBook's manual pages); left, short or computed ones print nothing.
_MOTION = re.compile(r"\+?(\d+(?:\.\d*)?|\.\d+)[mnciPv]?")
# Escapes that print their quoted argument: \o'e\'' (overstrike), \Z'text' (zero width).
_QUOTED_SHOWN = frozenset("oZ")
_QUOTED_ARGUMENT = _QUOTED_SILENT | _QUOTED_SHOWN | frozenset("hCN")
# Escapes with a one-character, "(xx" or "[name]" argument that print nothing.
_NAME_SILENT = frozenset("fFnkgmMYV$sz")
# Escapes that print nothing and take no argument.
_SILENT = frozenset("&|^%:/,)dupra{}cE!tT")
_SPACES = frozenset(" ~0")
NO_BREAK = "\u00a0"  # roff's unbreakable space (`\ `, `\~`), a plain space once laid out
_MAX_DEPTH = 8  # strings naming strings, arguments in arguments: deeper is a loop or hostile


def named_character(name: str) -> str:
    """The character groff calls `name`: "em", "u00E9", "'e", "char233"; "" if unknown."""
    if name in _NAMED:
        return _NAMED[name]
    if len(name) == 2 and name[0] in _ACCENTS and name[1].isalpha():
        return unicodedata.normalize("NFC", name[1] + _ACCENTS[name[0]])
    if name.startswith("u") and len(name) >= 5:
        try:
            return "".join(chr(int(code, 16)) for code in name[1:].split("_"))
        except ValueError:
            return ""
    if name.startswith("char") and name[4:].isdigit():
        return chr(int(name[4:])) if int(name[4:]) < 0x110000 else ""
    return name if len(name) == 1 else ""


def text_of(line: str, strings: dict[str, str], depth: int = 0) -> str:
    """The printed text of `line`, a roff text line or argument (its comment already cut)."""
    out: list[str] = []
    index = 0
    length = len(line)
    while index < length:
        char = line[index]
        if char != "\\" or index + 1 >= length:
            out.append(char)
            index += 1
            continue
        escape = line[index + 1]
        index += 2
        if escape in "\\e":
            out.append("\\")
        elif escape == "-":
            out.append("-")
        elif escape in _SPACES:
            out.append(NO_BREAK)
        elif escape in "'`.":
            out.append("'" if escape == "'" else escape)
        elif escape in _SILENT:
            pass
        elif escape in "([":
            name, index = _name(line, index - 1)
            out.append(named_character(name.split()[0] if name.strip() else ""))
        elif escape == "C":
            name, index = _quoted(line, index)
            out.append(named_character(name))
        elif escape == "*":
            name, index = _name(line, index)
            definition = strings.get(name.split(" ")[0], "") if name else ""
            if depth < _MAX_DEPTH:
                out.append(text_of(definition, strings, depth + 1))
        elif escape == "N":
            code, index = _quoted(line, index)
            out.append(chr(int(code)) if code.isdigit() and int(code) < 0x110000 else "")
        elif escape == "h":
            motion, index = _quoted(line, index)
            out.append(_motion_space(motion))
        elif escape in _QUOTED_SILENT:
            _, index = _quoted(line, index)
        elif escape in _QUOTED_SHOWN:
            shown, index = _quoted(line, index)
            out.append(text_of(shown, strings, depth + 1)[-1:] if escape == "o" else shown)
        elif escape in _NAME_SILENT:
            index = _sized(line, index) if escape == "s" else _name(line, index)[1]
        else:
            out.append(escape)
    return "".join(out)


def _motion_space(motion: str) -> str:
    """What a horizontal motion `\\h'motion'` prints: a space if it moves right by one unit
    (an em, an en, a character...) or more, else nothing."""
    matched = _MOTION.fullmatch(motion.strip())
    return " " if matched is not None and float(matched.group(1)) >= 1 else ""


def _name(line: str, index: int) -> tuple[str, int]:
    """The name an escape takes at `index`: one character, "(xx" or "[long name]"."""
    if index >= len(line):
        return "", index
    if line[index] == "(":
        return line[index + 1 : index + 3], index + 3
    if line[index] == "[":
        end = line.find("]", index)
        end = len(line) if end < 0 else end
        return line[index + 1 : end], end + 1
    if line[index] in "+-" and index + 1 < len(line):  # \n+x: the register, incremented
        return _name(line, index + 1)
    return line[index], index + 1


def _quoted(line: str, index: int, depth: int = 0) -> tuple[str, int]:
    """The argument of \\h'...' and the like, delimited by the character at `index`; an
    escape's argument inside it is passed whole, `\\h'\\w'xx'u'`, to `_MAX_DEPTH` deep."""
    if index >= len(line):
        return "", index
    delimiter = line[index]
    at = index + 1
    while at < len(line) and line[at] != delimiter:
        if line[at] == "\\" and line[at + 1 : at + 2] in _QUOTED_ARGUMENT and depth < _MAX_DEPTH:
            at = _quoted(line, at + 2, depth + 1)[1]
        else:
            at += 2 if line[at] == "\\" else 1
    return line[index + 1 : at], min(at + 1, len(line))


def _sized(line: str, index: int) -> int:
    """Past the argument of a size escape: \\s0, \\s-1, \\s12, \\s(12, \\s[10], \\s'10'."""
    if index >= len(line):
        return index
    if line[index] in "+-":
        return index + 2
    if line[index] in "([":
        return _name(line, index)[1]
    if line[index] == "'":
        return _quoted(line, index)[1]
    two_digits = line[index] in "123" and line[index + 1 : index + 2].isdigit()
    return index + (2 if two_digits else 1 if line[index].isdigit() else 0)
