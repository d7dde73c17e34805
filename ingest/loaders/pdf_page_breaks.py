"""A word hyphenated across a page break, whole again on the page it starts on.

A page is a section of its own, and no chunk crosses one: a word broken at the break
("algo-" at the foot of one page, "rithm" at the head of the next) stayed two halves in two
chunks. Once a page's furniture is gone (running headers and footers, its number; its
footnotes follow its body), a page whose text ends in a hyphen after a letter, followed by one
that starts in lower case, takes the next page's first word, and the rule for any line end
(`pdf_text`) joins the halves or keeps a compound's hyphen.
"""

from __future__ import annotations

import re

_HYPHENATED_END = re.compile(r"[A-Za-z]-$")
_CONTINUES = re.compile(r"^[a-z]")  # a page's first line that goes on with the last page's
_FIRST_WORD = re.compile(r"^\S+")


def carried_over(pages: list[str]) -> list[str]:
    """The pages with each word hyphenated across a page break on the page it starts on."""
    carried = list(pages)
    for number in range(len(carried) - 1):
        ending, following = carried[number], carried[number + 1]
        word = _FIRST_WORD.match(following) if _CONTINUES.match(following) else None
        if word is not None and _HYPHENATED_END.search(ending):
            carried[number] = f"{ending}\n{word.group()}"
            carried[number + 1] = following[word.end() :].strip()
    return carried
