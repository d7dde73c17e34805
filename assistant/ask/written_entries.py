"""Entries written in running text: the line of an option list that opens an option's entry.

Manuals without a heading for each option write its entry as a line that opens with the
option: manual pages read as text (`       -u, --update` over its indented description),
bash's PDFs (`-u Treat unset variables and parameters ...`, every line flush left). Such a
line holds the option first, perhaps after other names of it (`-x, --extract, --get`), then
the end of the line, a comma, its argument (`--unit=U`, `-L [bind_address:]port`,
`-f <file>`), a column's gap, or a description that starts a sentence. A line a sentence
wrapped onto ("-e was being ignored") opens nothing, nor does a shell prompt's
(`$ find -L /x`).
"""

from __future__ import annotations

import re

_OTHER_NAMES = r"[ \t]*(?:[-+][\w-]*(?:[=\[][^\s,]*)?,[ \t]+)*"
# What follows a term on its line: a comma, its argument, a column's gap or a sentence.
_DESCRIBED = r"(?![\w.-])(?:,|[=\[<]|[ \t]{2,}\S|[ \t]+[A-Z(\[<])"
_AFTER_TERM = rf"(?:(?![\w.-])[ \t]*$|{_DESCRIBED})"
# Any option's entry, described on its own line: the term alone on a line, with no
# description after it, may be a sentence's end wrapped onto it ("... use\n--force\n").
_ANY_OPTION = re.compile(rf"{_OTHER_NAMES}--?[A-Za-z0-9][\w-]*{_DESCRIBED}")


def defines(text: str, token: str) -> bool:
    """Whether a line of `text` opens the entry of `token`."""
    line = rf"^{_OTHER_NAMES}{re.escape(token)}{_AFTER_TERM}"
    return re.search(line, text, re.MULTILINE) is not None


def opens_option_entry(text: str, start: int) -> bool:
    """Whether the line of `text` that starts at `start` (after its indent) opens the entry
    of an option, with its description on the same line or the next."""
    line_start = text.rfind("\n", 0, start) + 1
    return not text[line_start:start].strip() and _ANY_OPTION.match(text, line_start) is not None
