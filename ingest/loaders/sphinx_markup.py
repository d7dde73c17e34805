"""What a built Sphinx page shows for the markup reStructuredText and MyST Markdown share:
an interpreted text role's text, and an admonition's title.

A role is written ":func:`os.scandir`" in reStructuredText and "{func}`os.scandir`" in
MyST; either way the page shows "os.scandir", "`the tutorial <tut-files>`" as "the
tutorial", "`~pathlib.Path.glob`" as "glob" (the last name) and a PEP's number as "PEP 440".
"""

from __future__ import annotations

import re

# The text between a role's backticks: an optional "~", the text, an optional "<target>";
# over line breaks, not over a blank line or a table's cell border
ROLE_CONTENT = r"(~?)((?:[^`<|\n]|\n(?![ \t]*\n))*?)\s*(?:<[^>`]*>)?"
# What the page shows in place of an admonition's name ({} is the argument: a version, or the
# title of a generic admonition or of a tab).
ADMONITION_TITLES = {
    "note": "Note",
    "warning": "Warning",
    "important": "Important",
    "tip": "Tip",
    "hint": "Hint",
    "caution": "Caution",
    "attention": "Attention",
    "danger": "Danger",
    "error": "Error",
    "seealso": "See also",
    "versionadded": "New in version {}.",
    "versionchanged": "Changed in version {}.",
    "deprecated": "Deprecated since version {}.",
    "admonition": "{}",
    "tab": "{}",
}
_PEP = re.compile(r"\d+")


def role_text(name: str, shortened: str, text: str) -> str:
    """What the page shows for a role `name` around `text` ("~" in `shortened`: the last
    dotted name only)."""
    if shortened:
        text = text.rsplit(".", 1)[-1]
    if name.rsplit(":", 1)[-1] == "pep" and _PEP.fullmatch(text):
        return f"PEP {text}"
    return text


def admonition_title(name: str, argument: str) -> str | None:
    """The line an admonition shows in place of its name and argument ("New in version 3.4.
    The *recursive* parameter."); None when `name` is no admonition."""
    title = ADMONITION_TITLES.get(name)
    if title is None:
        return None
    if "{}" not in title:
        return f"{title} {argument.strip()}".rstrip()
    version, _, rest = argument.strip().partition(" ")  # "3.10 Added *root_dir*."
    return f"{title.format(version)} {rest}".rstrip()
