"""The prompt's `<source>` tags taken out of a model's answer as it streams.

The prompt hands the model its sources as `<source n="1" path="...">` ... `</source>` blocks
(`prompting.format_source`), and a small model sometimes writes such a tag into its answer.
A tag is the prompt's markup, never part of the answer: the person must not see it, and the
support check, the log and the cache must not read it. A tag may come split over several
deltas (`</sou` + `rce>`), so text from a `<` that may still become a tag is held back until
the tag is complete (and dropped) or proves to be text (and is released). A tag's attribute
values hold no line breaks (`prompting` escapes them), so a tag ends within its line.
"""

from __future__ import annotations

import re

# Longer than any tag margin writes (a path and a heading, escaped); past it, it is text.
_MAX_TAG = 1024
# margin's tags: `</source>`, `<source>`, or `<source` and margin's attributes. HTML's own
# <source src="..."> element (in a web page's code) is no tag of margin's, and stays.
_MARGIN_TAG = (
    r"<[ \t]*(?:/[ \t]*source|source(?:[ \t]+(?:n|path|page|heading)[ \t]*="
    rf"[^<>\n]{{0,{_MAX_TAG}}})?)[ \t]*>"
)
# A whole tag (group 1) and the end of its line (group 2), dropped with a tag that starts one.
_TAG = re.compile(rf"({_MARGIN_TAG})([ \t]*\n)?", re.IGNORECASE)
# The end of the text that may still grow into a tag ("<", "</sou", '<source n="1" pa'), or
# a whole tag whose line break may still follow.
_OPEN_TAIL = re.compile(
    rf"<[ \t]*/?[ \t]*(?:source\b[^<>\n]{{0,{_MAX_TAG}}}(?:>[ \t]*)?|sourc|sour|sou|so|s)?",
    re.IGNORECASE,
)
# Held at the end of the answer: the start of one of margin's tags, cut short.
_CUT_SHORT_TAG = re.compile(
    r"<[ \t]*/?[ \t]*source(?:[ \t]*$|[ \t]+(?:n|path|page|heading)\b)", re.IGNORECASE
)


class EchoedTagFilter:
    """Feed the model's deltas, show what comes back: the same text without `<source>` tags."""

    def __init__(self) -> None:
        self._held = ""
        self._at_line_start = True  # the text shown so far is empty or ends a line
        self.removed = 0  # tags taken out so far

    def feed(self, delta: str) -> str:
        text = self._held + delta
        held_from = _held_from(text)
        self._held = text[held_from:]
        return self._without_tags(text[:held_from])

    def flush(self) -> str:
        """The end of the answer: what was held, without a tag that was cut short."""
        held, self._held = self._without_tags(self._held), ""
        if _CUT_SHORT_TAG.match(held):
            self.removed += 1
            return ""
        return held

    def _without_tags(self, text: str) -> str:
        """`text` without its tags; a tag on a line of its own goes with its line break."""
        kept: list[str] = []
        at = 0
        for tag in _TAG.finditer(text):
            before = text[at : tag.start()]
            kept.append(before)
            if before:
                self._at_line_start = before.endswith("\n")
            at = tag.end() if self._at_line_start else tag.end(1)
            self.removed += 1
        kept.append(text[at:])
        shown = "".join(kept)
        if shown:
            self._at_line_start = shown.endswith("\n")
        return shown


def without_tags(text: str) -> str:
    """A whole answer without the tags (an answer cached before margin removed them)."""
    tags = EchoedTagFilter()
    return tags.feed(text) + tags.flush()


def shown_prefix(raw: str) -> str:
    """What the person is shown of a model's text that is cut at the end of `raw`: the offsets
    of the raw text (`Repetition.starts_at`) are read in the shown text through it."""
    return EchoedTagFilter().feed(raw)


def _held_from(text: str) -> int:
    """Where the end of `text` that may still be a tag begins (len: nothing is held)."""
    start = text.rfind("<")
    if start != -1 and _OPEN_TAIL.fullmatch(text, start):
        return start
    return len(text)
