"""The content terms of a question or a passage, for lexical coverage.

A term is a word lower-cased and lightly stemmed ("planted" and "plant", "pickup" and
"pickups" meet) and without its accents ("Gödel" and "Godel" meet, as they do in the
full-text index), or a technical token kept whole as well as in parts: `str.partition`,
`lru_cache`, `--almost-all`, `$RANDOM`, `2>&1` are terms, and so are `partition`, `lru`,
`cache`, `almost` and `random`. Stop words, including the words every question is made of
("how", "what", "does", "use"), are not terms: coverage counts what the question is about,
except a stop word that is a language's keyword and says so by the word after it: "the else
block of a try statement", "a with statement", "the in operator" are about `else`, `try`,
`with` and `in`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import pairwise

TOKEN = re.compile(  # a word or a technical token
    r"\d>&\d|[$-]*\w[\w.+/-]*\w|[$-]*\w"
)
_PARTS = re.compile(r"[^\W\d_]+|\d+")
_STOP_WORD_LIST = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing done down during each either
    else ever every few for from further get gets getting give given go goes had has have
    having he her here hers him his how i if in into is it its itself just let like ll me
    might more most much must my need needs no nor not now of off on once one only or other
    our out over own per please put re really said same say says see seem shall she should
    so some something such tell than that the their them then there these they thing things
    this those through thus to too try under until up us use used uses using ve very want
    wants was way ways we were what whatever when where whether which while who whom whose
    why will with within without would yes yet you your
"""
# Stop words typed as one word without their contraction's apostrophe ("whats", "im"), which
# light stemming would leave as terms ("whats" as "what"). A negation's stub is a term either
# way, as the documents' own "doesn't" is.
_CONTRACTIONS = "heres hows im ive thats theres theyre whats wheres whos youre youve"
STOP_WORDS = frozenset(_STOP_WORD_LIST.split() + _CONTRACTIONS.split())
# Stop words that are keywords of Python, shells or SQL, and the words (stemmed) that make
# one of them a keyword when they follow it: "else block", "try clause", "for loop".
_KEYWORDS = "and as do else for from if in is not or try until where while with"
KEYWORD_STOP_WORDS = frozenset(_KEYWORDS.split())
_KEYWORD_NOUNS = "block claus statement keyword loop operator builtin"
KEYWORD_NOUNS = frozenset(_KEYWORD_NOUNS.split())
_ADVERB_AFTER = "cdeghklmnrt"  # the letters before "-ly" in an adverb made of an adjective


def content_terms(text: str) -> list[str]:
    """The terms of `text` in order, repeats kept (a caller wanting a set makes one)."""
    terms: list[str] = []
    tokens = [match.group().strip(".") for match in TOKEN.finditer(folded(text))]
    for token, following in pairwise([*tokens, ""]):
        parts = _PARTS.findall(token)
        keyword = token in KEYWORD_STOP_WORDS and stem(following) in KEYWORD_NOUNS
        if keyword or len(parts) > 1 or token != (parts[0] if parts else token):
            terms.append(token)
        terms.extend(stem(part) for part in parts if part not in STOP_WORDS and len(part) > 1)
    return terms


def folded(text: str) -> str:
    """`text` lower-cased, its letters without their accents, as the full-text index folds
    them: a question typed without them ("Dissertacoes", "Godel") is about "Dissertações"
    and "Gödel", and one in another script keeps its letters."""
    lower = unicodedata.normalize("NFKC", text).casefold()
    if lower.isascii():
        return lower
    return "".join(c for c in unicodedata.normalize("NFKD", lower) if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Just enough stemming for overlap: plurals, -ing, -ed and a final -e come off, and an
    adverb meets its adjective ("numerically" and "numeric", "recursively" and "recursive")."""
    if word.isdigit() or len(word) <= 3:
        return word
    word = _adjective(word)
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", "e")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + keep
            break
    else:
        if word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]  # running -> runn -> run
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def _adjective(word: str) -> str:
    """The adjective of an adverb, and "-ical" as "-ic": "manually" is "manual", "quickly"
    "quick", "numerically" and "numerical" are "numeric". Only after a letter an adjective
    ends with, so "family", "supply" and "assembly" stay nouns and verbs."""
    if word.endswith("ly") and len(word) >= 6 and word[-3] in _ADVERB_AFTER:
        word = word[:-2]
    if word.endswith("ical") and len(word) >= 7:
        word = word[:-2]
    return word
