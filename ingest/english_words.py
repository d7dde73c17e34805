"""Common English words, for the names rule (`assistant.ask.names`) and for a PDF's words
broken at a line's end (`ingest.loaders.pdf_text`: "under-" above "stands" is "understands").

The rule takes a word the embedding model cuts into pieces for a name the documents must
mention ("pyenv", "tmux"); ordinary words it cuts too ("indentation", "punctured",
"odometer") then refused questions the documents answer in other words ("indent", "a flat
tyre", "61,200 kilometres"). A word in pyspellchecker's English list, with a count of its
own, is not a name. The list gives words it has no count for the floor count,
`UNCOUNTED`: 103,247 of its 160,572, many of them jargon ("ssh", "emacs", "keyring"), which
stay names. It holds American spellings: a British one is looked up as its American twin
("summarise" as "summarize", "colour" as "color"). A common word behind one of English's
everyday prefixes is common too: "subfolder", "uninstall", "unmount", "reindex", "multiline"
are in no list. The cost: a brand built the same way ("Unraid", "Redash") is no longer a name.
Nor is a common word as people clip it ("admin", "config"): "How can I pip install a
package without admin rights?" was refused for want of "admin" in Python's documentation,
which says "for the current user".
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from functools import cache

UNCOUNTED = 50
_EVERYDAY_PREFIX = re.compile(r"^(?:sub|un|re|non|pre|multi)")
_PREFIXED = re.compile(_EVERYDAY_PREFIX.pattern + r"(?P<word>[a-z]{4,})$")
CLIPPED_LETTERS = 5  # the fewest letters of a clipped word: "admin", "config"
_BRITISH = (
    (re.compile(r"(?<=[a-z]{2})is(e|ed|es|ing|ation|ations)$"), r"iz\1"),  # summarise
    (re.compile(r"(?<=[a-z]{2})ys(e|ed|es|ing)$"), r"yz\1"),  # analyse
    (re.compile(r"(?<=[a-z]{2})our(s|ed|ing|ite|ites|ful)?$"), r"or\1"),  # colour, favourite
    (re.compile(r"(?<=[a-z]{2})tre(s)?$"), r"ter\1"),  # centre
    (re.compile(r"(?<=[a-z]{2})ogue(s)?$"), r"og\1"),  # catalogue
)


def is_common_english(word: str) -> bool:
    """Whether `word` (lower case) is a counted word of the English list."""
    counts = _counts()
    prefixed = _PREFIXED.match(word)
    words = (word, prefixed["word"]) if prefixed else (word,)
    return any(
        counts.get(spelling, 0) > UNCOUNTED for each in words for spelling in _spellings(each)
    )


def is_clipped_english(word: str) -> bool:
    """Whether `word` (lower case) is a common word clipped, as people type them: the first
    `CLIPPED_LETTERS` or more letters of a counted word at least two letters longer ("admin"
    for "administrator", "config" for "configuration"). A word one of the everyday prefixes
    starts is not ("redis" is no clipped "rediscover", which is "re" and "discover")."""
    if len(word) < CLIPPED_LETTERS or not word.isalpha() or _EVERYDAY_PREFIX.match(word):
        return False
    words = _counted()
    index = bisect_left(words, word)
    while index < len(words) and words[index].startswith(word):
        if len(words[index]) >= len(word) + 2:
            return True
        index += 1
    return False


def _spellings(word: str) -> Iterator[str]:
    yield word
    for british, american in _BRITISH:
        if british.search(word):
            yield british.sub(american, word)


@cache
def _counted() -> list[str]:
    """The counted words, in order."""
    return sorted(word for word, count in _counts().items() if count > UNCOUNTED)


@cache
def _counts() -> dict[str, int]:
    """The list, loaded on first use (about 0.2 s): only a question with a word the embedding
    model does not know whole needs it."""
    from spellchecker import SpellChecker

    words: dict[str, int] = SpellChecker(language="en", distance=1).word_frequency.dictionary
    return words
