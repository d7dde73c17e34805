"""Misspelt words of a question, and the word the documents use instead.

"What is the default compresion level of gzip?" was refused: "compresion" is in no
document, and a word the embedding model does not know whole reads as a name the documents
must mention (`assistant.ask.names`). A typo is one edit away from the word meant, and that
word is in the index, often. Of real-tune's answerable questions with one typo in their
longest word (`python -m eval.typos`), 1 of 75 was answered before this, 68 after; of
real-report's, 1 of 81 and 75. With two middle letters of their first four-letter word
swapped ("bsah", "gizp"), 2 of 47 and 3 of 48 before the swap was put right, 40 and 46 after.

Two kinds of correction, so that a name is never "corrected" into another name (`pyenv` is
not `pyvenv`, nor `zsh` `ssh`):

- into an ordinary word (one the embedding model knows whole, or a common English word): any
  one edit, a letter left out, added, changed, or two neighbours swapped ("enviroment",
  "pyhton", "sesion");
- into a name: only two neighbouring letters swapped or a letter doubled or undoubled
  ("symilnk", "argpaarse", "subproocess", "funnctools.lru_cache"), the slips of a hand that
  knows the word, which rarely turn one name into another; a name of `LONG_NAME` characters
  or more by any one edit too ("timedlta", "statistis", "fndutils"): names that long are not
  one letter apart; and such a name two letters short of the name the documents write in
  full, as people shorten it: "How do I restart a postgres cluster?" was refused over
  postgresql-common's README, which writes "postgresql" only.

The misspelling has at least `MIN_LETTERS` characters (`SHORT_LETTERS` when two neighbouring
letters swapped: "tial" is "tail"), no chunk holds it, and it is no word of
its own ("Flask" is not a misspelt "flash"); the correction keeps the first letter unless two
letters swapped (a slip rarely changes it: "bigest" is "biggest", not "digest"), an ordinary
word has `MIN_LETTERS` letters too ("conda" is not "cond"), and of the corrections that
`MIN_CHUNKS` chunks at least hold, the one most chunks hold is taken; a slip of a stop word
("gvie", "whcih") is put right into it with no count, since it is never searched for. The
retriever searches again with the correction only when a passage the asker may see holds it
(or it is a stop word), and the answer says what was searched for
(`assistant.ask.retrieval`): the counts are index-wide and may come from collections kept
from the asker.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from assistant.ask.names import ChunkCounts, KnownWord
from assistant.ask.terms import STOP_WORDS, content_terms

MIN_LETTERS = 5  # shorter words are too near other words: "fish" and "fist", "tmux" and "tmp"
# A word of this many letters, under MIN_LETTERS, is put right only by two neighbouring
# letters swapped back ("tial -f" is "tail -f"): of such words' other slips and edits most
# make another word, but a swap rarely does.
SHORT_LETTERS = 4
MIN_CHUNKS = 2  # a correction the index holds once may be a typo of its own
LONG_NAME = 8  # a name this long is one edit from no other name: any edit may put it right
# At most this many of a question's unknown words are tried: a question with more is a paste
# (a listing of 123 dotted names took 1.5 s to try, each word's edits counted in the index),
# not a sentence with a slip or two.
MAX_TRIED = 4
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_SPELLABLE = re.compile(r"[A-Za-z][A-Za-z0-9._-]*[A-Za-z0-9]")


Visible = Callable[[str], int]  # how many passages the asker may see hold a word


@dataclass(frozen=True, slots=True)
class Respelling:
    """A word as the question wrote it, and as it was searched for."""

    word: str
    correction: str


class Speller:
    """Puts misspelt words right, from the terms the index holds (`chunk_counts`) and the
    words the embedding model knows (`known_word`)."""

    def __init__(self, known_word: KnownWord, chunk_counts: ChunkCounts):
        self._known_word = known_word
        self._chunk_counts = chunk_counts

    def respellings(self, words: Iterable[str], visible: Visible) -> list[Respelling]:
        """The words of `words` (the first `MAX_TRIED`) put right, each into a word
        `MIN_CHUNKS` passages the asker may see hold as written (`visible`: the index's
        counts are of stemmed terms, where "conde" counts as "cond"); a word with no sure
        correction is left out."""
        found = []
        for word in list(dict.fromkeys(words))[:MAX_TRIED]:
            corrections = self._corrections(word)
            correction = next(
                (c for c in corrections if _common(c) or visible(c) >= MIN_CHUNKS), None
            )
            if correction is not None:
                found.append(Respelling(word, correction))
        return found

    def _corrections(self, word: str) -> list[str]:
        """The sure corrections of `word`, the one most chunks hold first."""
        if len(word) < SHORT_LETTERS or not _SPELLABLE.fullmatch(word) or self._ordinary(word):
            return []  # too short to tell, or a word of its own ("Flask" is not "flash")
        short, long = len(word) < MIN_LETTERS, len(word) >= LONG_NAME
        slips = swapped(word) if short else slipped(word)
        first = word[0].casefold()
        edits = slips if short else one_edit_away(word) | (lengthened(word) if long else set())
        common = sorted(c for c in slips if _common(c))
        if common:
            return common  # a slip of a word every text uses ("gvie", "whcih") names nothing
        candidates = {c: _term(c) for c in edits if c in slips or c[0].casefold() == first}
        own = _term(word)
        counts = self._chunk_counts(sorted({*candidates.values(), own} - {""}))
        if not counts or counts.get(own, 0) > 0:
            return []  # no statistics, or the word itself is in the index
        held = sorted(
            (c for c, term in candidates.items() if counts.get(term, 0) >= MIN_CHUNKS),
            key=lambda c: (-counts[candidates[c]], c),
        )
        return [c for c in held if long or c in slips or self._ordinary(c)]

    def _ordinary(self, word: str) -> bool:
        return len(word) >= MIN_LETTERS and word.isalpha() and self._known_word(word.casefold())


def one_edit_away(word: str) -> set[str]:
    """Every word one edit from `word` (its letters' case kept): a letter left out, added,
    changed, or two neighbours swapped."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    left_out = {a + b[1:] for a, b in splits if b}
    changed = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    added = {a + c + b for a, b in splits for c in _LETTERS}
    return (left_out | changed | added | slipped(word)) - {word}


def lengthened(word: str) -> set[str]:
    """`word` with two letters more at its end: a long name as people shorten it, "postgres"
    for "postgresql"."""
    return {word + a + b for a in _LETTERS for b in _LETTERS}


def slipped(word: str) -> set[str]:
    """`word` with two neighbouring letters swapped, or a letter doubled or undoubled."""
    splits = [(word[:i], word[i:]) for i in range(len(word))]
    doubled = {a + b[0] + b for a, b in splits if b[0].isalpha()}
    undoubled = {a + b[1:] for a, b in splits if len(b) > 1 and b[0] == b[1]}
    return (swapped(word) | doubled | undoubled) - {word}


def swapped(word: str) -> set[str]:
    """`word` with two neighbouring letters swapped."""
    pairs = range(len(word) - 1)
    return {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in pairs} - {word}


def respelt(question: str, respellings: Sequence[Respelling]) -> str:
    """`question` with each misspelt word, wherever it stands whole, put right."""
    for respelling in respellings:
        question = re.sub(
            rf"(?<![\w.-]){re.escape(respelling.word)}(?![\w-]|\.\w)",
            respelling.correction,
            question,
        )
    return question


def _common(word: str) -> bool:
    """Whether `word` is one every text uses, a stop word: never searched for, so a correction
    into it needs no passage to hold it and tells nothing of what the index holds."""
    return word.casefold() in STOP_WORDS


def _term(word: str) -> str:
    """The term the index counts `word` under: a name whole, a word stemmed ("" for a stop
    word, which is not counted)."""
    terms = content_terms(word)
    return terms[0] if terms else ""
