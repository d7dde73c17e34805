"""A sentence broken by a page break, whole again on the page it starts on.

A page is a section of its own, and no chunk crosses one: a sentence running from one page
onto the next was two halves in two chunks ("... the method we" and "propose ..."), and a
word hyphenated at the break ("algo-" at the foot of one page, "rithm" at the head of the
next) stayed two. Once a page's furniture is gone (running headers and footers, its number;
its footnotes follow its body), a page whose text stops mid-sentence, followed by one that
starts in lower case, takes the next page's words up to the end of that sentence, or when
it ends more than `MAX_CARRIED_LINES` lines on, the first word alone if the page ended in a
hyphen. A page that opens with a float (a figure's or a table's caption, and the labels a
figure draws above it) goes on with the sentence after the caption's last line: that line,
if it starts in lower case, is where the sentence resumes, and the float stays at the top
of its page. The rule for any line end (`pdf_text`) then joins a word's halves or keeps a
compound's hyphen.
"""

from __future__ import annotations

import re

MAX_CARRIED_LINES = 3  # a sentence's end further into the next page than this is not sought
MAX_FLOAT_LINES = 30  # a caption further into a page than this does not open it
MAX_CAPTION_LINES = 6  # a caption that does not end a sentence within these lines is no caption
LABEL_CHARS = 40  # a figure's labels above its caption are shorter lines than this
_TAIL = 8  # characters at a page's end that show whether it ends a sentence
_STOPPED = re.compile(r"[.!?:;][\"')\]]*$")  # a page's end that ends a sentence
_HYPHENATED_END = re.compile(r"[A-Za-z]-$")
_CONTINUES = re.compile(r"^[a-z]")  # a page's first line that goes on with the last page's
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*(?=\s|$)")
_FIRST_WORD = re.compile(r"^\S+")
# A float's caption: "Figure 2: Schematic of ...", "Fig. 1.", "TABLE II. Numbers in ..."
_CAPTION = re.compile(
    r"^(?:Figure|FIGURE|Fig\.|FIG\.|Table|TABLE|Listing|Algorithm)\s+[\dA-Z][\w.]*[.:—–-]"
)
_CAPTION_END = re.compile(r"[.!?][\"')\]]*$")


def carried_over(pages: list[str]) -> list[str]:
    """The pages with each sentence broken by a page break on the page it starts on."""
    carried = list(pages)
    for number in range(len(carried) - 1):
        ending, following = carried[number], carried[number + 1]
        if not ending or _STOPPED.search(ending[-_TAIL:]):
            continue
        resumes = 0 if _CONTINUES.match(following) else _after_float(following)
        if resumes is None:
            continue
        rest = following[resumes:]
        taken = _sentence_end(rest, hyphenated=bool(_HYPHENATED_END.search(ending)))
        if taken:
            carried[number] = f"{ending}\n{rest[:taken].rstrip()}"
            carried[number + 1] = "\n".join(
                part for part in (following[:resumes].strip(), rest[taken:].strip()) if part
            )
    return carried


def _after_float(text: str) -> int | None:
    """Where the text after a float that opens the page starts, when it starts in lower
    case: the line after its caption's last (the first to end a sentence); None when no
    caption opens the page (after a figure's short labels at most) or no lower case
    follows it."""
    lines = text.split("\n", MAX_FLOAT_LINES + MAX_CAPTION_LINES + 1)
    caption = next((i for i, line in enumerate(lines) if _CAPTION.match(line)), None)
    if caption is None or caption >= MAX_FLOAT_LINES:
        return None
    if any(len(line) >= LABEL_CHARS for line in lines[:caption]):
        return None
    for index in range(caption, min(caption + MAX_CAPTION_LINES, len(lines) - 1)):
        if _CAPTION_END.search(lines[index].rstrip()):
            resumes = index + 1
            if not _CONTINUES.match(lines[resumes]):
                return None
            return sum(len(line) + 1 for line in lines[:resumes])
    return None


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
