"""Copies: a passage kept in several files is one result, not several.

People keep the same text in more than one place: a page saved as HTML and as Markdown,
`paper.pdf` next to `paper (1).pdf`, a folder synced twice. Node's API documentation ships
each page as `.md` and `.html`, and all of them again in `all.html`: asked how to build an
addon, margin's top six held the same "Building" paragraph three times, from three files,
and left no room for the next passage.

A source is a copy of one ranked above it when most of its word sequences are that one's:
the share of the smaller one's five-word shingles (words in lower case, markup and
punctuation left out, so Markdown's "### Building `addon.node`" reads as the HTML's
"Building addon.node") found in the other is at least `COPY_SHARE`. The same page in two
formats is cut into chunks at other places, so a source is also a copy when that share of its
shingles is in the file of one ranked above: in its chunks among the candidates, and when
they hold part of it (`PART_SHARE`), in the chunks next to that one, read from the index.
Git's documentation ships each manual page as asciidoc and as HTML, Python's its pages as
HTML and, under `_sources`, as reStructuredText. A chunk of git-stash.txt found for "What
does git stash pop do?" has 44% of its shingles in the best chunk of git-stash.html, and all
of its chunks but the last have 82% or more in the HTML's chunks taken together. The first
keeps its place and names the files of its copies (`Source.copies`); the copies leave the
results. Only copies in the same collection, with the same local-only flag, are folded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from assistant.ask.types import Source

COPY_SHARE = 0.7  # of the smaller passage's shingles found in the other
PART_SHARE = 0.3  # of a passage's shingles in another file: that file's next chunks are read
SHINGLE_WORDS = 5
_WORD = re.compile(r"\w+")

Shingles = frozenset[tuple[str, ...]]
Around = Callable[[Sequence[Source]], Mapping[str, Sequence[str]]]  # neighbours' texts by file


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


def fold_copies(ranked: Sequence[Source], around: Around | None = None) -> list[Source]:
    """The sources in their order, each copy folded into the first source of its text;
    `around` reads the chunks next to sources in their files (None: only candidates count)."""
    own = [shingles(source.text) for source in ranked]
    files: dict[str, set[tuple[str, ...]]] = {}
    for source, seen in zip(ranked, own, strict=True):
        files.setdefault(source.path, set()).update(seen)
    partly = _partly_copied(ranked, own, files)
    if around is not None and partly:
        for path, texts in around(partly).items():
            files[path].update(*(shingles(text) for text in texts))
    kept: list[tuple[Source, Shingles]] = []
    for source, seen in zip(ranked, own, strict=True):
        index = _original(source, seen, kept, files)
        if index is None:
            kept.append((source, seen))
        else:
            first, first_seen = kept[index]
            kept[index] = (with_copy(first, source.path), first_seen)
    return [source for source, _ in kept]


def _original(
    source: Source,
    seen: Shingles,
    kept: Sequence[tuple[Source, Shingles]],
    files: dict[str, set[tuple[str, ...]]],
) -> int | None:
    """Which kept source `source` is a copy of: the first that is a copy of it or it of,
    else, of those from another file holding most of it, the one sharing most with it."""
    allowed = [index for index, (first, _) in enumerate(kept) if _same_policy(source, first)]
    for index in allowed:
        if is_copy(seen, kept[index][1]):
            return index
    holding = [
        index
        for index in allowed
        if kept[index][0].path != source.path
        and _share(seen, files[kept[index][0].path]) >= COPY_SHARE
    ]
    return max(holding, key=lambda index: len(seen & kept[index][1]), default=None)


def _partly_copied(
    ranked: Sequence[Source], own: Sequence[Shingles], files: dict[str, set[tuple[str, ...]]]
) -> list[Source]:
    """The sources of each file that holds part of a source ranked below its first (at least
    `PART_SHARE` of its shingles, less than `COPY_SHARE`): the chunks next to them may hold
    the rest."""
    partly: set[str] = set()
    first_seen: set[str] = set()
    for index, source in enumerate(ranked):
        if source.path in first_seen:
            continue
        first_seen.add(source.path)
        below = zip(ranked[index + 1 :], own[index + 1 :], strict=True)
        if any(
            other.path != source.path
            and _same_policy(source, other)
            and PART_SHARE <= _share(seen, files[source.path]) < COPY_SHARE
            for other, seen in below
        ):
            partly.add(source.path)
    return [source for source in ranked if source.path in partly]


def _share(passage: Shingles, text: set[tuple[str, ...]]) -> float:
    return len(passage & text) / len(passage) if passage else 0.0


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
