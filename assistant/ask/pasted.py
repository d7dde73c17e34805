"""Markup a question brings from where it was copied, read as the text it stands for.

A person pastes an option from a manual page's source (`What does \\fB\\-L\\fR do?`) or from
a web page's HTML (`what does &lt;&lt; do`). Searched as typed, "fB" and "fR" are words no
document holds, and the relevance gate refuses the question for them. What is searched is the
text the markup stands for (`What does -L do?`); the question shown and logged stays as typed.

Only markup that cannot be meant literally is read: roff's font escapes, and its escaped
characters in a question that has one; an option written as roff writes it, `\\-L` or
`\\-\\-max-time` at a word's start; and HTML's named and numbered entities with their
semicolon. A backslash of code (`"%s\\n"`, `re.sub(r"\\s+", ...)`, `[a\\-z]`) stays as written.
"""

from __future__ import annotations

import html
import re

# \fB \fI \fR \fP \f1..\f4, \f(CW, \f[CB], and \f[] (the previous font)
_ROFF_FONT = re.compile(r"\\f(?:[BIRP1-4]|\([A-Z]{2}|\[[A-Za-z]*\])")
# roff's escaped characters that stand for one plain one
_ROFF_CHARACTERS = {
    r"\-": "-",
    r"\(hy": "-",
    r"\(en": "-",
    r"\(em": "-",
    r"\(aq": "'",
    r"\(dq": '"',
    r"\(lq": '"',
    r"\(rq": '"',
    r"\e": "\\",
    r"\&": "",
    r"\|": "",
    r"\^": "",
    r"\ ": " ",
    r"\~": " ",
}
_ROFF_CHARACTER = re.compile("|".join(re.escape(escape) for escape in _ROFF_CHARACTERS))
_ROFF_OPTION = re.compile(r"(?<!\S)((?:\\-){1,2})(?=\w)")  # \-L, \-\-max-time
_HTML_ENTITY = re.compile(r"&(?:[A-Za-z]{2,8}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")


def without_markup(question: str) -> str:
    """`question` with pasted roff escapes and HTML entities read as the text they stand
    for; unchanged when it has none. roff's escaped characters are read only in a question
    that has one of its font escapes, the sign that it came from a manual page's source, or
    in an option at a word's start."""
    text = question
    if _ROFF_FONT.search(text) is not None:
        text = _ROFF_FONT.sub("", text)
        text = _ROFF_CHARACTER.sub(lambda match: _ROFF_CHARACTERS[match.group()], text)
    text = _ROFF_OPTION.sub(lambda match: "-" * (len(match.group(1)) // 2), text)
    text = _HTML_ENTITY.sub(lambda match: html.unescape(match.group()), text)
    plain = " ".join(text.split())
    return plain if plain and text != question else question  # markup alone stays as typed
