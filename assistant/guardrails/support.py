"""Does a source support each sentence of the answer? Checked sentence by sentence.

Each sentence of the answer (`sentences.split_sentences`) is matched with its best
supporting passage: one sentence of a source, or two adjacent ones, whichever covers more of
the answer sentence's content words. Coverage is weighted by rarity among the sources'
passages, so a word found everywhere ("file", "use") counts for little; a word found in no
source counts as much as the rarest word found. A sentence is supported when the coverage
reaches `SUPPORT_SHARE` and every technical term, number, date and name in it occurs in some
source: "pip -m jupyte" fails on `jupyte` whatever else the sentence shares with the sources.
A fenced code block is supported when every name and option in it occurs in some source.

The status of a sentence says who stands behind it:

- `cited`: supported, and the model cited a source that supports it;
- `attributed`: supported, but the model cited nothing there (or a source that does not
  support it); `source` is the one margin matched. Shown as `[n]?`, never as a citation;
- `unsupported`: no source supports it, or a term in it occurs in no source. Shown as `[?]`;
- `skipped`: not a claim (fewer than three content words and no term, a heading, a statement
  that the documents do not say).
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from assistant.ask.sentences import passage_sentences
from assistant.ask.types import SentenceSupport, Source, SupportStatus
from assistant.guardrails import claims
from assistant.guardrails.citations import marker_numbers, strip_markers
from assistant.guardrails.sentences import TextUnit, code_spans, split_sentences

SUPPORT_SHARE = 0.5  # weighted share of a sentence's content words its best passage holds
MIN_CLAIM_WORDS = 3  # "Hope this helps." is no claim; "Keys live in the keyring." is
MAX_EVIDENCE_CHARS = 400
ATTRIBUTED_MARK = "[{number}]?"
UNSUPPORTED_MARK = "[?]"

_HEADING = re.compile(r"^\s*#{1,6}\s")
# "The documents do not say", "I could not find ...": true or not, no source can show it.
_ABSENCE = re.compile(
    r"\b(?:do(?:es)?n['’]?t|do(?:es)? not|could ?n['’]?o?t|cannot|can't|no)\b[^.]*?"
    r"\b(?:say|says|mention|mentions|contain|contains|cover|covers|specify|find|found|"
    r"information|answer|provide|provided|state|states)\b",
    re.IGNORECASE,
)
_FENCE_LINE = re.compile(r"^[ ]{0,3}(?:`{3,}|~{3,})[^\n]*$", re.MULTILINE)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class _Passage:
    number: int
    text: str
    words: frozenset[str]
    start: int  # where it is in its source's checked text


@dataclass(slots=True)
class SupportReport:
    """The support of every sentence of one answer."""

    sentences: list[SentenceSupport] = field(default_factory=list)

    @property
    def checked(self) -> int:
        return sum(s.status != "skipped" for s in self.sentences)

    @property
    def supported(self) -> int:
        return sum(s.status in ("cited", "attributed") for s in self.sentences)

    @property
    def share(self) -> float | None:
        """Supported share of the checked sentences; None when no sentence is a claim."""
        return round(self.supported / self.checked, 3) if self.checked else None

    @property
    def attributed(self) -> list[int]:
        """Sources margin matched to sentences the model did not cite, in order of first use."""
        numbers = (s.source for s in self.sentences if s.status == "attributed")
        return list(dict.fromkeys(n for n in numbers if n is not None))

    @property
    def unsupported(self) -> list[SentenceSupport]:
        return [s for s in self.sentences if s.status == "unsupported"]


def mark(sentence: SentenceSupport) -> str:
    """What margin shows after a sentence: `[n]?` (attributed), `[?]` (unsupported) or ""."""
    if sentence.status == "attributed" and sentence.source is not None:
        return ATTRIBUTED_MARK.format(number=sentence.source)
    return UNSUPPORTED_MARK if sentence.status == "unsupported" else ""


class SupportChecker:
    """Checks answer sentences against one answer's sources (number -> text); built by `of`,
    it knows their file lines too, and gives each sentence its evidence's line."""

    def __init__(self, sources: Mapping[int, str], located: Mapping[int, Source] | None = None):
        self._sources = dict(sources)
        # each source whose text ends its checked text, for the file line of a passage
        self._located = dict(located or {})
        self._numbers = set(sources)
        self._flat = {n: _flatten(text) for n, text in sources.items()}
        self._numbers_in = {
            n: {claims.normal_number(x) for x in claims.NUMBER.findall(text)}
            for n, text in sources.items()
        }

    @classmethod
    def of(cls, sources: Iterable[Source]) -> SupportChecker:
        """A checker for retrieved sources, each read as the model and the person read it: its
        heading path, then its text. A heading is the document's own words: an answer that
        names grep from the grep manual's title, or a default from a signature heading
        (`shutil.copytree(src, dst, symlinks=False, ...)`), names what its source holds."""
        sources = list(sources)
        texts = {s.number: f"{s.heading}\n\n{s.text}" if s.heading else s.text for s in sources}
        return cls(texts, {s.number: s for s in sources})

    @functools.cached_property
    def _passages(self) -> list[_Passage]:
        """Built at the first check, not before the model's first token."""
        return [p for n, text in self._sources.items() for p in _passages(n, text)]

    @functools.cached_property
    def _weights(self) -> dict[str, float]:
        counts: Counter[str] = Counter()
        for passage in self._passages:
            counts.update(passage.words)
        total = len(self._passages)
        return {word: math.log((total + 1) / (df + 0.5)) for word, df in counts.items()}

    @functools.cached_property
    def _novel_weight(self) -> float:
        return math.log((len(self._passages) + 1) / 1.5)  # as rare as the rarest found word

    def check_text(self, text: str) -> SupportReport:
        """Every sentence of an answer, with spans into `text`."""
        return SupportReport([self.check(text, unit) for unit in split_sentences(text)])

    def check(self, text: str, unit: TextUnit) -> SentenceSupport:
        """One sentence (or code block) of `text`."""
        piece = text[unit.start : unit.end]
        if unit.kind == "code":
            return self._check_code(unit, piece)
        cited = tuple(n for n in marker_numbers(piece) if n in self._numbers)
        prose, code = _prose_and_code(piece)
        words = claims.content_words(" ".join([prose, *code]))
        terms = claims.prose_terms(prose) + [t for c in code for t in claims.code_terms(c)]
        facts = claims.facts(prose)
        skipped = _HEADING.match(piece) or _ABSENCE.search(prose)
        if skipped or (len(words) < MIN_CLAIM_WORDS and not terms):
            return SentenceSupport(unit.start, unit.end, "skipped", unit.kind, cited=cited)
        missing = [t for t in dict.fromkeys(terms) if not self._has_term(t)]
        missing += [f for f in dict.fromkeys(facts) if not self._has_fact(f)]
        scored = self._best_passages(words)
        best = max(scored.values(), key=lambda p: p[0], default=(0.0, None))
        backing = [n for n in cited if scored.get(n, (0.0, None))[0] >= SUPPORT_SHARE]
        status: SupportStatus
        if missing or best[0] < SUPPORT_SHARE or best[1] is None:
            status, number, (score, passage) = "unsupported", None, best
        elif backing:
            status, number, (score, passage) = "cited", backing[0], scored[backing[0]]
        else:
            status, number, (score, passage) = "attributed", best[1].number, best
        return SentenceSupport(
            unit.start,
            unit.end,
            status,
            unit.kind,
            cited=cited,
            source=number if number is not None else (passage.number if passage else None),
            score=round(score, 3),
            evidence=_evidence(passage),
            missing=tuple(missing),
            line=self._line_of(passage),
        )

    def _check_code(self, unit: TextUnit, block: str) -> SentenceSupport:
        terms = claims.code_terms(_FENCE_LINE.sub(" ", block))
        if not terms:
            return SentenceSupport(unit.start, unit.end, "skipped", "code")
        missing = tuple(t for t in terms if not self._has_term(t))
        holders = Counter(n for t in terms for n in self._numbers if self._has_term(t, {n}))
        number = holders.most_common(1)[0][0] if holders else None
        status: SupportStatus = "unsupported" if missing or number is None else "attributed"
        score = round(1 - len(missing) / len(terms), 3)
        return SentenceSupport(
            unit.start, unit.end, status, "code", source=number, score=score, missing=missing
        )

    def _best_passages(self, words: set[str]) -> dict[int, tuple[float, _Passage | None]]:
        """Per source, the weighted coverage of `words` by its best passage. The sums are
        exact (`math.fsum`), so a set's order, which the process's string hashing decides,
        cannot break a tie: the first passage of equal coverage, a single sentence before
        the pair that holds it, is always the one shown and placed."""
        total = math.fsum(self._weight(w) for w in words)
        best: dict[int, tuple[float, _Passage | None]] = {}
        if not total:
            return best
        for passage in self._passages:
            covered = math.fsum(self._weight(w) for w in words & passage.words) / total
            if covered > best.get(passage.number, (-1.0, None))[0]:
                best[passage.number] = (covered, passage)
        return best

    def _line_of(self, passage: _Passage | None) -> int | None:
        """The file line the passage starts on; a heading's is its text's first line."""
        source = None if passage is None else self._located.get(passage.number)
        if passage is None or source is None:
            return None
        heading = len(self._sources[passage.number]) - len(source.text)
        return source.line_at(max(0, passage.start - heading))

    def _weight(self, word: str) -> float:
        return self._weights.get(word, self._novel_weight)

    def _has_term(self, term: str, numbers: set[int] | None = None) -> bool:
        wanted = term.lower().strip("$,;:").removesuffix("()").strip("{}")
        wanted = wanted.rstrip(".") or wanted
        flats = [self._flat[n] for n in (numbers or self._numbers)]
        if any(_contains(flat, wanted) for flat in flats):
            return True
        parts = wanted.split(".")  # module.function: both names in one source will do
        return len(parts) > 1 and any(all(_contains(f, p) for p in parts if p) for f in flats)

    def _has_fact(self, fact: str) -> bool:
        if claims.NUMBER.fullmatch(fact):
            number = claims.normal_number(fact)
            return any(number in found for found in self._numbers_in.values())
        return any(_contains(flat, fact.lower()) for flat in self._flat.values())


def check_support(text: str, sources: Mapping[int, str]) -> SupportReport:
    """The support of every sentence of `text` by `sources` (number -> text)."""
    return SupportChecker(sources).check_text(text)


def _passages(number: int, text: str) -> list[_Passage]:
    """Each sentence of a source (cut by the passage splitter, as evidence is), and each
    pair of adjacent sentences."""
    single = [
        _Passage(number, span.text, frozenset(claims.content_words(span.text)), span.start)
        for span in passage_sentences(text)
    ]
    pairs = [
        _Passage(number, f"{a.text} {b.text}", a.words | b.words, a.start)
        for a, b in itertools.pairwise(single)
    ]
    return single + pairs


def _prose_and_code(piece: str) -> tuple[str, list[str]]:
    """The sentence without code and markers, and the code spans' contents."""
    spans = code_spans(piece)
    code = [piece[a:b].strip("`") for a, b in spans]
    prose, position = [], 0
    for start, end in spans:
        prose.append(piece[position:start])
        position = end
    prose.append(piece[position:])
    return strip_markers(" ".join(prose)), code


def _flatten(text: str) -> str:
    return _SPACES.sub(" ", text.lower())


def _contains(flat: str, needle: str) -> bool:
    needle = _SPACES.sub(" ", needle.strip())
    if not needle:
        return True
    return re.search(rf"(?<![\w]){re.escape(needle)}(?![\w])", flat) is not None


def _evidence(passage: _Passage | None) -> str:
    if passage is None:
        return ""
    text = passage.text
    return text if len(text) <= MAX_EVIDENCE_CHARS else text[: MAX_EVIDENCE_CHARS - 1] + "…"
