"""A document's list of references, told from its body by the shape of its lines.

A paper's bibliography repeats the words of its topic in the titles it lists, so a question
on that topic finds its chunks high in both rankings (`assistant.ask.ranking` ranks them
below the body). A chunk reads as a reference list by its lines, whatever its heading says:
sections titled "References" explain how to cite as often as they list works. At least two
lines open an entry, either with a bracketed number ("[12] Brian K. Reid. Scribe: ...") or
with an author ("Glomm, G., and B. Ravikumar (1992) ...", "I. Guyon, C. Aliferis, and ..."),
and the chunk gives at least as many years as author-led entries; under a heading that
names a reference list, one such line.
"""

from __future__ import annotations

import re

from ingest.types import HEADING_SEPARATOR

MIN_ENTRIES = 2  # lines that open an entry before a text reads as a list of them

# A reference list's own heading, numbered or not: "References", "17. References",
# "BIBLIOGRAPHY", "Literature Cited".
REFERENCES_TITLE = re.compile(
    r"(?:\d+\.?\s+)?(?:references|bibliography|literature\s+cited|works\s+cited)",
    re.IGNORECASE,
)
_NUMBERED_ENTRY = re.compile(r"^\[\d{1,4}\]\s", re.MULTILINE)  # "[12] Brian K. Reid."
_NAME = r"[A-Z][\w'’-]+"
_INITIALS = r"(?:[A-Z]\.[\s-]?)+"
_AUTHOR_ENTRY = re.compile(
    rf"^(?:{_NAME},\s+{_INITIALS}|{_INITIALS}\s*{_NAME}(?:,|\s+and\s))", re.MULTILINE
)  # "Glomm, G., and ..." or "I. Guyon, C. Aliferis" or "G. Kavoulakis and G. Baym"
_YEAR = re.compile(r"(?<![\d.])(?:1[6-9]|20)\d\d[a-z]?(?!\d)")


def reads_as_reference_list(text: str, heading: str = "") -> bool:
    """Whether a text lists works as a reference list does (`MIN_ENTRIES`); under a heading
    path that ends in a reference list's title, one entry will do (the list's last lines
    on a page of their own, "[3] Luaqrcode – Pure Lua QR Code library. ...")."""
    last = heading.rsplit(HEADING_SEPARATOR, 1)[-1].strip()
    least = 1 if REFERENCES_TITLE.fullmatch(last) else MIN_ENTRIES
    if len(_NUMBERED_ENTRY.findall(text)) >= least:
        return True
    by_author = len(_AUTHOR_ENTRY.findall(text))
    return by_author >= least and len(_YEAR.findall(text)) >= by_author
