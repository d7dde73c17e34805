"""The names a question asks about: what the documents must mention for an answer to exist.

"How do I install another Python version with pyenv?" sounds like the Python documentation,
and its evidence scores like it: most of its words are there. What it asks about, pyenv, is
not. Evidence scores cannot tell the two apart (one rare word in eight); a name can. A name
is a word of the question that reads as one:

- code-like: a dotted or underscored identifier (`multiprocessing.Pool`, `os.cpu_count`), an
  option (`--slurp`), a variable (`$RANDOM`), a version or file name (`3.12`, `environment.yml`);
  a whole number only where it numbers the name before it (`PEP 572`, `Windows 11`), not where
  it is a value the question gives ("slower than, say, 500 ms", `varchar(255)`, "since 1970"),
  and no value with a digit the question gives as an example ("a date string like
  2024-01-31", "e.g. 10:30"; "e.g." itself is Latin, not code);
- capitalised where a word need not be (`Excel`, `FIFA`, `Google`), not a sentence's first
  word;
- a word the embedding model does not know whole (`pyenv`, `zsh`, `tmux`, `conda`): the
  tokenizer cuts it into pieces, so dense similarity cannot vouch for it, only its letters
  can.

When a question tells its situation before it asks, only the sentences that ask name
anything (`assistant.ask.asking`).

In a question written in another language (`assistant.ask.question_language`) only code-like
words are names: there every word is unknown to an English vocabulary, and nouns may be
capitalised ("Wie lange muss Omas Apfelkuchen backen?").

A name with fewer than two letters or digits (`$x`, `-p`) is a placeholder, not a name; an
e-mail or web address is where to reply, a secret or personal value (a key, a phone
number) is data, and the frames of a pasted stack trace (`File "app.py", line 3, in main`
and the asker's own code line under it, `at com.example.App.run(App.java:12)`) say where the
asker's program failed, not what the question asks about: none of them is a name. Each name is
looked for by its terms (`assistant.ask.terms`): a dotted or underscored name whole, a key
chord in any of the ways documents write it ("Ctrl-C" as "Control-C", "Ctrl+C" or "C-c"), any
other by every word in it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from assistant.ask.asking import asking_sentences
from assistant.ask.question_language import reads_as_english
from assistant.ask.terms import STOP_WORDS, TOKEN, content_terms
from assistant.guardrails.detectors import find_pii
from assistant.guardrails.secret_keys import find_secrets
from assistant.guardrails.sentences import ABBREVIATIONS

_CODE_LIKE = re.compile(r"[._$@\d]|^[-~/]|[a-z][A-Z]")
_WHOLE_NAME = re.compile(r"[._$@]|^[-~/]")  # kept whole: os.walk, --slurp, $RANDOM, base_url
_SUFFIXES = ("s", "es", "ed", "d", "ing", "ly", "er")  # a known word's inflections are known
_MIN_ALNUM = 2
_VARIABLE = "$"  # a shell or environment variable's sigil: `$HOME` and `HOME` are one name
# An e-mail or web address in a question says where to reply or look, not what it is about.
_ADDRESS = re.compile(r"\S+@\S+|\b(?:https?|ftp)://\S+|\bwww\.\S+", re.IGNORECASE)
# A stack trace's frame: Python's `File "...", line N, in f` with the indented source and
# caret lines under it (and the trace's first line), or a Java or JavaScript `at f(file:N)`.
_STACK_FRAME = re.compile(
    r"^[ \t]*Traceback \(most recent call last\):"
    r'|^[ \t]*File "[^"\n]*", line \d+[^\n]*(?:\n[ \t]+(?!File ")[^\n]*)*'
    r"|^[ \t]+at [^\n]*:\d+\)?[ \t]*$",
    re.MULTILINE,
)
# A capitalised word before a whole number ("PEP ", "Windows "): the number names what it follows.
_NUMBERED = re.compile(r"\b[A-Z][\w-]*[ \t]+$")
_NUMBER = re.compile(r"\d+(?:\.\d+)*")
# Words that give an example, before a value with digits in it: "a date string like
# 2024-01-31", "a number such as 2.675", "e.g. 10:30". What a question asks about on a date
# ("What did we decide on 2024-03-12?") is a name.
_EXAMPLE_BEFORE = re.compile(
    r"\b(?:like|such as|e\.g\.,?|for example,?|for instance,?|say,)\s*['\"`‘“]?$", re.IGNORECASE
)
# A quantity: a number with its unit of size, time, frequency or screen, written on
# ("larger than 100MB", "every 5s", "1.5GiB") or after it ("100 MB"), is a value the question
# gives; "find files larger than 100MB" was refused, since no passage writes "100MB".
_UNITS = (
    r"(?:[kmgtp]i?b|[kmgt]|b|bytes?|bits?|[mµun]s|s|secs?|seconds?|mins?|minutes?|h|hrs?"
    r"|hours?|d|days?|px|pt|em|[kmg]?hz|fps|dpi|x)"
)
_QUANTITY = re.compile(rf"\d+(?:\.\d+)?{_UNITS}", re.IGNORECASE)
_UNIT = re.compile(_UNITS, re.IGNORECASE)
_NUMBER_BEFORE = re.compile(r"\d[ \t]*$")
# An operator between two numbers, a spaced minus included ("2 - 1"), not a hyphen ("3.12-slim").
_OPERATOR_BEFORE = re.compile(r"[\d)](?:\s*(?:[+*/%<>=]+|\*\*)|\s+-)\s*$")
_OPERATOR_AFTER = re.compile(r"\s*(?:[+*/%<>=]+|-\s)\s*[\d(.]")
_LOOK_BACK = 16  # characters before a word searched for the end of a sentence
_BEFORE_NOTHING = re.compile(r"[\W_]*")
_SENTENCE_END = re.compile(r"(?:[.?!:;]\s+|\n\s*)[\W_]*$")
_MIN_PREFIX = 3  # shortest stem that mentions a longer word it begins
# ... by one of the endings light stemming leaves between two forms of a word ("bak" from
# "baked" and "bake"): "pip" does not mention "pipx", nor "log" "logrotate".
_ENDINGS = frozenset({"e", "s", "d", "es", "ed", "er", "ly"})
_JOINED = re.compile(r"[-/]")  # "Kwik-Fit", "yes/no": each word is known or not on its own
# A release number, which documents write in several ways: "Git 2.39" is mentioned by
# "v2.39", "2.39.0" and "git-2.39.0-relnotes.txt", not by "2.390", "12.39" or "1.2.39".
_RELEASE = re.compile(r"v?(\d+(?:\.\d+)+)", re.IGNORECASE)
# A key chord, which documents write in several ways: "Ctrl-C" is mentioned by "Control-C",
# "Ctrl+C" and Emacs's "C-c" (Python's pages say "Control-C" where a person types "Ctrl-C").
_CHORD = re.compile(r"(?:ctrl|control|ctl|cntrl)[-+](\w.*)", re.IGNORECASE)
_CHORD_KEYS = re.compile(r"[-+]")
_CONTROL_NAMES = ("ctrl", "control", "ctl")

KnownWord = Callable[[str], bool]


class ChunkCounts(Protocol):
    """How many chunks hold each term, of the documents at `paths` when given, else of the
    index; None when the counts cannot be had (`TermStatistics.chunk_counts`)."""

    def __call__(
        self, terms: list[str], paths: list[str] | None = None
    ) -> dict[str, int] | None: ...


@dataclass(frozen=True, slots=True)
class Name:
    """A name of the question as written, and the terms that mention it."""

    text: str
    terms: tuple[str, ...]  # all of them must be found for the name to be mentioned
    whole: bool = False  # a code-like name: only its exact term mentions it
    forms: tuple[str, ...] = ()  # a key chord's ways of being written: any one mentions it

    @property
    def counted(self) -> tuple[str, ...]:
        """The terms whose chunk counts say how often the index mentions the name."""
        return self.forms or self.terms

    def chunks(self, counts: dict[str, int]) -> int:
        """How many chunks of the index mention the name, by `counts` of its `counted` terms:
        those writing a chord any way, those holding every term of another name (at most)."""
        if self.forms:
            return sum(counts.get(form, 0) for form in self.forms)
        return min(counts.get(term, 0) for term in self.terms)

    def mentioned_in(self, terms: set[str]) -> bool:
        """Whether `terms` (a passage's) mention the name. A word is also mentioned by a term
        one inflection's ending away: light stemming leaves "baked" as "bak" and "bake"
        whole."""
        if self.forms:
            return any(form in terms for form in self.forms)
        if self.whole:
            return _code_found(self.terms[0], terms) or _release_found(self.text, terms)
        return all(term in terms or _prefix_found(term, terms) for term in self.terms)


def every_word_known(word: str) -> bool:
    """No vocabulary to consult: only code-like and capitalised words are names."""
    return True


def tokenizer_vocabulary(count_tokens: Callable[[str], int]) -> KnownWord:
    """A word is known when the embedding model's tokenizer reads it as one token (the
    count includes the model's special tokens, measured on the empty text)."""
    special = count_tokens("")

    def known(word: str) -> bool:
        return any(count_tokens(form) - special == 1 for form in _forms(word))

    return known


def question_names(question: str, known_word: KnownWord) -> list[Name]:
    """The names of `question`, in order, each once."""
    text = unicodedata.normalize("NFKC", question)
    text = _without_personal_data(_ADDRESS.sub(" ", _STACK_FRAME.sub(" ", text)))
    names: dict[tuple[str, ...], Name] = {}
    english = reads_as_english(text)
    text = asking_sentences(text)
    for match in TOKEN.finditer(text):
        token = match.group().strip(".")
        if sum(c.isalnum() for c in token) < _MIN_ALNUM or not content_terms(token):
            continue
        if "." in token and token.casefold() in ABBREVIATIONS:
            continue  # "e.g.", "i.e.": dotted, but not code
        if _is_value(token, text[: match.start()], text[match.end() :]):
            continue
        first = _starts_sentence(text[: match.start()])
        if not _reads_as_name(token, first=first, english=english, known_word=known_word):
            continue
        name = _name(token)
        names.setdefault(name.terms, name)
    return list(names.values())


def _is_value(token: str, before: str, after: str) -> bool:
    """Whether a number is a value the question gives, not a name: a whole number that does
    not number the name before it ("500 ms", not "PEP 572"), any number an operator joins
    to another ("0.1 + 0.2", "x == 0.3"; not "3.12" in "Python 3.12"), a quantity ("100MB",
    "100 MB"), or anything with a digit the question gives as an example ("like 2024-01-31")."""
    if any(c.isdigit() for c in token) and _EXAMPLE_BEFORE.search(before):
        return True
    if _QUANTITY.fullmatch(token) or (_UNIT.fullmatch(token) and _NUMBER_BEFORE.search(before)):
        return True
    if not _NUMBER.fullmatch(token):
        return False
    if token.isdigit() and not _NUMBERED.search(before):
        return True
    return _OPERATOR_BEFORE.search(before) is not None or _OPERATOR_AFTER.match(after) is not None


def _without_personal_data(text: str) -> str:
    """Secrets and personal data blanked: a key or a phone number in a question is not what it
    asks about, and a refusal must not repeat it."""
    for span in [*find_secrets(text), *find_pii(text)]:
        text = text[: span.start] + " " * (span.end - span.start) + text[span.end :]
    return text


def _starts_sentence(before: str) -> bool:
    """Whether a word after `before` starts a sentence, where a capital is grammar."""
    if _BEFORE_NOTHING.fullmatch(before):
        return True
    return _SENTENCE_END.search(before[-_LOOK_BACK:]) is not None


def _reads_as_name(token: str, *, first: bool, english: bool, known_word: KnownWord) -> bool:
    if _CODE_LIKE.search(token):
        return True
    if not english:
        return False
    if token.isupper() or (token[0].isupper() and not first):
        return True
    return not _known_words(token, known_word)


def _known_words(token: str, known_word: KnownWord) -> bool:
    """Whether each word of `token` is known on its own ("yes/no", "Kwik-Fit": each part)."""
    return all(_known(part.casefold(), known_word) for part in _JOINED.split(token) if part)


def _known(word: str, known_word: KnownWord) -> bool:
    """A known word, or an auxiliary's negation typed without its apostrophe ("doesnt",
    "isnt", "shouldnt"), which a tokenizer cuts in two."""
    return known_word(word) or (word.endswith("nt") and word[:-2] in STOP_WORDS)


def _name(token: str) -> Name:
    terms = content_terms(token)
    chord = _CHORD.fullmatch(token)
    if chord is not None:
        return Name(token, tuple(terms), forms=_chord_forms(chord.group(1).casefold()))
    if _WHOLE_NAME.search(token):
        return Name(token, (terms[0],), whole=True)  # content_terms puts it whole first
    words = [term for term in terms if "-" not in term]  # "Kwik-Fit": "kwik" and "fit"
    return Name(token, tuple(dict.fromkeys(words or terms)))


def _chord_forms(keys: str) -> tuple[str, ...]:
    """The ways of writing Ctrl with `keys` ("c", "shift+t"): each name of the Ctrl key, the
    keys joined by "-" or by "+", and Emacs's "C-c" for a single key."""
    pressed = _CHORD_KEYS.split(keys)
    forms = [f"{control}{join}{join.join(pressed)}" for control in _CONTROL_NAMES for join in "-+"]
    if len(pressed) == 1:
        forms.append(f"c-{keys}")
    return tuple(forms)


def _code_found(term: str, terms: set[str]) -> bool:
    """Whether `terms` write the code-like `term` in one of the forms documents use for it:
    a variable with or without its `$` (`$SYSTEMD_OFFLINE=1` mentions `SYSTEMD_OFFLINE`, and
    `SYSTEMD_OFFLINE` mentions `$SYSTEMD_OFFLINE`), a function or attribute with its module
    before it (`yaml.safe_load(stream)` mentions `safe_load`). A number is no attribute:
    "1.2.39" does not mention "2.39" (`_release_found` says what does)."""
    if term in terms:
        return True
    bare = term.removeprefix(_VARIABLE)
    attribute = "." + bare if not bare[:1].isdigit() else None
    return any(
        other.removeprefix(_VARIABLE) == bare or (attribute and other.endswith(attribute))
        for other in terms
    )


def _release_found(name: str, terms: set[str]) -> bool:
    release = _RELEASE.fullmatch(name)
    if release is None:
        return False
    written = re.compile(rf"(?<![\d.]){re.escape(release.group(1))}(?!\d)")
    return any(written.search(term) for term in terms)


def _prefix_found(term: str, terms: set[str]) -> bool:
    if len(term) < _MIN_PREFIX:
        return False
    return any(len(other) >= _MIN_PREFIX and _one_ending_apart(term, other) for other in terms)


def _one_ending_apart(one: str, other: str) -> bool:
    shorter, longer = sorted((one, other), key=len)
    return longer.startswith(shorter) and longer[len(shorter) :] in _ENDINGS


def _forms(word: str) -> Iterable[str]:
    """The word and its nearest inflections: a vocabulary may hold "baked" but not "bake"."""
    yield word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            yield stem
            yield stem + "e"
        yield word[:-1] + suffix if word.endswith("e") and suffix[0] in "ei" else word + suffix


@dataclass(frozen=True, slots=True)
class MissingName:
    """A name none of the sources mentions, and how many chunks of the index do (few)."""

    text: str
    chunks: int


class NameCheck:
    """Which names of a question the sources found do not mention, where the index mentions
    them in at most `passing_mentions` chunks: never, or only in passing somewhere else. A
    name the index mentions more often is a ranking miss, not a sign that nothing answers;
    so is one that another chunk of a source's own document mentions: "CTE" in a question
    that found PostgreSQL's page on WITH queries, which writes "CTE" in 4 of its 35 chunks,
    none of them among the sources. A capitalised ordinary word is not mentioned that way:
    "drive" elsewhere on a page is the word, not "Google Drive"."""

    def __init__(self, known_word: KnownWord, chunk_counts: ChunkCounts, passing_mentions: int):
        self.known_word = known_word
        self._chunk_counts = chunk_counts
        self._passing = passing_mentions

    def missing(
        self, question: str, passages: Iterable[str], documents: Iterable[str] = ()
    ) -> list[MissingName]:
        """The names none of `passages` mentions, nor the `documents` (paths) they are from."""
        names = question_names(question, self.known_word)
        if not names:
            return []
        found = {term for passage in passages for term in content_terms(passage)}
        unfound = [name for name in names if not name.mentioned_in(found)]
        if not unfound:
            return []
        counts = self._chunk_counts(sorted({t for name in unfound for t in name.counted}))
        if counts is None:  # no statistics: a name alone never refuses
            return []
        rare = [name for name in unfound if name.chunks(counts) <= self._passing]
        paths = sorted(set(documents))
        unknown = [name for name in rare if not self._is_word(name)]
        if unknown and paths:
            near = self._chunk_counts(sorted({t for name in unknown for t in name.counted}), paths)
            if near is not None:
                rare = [name for name in rare if name not in unknown or name.chunks(near) == 0]
        return [MissingName(name.text, name.chunks(counts)) for name in rare]

    def _is_word(self, name: Name) -> bool:
        """A name that is a known word written with a capital ("Drive", "Porto")."""
        if name.forms or _CODE_LIKE.search(name.text):  # a chord, or code (`whole` is code)
            return False
        return _known_words(name.text, self.known_word)
