"""Copies: a passage kept in several files is one result, not several.

People keep the same text in more than one place: a page saved as HTML and as Markdown,
`paper.pdf` next to `paper (1).pdf`, a folder synced twice. Node's API documentation ships
each page as `.md` and `.html`, and all of them again in `all.html`: asked how to build an
addon, margin's top six held the same "Building" paragraph three times, from three files,
and left no room for the next passage.

A source is a copy of one ranked above it when most of its word sequences are that one's:
the share of the smaller one's five-word shingles (words in lower case, markup and
punctuation left out, so Markdown's "### Building `addon.node`" reads as the HTML's
"Building addon.node") found in the other is at least `COPY_SHARE`. The first keeps its
place and names the files of its copies (`Source.copies`); the copies leave the results.
Only copies in the same collection, with the same local-only flag, are folded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from assistant.ask.types import Source

COPY_SHARE = 0.7  # of the smaller passage's shingles found in the other
SHINGLE_WORDS = 5
_WORD = re.compile(r"\w+")

Shingles = frozenset[tuple[str, ...]]


def shingles(text: str) -> Shingles:
    """The text's runs of `SHINGLE_WORDS` words (the whole text when it is shorter)."""
    words = _WORD.findall(text.casefold())
    if len(words) <= SHINGLE_WORDS:
        return frozenset([tuple(words)]) if words else frozenset()
    return frozenset(
        tuple(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)
    )


def is_copy(one: Shingles, other: Shingles) -> bool:
    smaller = min(len(one), len(other))
    return smaller > 0 and len(one & other) >= COPY_SHARE * smaller


def fold_copies(ranked: Sequence[Source]) -> list[Source]:
    """The sources in their order, each copy folded into the first source of its text."""
    kept: list[tuple[Source, Shingles]] = []
    for source in ranked:
        own = shingles(source.text)
        for index, (first, seen) in enumerate(kept):
            if _same_policy(source, first) and is_copy(own, seen):
                kept[index] = (with_copy(first, source.path), seen)
                break
        else:
            kept.append((source, own))
    return [source for source, _ in kept]


def with_copy(source: Source, path: str) -> Source:
    """`source`, naming `path` among the files holding it too (its own file: no news)."""
    if path == source.path or path in source.copies:
        return source
    return replace(source, copies=(*source.copies, path))


def _same_policy(one: Source, other: Source) -> bool:
    """Whether whatever may see one may see the other: a copy is folded only into a source of
    its own collection and local-only flag, so a policy that withholds one (an MCP client's,
    a remote model's) withholds its copies with it and never hides a copy it would share."""
    return (one.collection, one.local_only) == (other.collection, other.local_only)
