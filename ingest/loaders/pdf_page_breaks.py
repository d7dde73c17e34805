"""A sentence broken by a page break, whole again on the page it starts on.

A page is a section of its own, and no chunk crosses one: a sentence running from one page
onto the next was two halves in two chunks ("... the method we" and "propose ..."), and a
word hyphenated at the break ("algo-" at the foot of one page, "rithm" at the head of the
next) stayed two. Once a page's furniture is gone (running headers and footers, its number;
its footnotes follow its body), a page whose text stops mid-sentence, followed by one that
starts in lower case, takes the next page's words up to the end of that sentence, or when
it ends more than `MAX_CARRIED_LINES` lines on, the first word alone if the page ended in a
hyphen. The rule for any line end (`pdf_text`) then joins a word's halves or keeps a
compound's hyphen.
"""

from __future__ import annotations

import re

MAX_CARRIED_LINES = 3  # a sentence's end further into the next page than this is not sought
_TAIL = 8  # characters at a page's end that show whether it ends a sentence
_STOPPED = re.compile(r"[.!?:;][\"')\]]*$")  # a page's end that ends a sentence
_HYPHENATED_END = re.compile(r"[A-Za-z]-$")
_CONTINUES = re.compile(r"^[a-z]")  # a page's first line that goes on with the last page's
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*(?=\s|$)")
_FIRST_WORD = re.compile(r"^\S+")


def carried_over(pages: list[str]) -> list[str]:
    """The pages with each sentence broken by a page break on the page it starts on."""
    carried = list(pages)
    for number in range(len(carried) - 1):
        ending, following = carried[number], carried[number + 1]
        if not ending or _STOPPED.search(ending[-_TAIL:]) or not _CONTINUES.match(following):
            continue
        taken = _sentence_end(following, hyphenated=bool(_HYPHENATED_END.search(ending)))
        if taken:
            carried[number] = f"{ending}\n{following[:taken].rstrip()}"
            carried[number + 1] = following[taken:].strip()
    return carried


def _sentence_end(text: str, *, hyphenated: bool) -> int:
    """How much of a page's text finishes the sentence the page before broke off: up to its
    first sentence end within `MAX_CARRIED_LINES` lines; when there is none, the second half
    of a hyphenated word alone; else nothing (0)."""
    head = "\n".join(text.split("\n", MAX_CARRIED_LINES)[:MAX_CARRIED_LINES])
    end = _SENTENCE_END.search(head)
    if end is not None:
        return end.end()
    word = _FIRST_WORD.match(text)
    return word.end() if hyphenated and word is not None else 0
