"""Evidence: the sentences of the retrieved chunks that answer the question, best first.

A chunk holds about 200 word pieces; the fact a question asks for is often one sentence of
it, next to text about something else ("The hydrangeas were planted on 14 April 2021" in a
page of garden notes). Judged as a whole, such a chunk looks barely related (cosine 0.25);
judged sentence by sentence, it holds an exact answer. So every candidate chunk is split
into sentences (`assistant.ask.sentences`), and each sentence is scored by:

- lexical coverage: the share of the question's terms found in the sentence, its
  neighbours and its chunk's heading path, each term weighted by its IDF in the index, so
  "hydrangeas" counts for more than "planted" and a term nowhere in the index counts most;
  a term found only in a fenced code block counts for a quarter, unless the question asks how
  to do something: what a page says of a name answers "what" and "why" before an example
  that uses it, and a command may be what answers "how do I";
- dense similarity: the cosine between the question's vector (already computed for
  retrieval) and the sentence's, for the few sentences most likely to be the best: those
  whose window and whose own words hold most of the question's terms. Embedding costs about
  as much per word piece as embedding the question, so only `dense_sentences` are embedded,
  one at a time (a batch would pad each to the longest). See bench/evidence_overhead.py.
  `retrieval.dense_sentences` sets how many; its default is 0 (none: on real documents it
  ranked and quoted no better than coverage alone, see assistant/config.py), and the relevance
  gate reads the chunks' cosines, not the sentences'.

A window is a sentence with one neighbour on each side, within its entry: a Markdown file's
"## Heading" line, a term over its indented definition (a manual page's option line), or
a short label line over its description (an HTML definition list's term, "--amend:"),
starts a window, and a window stops before the next one (tiny notes are packed into one
chunk, and the entry above a heading is another's). A chunk that opens inside a sentence
lends that tail to no other sentence's window. The best windows are what the prompt shows
first (`prompt_sources`), the best window's coverage is 60% of what the relevance gate
decides on (`assistant.ask.retrieval`), and its sentence is what a quote answer quotes
(`assistant.ask.quote`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal, Protocol

from assistant.ask.asking import asks_how_to
from assistant.ask.quote_layout import LIST_ITEM, fences
from assistant.ask.sentences import MIN_WORDS, TextSpan, passage_sentences, starts_mid_sentence
from assistant.ask.terms import content_terms
from assistant.ask.types import Source
from assistant.ask.written_entries import opens_option_entry
from ingest.markdown_syntax import front_matter_lines, heading_starts, is_markdown
from ingest.sections import after_opening_heading

if TYPE_CHECKING:
    import numpy as np

    from assistant.ask.names import ChunkCounts

DENSE_SHARE = 0.5  # weight of dense similarity against lexical coverage in a sentence's score
NEIGHBOURS = 1  # sentences on each side of the best one in a window
# A sentence ending a fenced code block ends its window: the block says what it has to say,
# and the text after it starts something else.
CODE_END = ("```", "~~~")
# The share of a window's source's place in the ranking (1 / its number) in the order of the
# windows once sources are numbered: between two windows about as good by their words, the
# one of the chunk retrieval ranked higher (by its whole text, dense and full-text) comes
# first. Quote containment, 0 -> 0.1: eval/real-tune.jsonl 0.659 -> 0.671 (extraction 13) and
# 0.610 -> 0.634 (14), docs/golden.jsonl 0.780 -> 0.800 on both; 0.05 and 0.15 gained less
# on one set or lost on the other. Sources and their order do not change.
SOURCE_RANK_SHARE = 0.1
# A window of fewer than MIN_WORDS words, all its entry holds (a manual page's "SYNOPSIS
# /etc/fstab", its FILES section's "/etc/fstab, <fstab.h>"), names what its heading is about
# and says nothing of it; its score keeps this share. It had been quoted as the answer to
# "What should the last number on the root filesystem's line in /etc/fstab be?" and "What goes
# on each line of /etc/hosts?" (eval/real-tune2.jsonl, real-tune.jsonl); at 0.5 the first
# still was, its source ranked first (SOURCE_RANK_SHARE). No other answer of the tuning sets,
# golden or the trials changed but one of pip's trial, which quotes another heading's three
# words instead of "Usage". Refusals do not change: the gate reads coverage.
FRAGMENT_SHARE = 0.2
# What a question's term counts for in a window's coverage when only a fenced code block of
# the window holds it, not its prose or heading, unless the question asks how to do
# something (`asks_how_to`). An example using a name tied with the sentence saying what it
# does, and its chunk ranked first: for "What happens if I pass maxsize=None to
# functools.lru_cache?", `@lru_cache(maxsize=None)` over "If maxsize is set to None, the LRU
# feature is disabled". Containment, 1 -> 0.25: eval/real-tune2.jsonl 0.56 -> 0.58 (0 the
# same, 0.4 and 0.5 no gain), the PostgreSQL trial 0.227 -> 0.273, real-tune and the other
# trials the same; no refusal changed. For every question, not only those not asking how to,
# the same figures, but how-to answers lost their command ("git log -S'foo()'") or grew
# ("On Windows, run: ..." before the Unix one). Held out, eval/real-report.jsonl 0.590 ->
# 0.602.
CODE_TERM_SHARE = 0.25
PROMPT_WINDOWS = 3  # evidence windows the model reads before the sources themselves
EntryStart = Literal["", "heading", "term"]  # how a sentence starts an entry, if it does
LABEL_WORDS = 4  # the most words of a term over its description ("-m <msg>:", "--amend:")
_SENTENCE_STOPS = (".", ",", ";", ":", "!", "?")  # a term line ends with none of them


class SentenceEmbedder(Protocol):
    def embed_queries(self, texts: list[str]) -> np.ndarray: ...


TermWeights = Callable[[Iterable[str]], dict[str, float]]


def uniform_weights(terms: Iterable[str]) -> dict[str, float]:
    """Every term weighs the same: lexical coverage without index statistics."""
    return dict.fromkeys(terms, 1.0)


@dataclass(frozen=True, slots=True)
class EvidenceWindow:
    """One sentence of a source, with its neighbours, and how well it answers the question."""

    source: Source
    sentence: TextSpan  # offsets into source.text
    window: TextSpan  # the sentence and its neighbours, offsets into source.text
    coverage: float  # 0..1, IDF-weighted share of question terms in window and heading
    similarity: float | None  # cosine with the question; None when not embedded
    score: float  # 0..1, what windows are ranked by
    entry_end: int | None = None  # where the next entry (heading, term) starts; None: no next
    # where the window's entry starts: its term, or the text under the heading its chunk opens
    # with; None: neither holds it
    entry_start: int | None = None
    terms: frozenset[str] = frozenset()  # the question's terms the window and its heading hold


@dataclass(frozen=True, slots=True)
class Evidence:
    """Every scored window of the sources, best first, and the question's weighted terms
    (with the index's counts of them, when it has any)."""

    windows: list[EvidenceWindow]
    term_weights: dict[str, float]
    term_counts: ChunkCounts | None = None

    def unseen(self) -> frozenset[str]:
        """The question's terms no chunk of the index holds; none without the counts."""
        if self.term_counts is None or not self.term_weights:
            return frozenset()
        counts = self.term_counts(sorted(self.term_weights)) or {}
        return frozenset(term for term, chunks in counts.items() if chunks == 0)

    @property
    def best(self) -> EvidenceWindow | None:
        return self.windows[0] if self.windows else None

    def held_by_best(self) -> frozenset[str]:
        """The question's terms the best window and its heading hold."""
        return self.best.terms if self.best is not None else frozenset()

    @property
    def best_coverage(self) -> float:
        """The highest lexical coverage of any window, 0..1; 0.0 when nothing was found."""
        return max((w.coverage for w in self.windows), default=0.0)

    def for_source(self, number: int) -> list[EvidenceWindow]:
        return [w for w in self.windows if w.source.number == number]

    def best_by_source(self) -> dict[str, float]:
        """The score of each source's best window, by source id."""
        best: dict[str, float] = {}
        for window in self.windows:
            best.setdefault(window.source.id, window.score)
        return best

    def renumbered(self, sources: Mapping[str, Source]) -> Evidence:
        """The windows of these sources (by id) only, pointing at them, ranked again with
        their source's place in the answer's ranking (`SOURCE_RANK_SHARE`)."""
        windows = [
            replace(w, source=sources[w.source.id]) for w in self.windows if w.source.id in sources
        ]
        windows.sort(key=_with_source_rank)  # stable: ties keep the selector's order
        return Evidence(windows, self.term_weights, self.term_counts)


def _with_source_rank(window: EvidenceWindow) -> float:
    place = 1 / window.source.number  # numbered from 1
    return -((1 - SOURCE_RANK_SHARE) * window.score + SOURCE_RANK_SHARE * place)


class EvidenceSelector:
    """Scores the sentences of sources against a question; `dense_sentences` of them (the
    best by coverage) are embedded by `embedder`, none by default (`retrieval.dense_sentences`,
    whose default is 0 too: lexical scoring alone)."""

    def __init__(
        self,
        term_weights: TermWeights,
        embedder: SentenceEmbedder | None = None,
        *,
        dense_sentences: int = 0,
        term_counts: ChunkCounts | None = None,
    ):
        self._term_weights = term_weights
        self._term_counts = term_counts
        self._embedder = embedder if dense_sentences > 0 else None
        self._dense_sentences = dense_sentences

    def select(
        self, question: str, query_vector: np.ndarray | None, sources: Sequence[Source]
    ) -> Evidence:
        weights = self._term_weights(set(content_terms(question)))
        code_share = 1.0 if asks_how_to(question) else CODE_TERM_SHARE
        candidates = [
            candidate for source in sources for candidate in _windows(source, weights, code_share)
        ]
        similarities = self._similarities(query_vector, candidates)
        scored = [
            (_scored(candidate, similarities.get(index)), candidate)
            for index, candidate in enumerate(candidates)
        ]
        # Between windows of one score (without dense scores, the three windows around a
        # sentence holding the terms often tie), the one centred on that sentence comes first,
        # and one of the text before one of its front matter ("tags: [project-atlas]").
        scored.sort(
            key=lambda pair: (
                -pair[0].score,
                -pair[1].own,
                pair[1].front_matter,
                pair[0].source.number,
                pair[0].sentence.start,
            )
        )
        return Evidence([window for window, _candidate in scored], weights, self._term_counts)

    def _similarities(
        self, query_vector: np.ndarray | None, candidates: list[_Candidate]
    ) -> dict[int, float]:
        if self._embedder is None or query_vector is None or not candidates:
            return {}
        chosen = sorted(range(len(candidates)), key=lambda i: -candidates[i].promise)
        similarities = {}
        for index in chosen[: self._dense_sentences]:
            vector = self._embedder.embed_queries([candidates[index].sentence.text])[0]
            similarities[index] = float(vector @ query_vector)
        return similarities


def prompt_sources(sources: Sequence[Source], evidence: Evidence) -> list[Source]:
    """What the model reads, in order: the best evidence windows, each labelled as its
    source, then the sources whole (a window only points the model at the fact)."""
    shown: list[EvidenceWindow] = []
    for window in evidence.windows:
        if len(shown) == PROMPT_WINDOWS:
            break
        if not any(_same_place(window, other) for other in shown):
            shown.append(window)
    return [replace(w.source, text=w.window.text) for w in shown] + list(sources)


def _same_place(one: EvidenceWindow, other: EvidenceWindow) -> bool:
    return (
        one.source.id == other.source.id
        and one.window.start < other.window.end
        and other.window.start < one.window.end
    )


@dataclass(frozen=True, slots=True)
class _Candidate:
    source: Source
    sentence: TextSpan
    window: TextSpan
    coverage: float  # of the window and heading
    own: float  # of the sentence alone
    entry_end: int | None  # where the next entry starts
    entry_start: int | None  # where the window's entry starts (its term, or under its heading)
    front_matter: bool  # the sentence is in a Markdown note's front matter
    terms: frozenset[str]  # the question's terms the window and its heading hold

    @property
    def promise(self) -> float:
        """How likely this sentence is the best: the sentence that itself holds the terms
        rather than its neighbour."""
        return self.coverage + self.own


def _windows(source: Source, weights: dict[str, float], code_share: float) -> list[_Candidate]:
    sentences = passage_sentences(source.text)
    heading = set(content_terms(source.heading))
    terms = [set(content_terms(s.text)) for s in sentences]
    blocks = fences(source.text)
    in_code = [any(start <= s.start < end for start, end, _ in blocks) for s in sentences]
    entries = _entry_starts(source, sentences)
    # A chunk opening with its section's heading (an entry's terms) starts the entry's text
    # after it: "When recording the commit, ..." under "-x".
    description = after_opening_heading(source.text, source.heading)
    lines = source.text.split("\n")
    metadata_end = (
        len("\n".join(lines[: front_matter_lines(lines)])) if is_markdown(source.path) else 0
    )
    total = sum(weights.values())

    def share(seen: set[str]) -> float:
        return sum(w for t, w in weights.items() if t in seen) / total if total > 0 else 0.0

    candidates = []
    # A chunk that starts inside a sentence (chunks overlap by a few words) starts with the
    # tail of a sentence the chunk before holds whole: no other sentence's window takes it.
    opening = 1 if sentences and starts_mid_sentence(source.text) else 0
    for index, sentence in enumerate(sentences):
        first = max(min(opening, index), index - NEIGHBOURS)
        last = min(len(sentences), index + NEIGHBOURS + 1)
        if sentence.text.rstrip().endswith(CODE_END):
            last = index + 1
        # A heading or a term starts an entry: what stands above it is another entry's.
        first = next((k for k in range(index, first, -1) if entries[k]), first)
        last = next((k for k in range(index + 1, last) if entries[k]), last)
        window = TextSpan(
            sentences[first].start,
            sentences[last - 1].end,
            " ".join(s.text for s in sentences[first:last]),
        )
        prose = heading.union(*(terms[k] for k in range(first, last) if not in_code[k]))
        code = set().union(*(terms[k] for k in range(first, last) if in_code[k])) - prose
        coverage = share(prose) + code_share * share(code)
        # A sentence's own share leaves out the heading's terms, which every window of the
        # source counts already: a heading line repeating them is not what answers.
        own = share(terms[index] - heading)
        entry_end = next(
            (sentences[k].start for k in range(last, len(sentences)) if entries[k]), None
        )
        entry = next((k for k in range(first, -1, -1) if entries[k]), None)
        if entry is not None and entries[entry] == "term":
            entry_start: int | None = sentences[entry].start
        elif description is not None and (entry is None or sentences[entry].start < description):
            entry_start = description
        else:
            entry_start = None
        candidates.append(
            _Candidate(
                source,
                sentence,
                window,
                coverage,
                own,
                entry_end,
                entry_start,
                sentence.start < metadata_end,
                frozenset((prose | code) & weights.keys()),
            )
        )
    return candidates


def _entry_starts(source: Source, sentences: Sequence[TextSpan]) -> list[EntryStart]:
    """Which sentences start an entry of their own, and how: a Markdown file's "## Heading"
    lines, and a term over its definition (a manual page's "-i[SUFFIX], --in-place" line: a
    line of its own at the start of its line, the next sentence on a later line and indented
    deeper; or the first line of its sentence, `_opens_with_term`; or an option's line with
    its description, flush left as in bash's PDFs, "-e Exit immediately if ...",
    `assistant.ask.written_entries`); "" for the others."""
    text = source.text
    headings = heading_starts(text) if is_markdown(source.path) else set()
    indents = [_line_indent(text, s.start) for s in sentences]
    # A chunk that opens inside a sentence ("encrypted channel and" over the indented rest of
    # one of ssh_config(5)'s) does not open a line: how far its first line is indented is not
    # known, and only a label's colon makes it a term.
    cut_off = starts_mid_sentence(text)
    starts: list[EntryStart] = []
    for index, sentence in enumerate(sentences):
        indent, below = indents[index], indents[index + 1] if index + 1 < len(sentences) else None
        opening = cut_off and index == 0
        term = (
            not opening
            and indent is not None
            and below is not None
            and below > indent
            and "\n" not in text[sentence.start : sentence.end]
        )
        if sentence.start in headings:
            starts.append("heading")
        else:
            labelled = _opens_with_term(text, sentence, cut_off=opening)
            option = not opening and opens_option_entry(text, sentence.start)
            starts.append("term" if term or labelled or option else "")
    return starts


def _opens_with_term(text: str, sentence: TextSpan, *, cut_off: bool = False) -> bool:
    """A sentence whose first line, a few words at the start of its line and not a list
    item's ("- to look up an existing member:"), is a term over its description: a label
    ending in a colon, as an HTML definition list's term reads ("--amend:" above "Replace the
    tip of the current branch ...": Git's manual pages, written by AsciiDoc), or a manual
    page's term run into one sentence with the first line of its description, indented
    deeper below it, for being a word or two ("ServerAliveCountMax" over "Sets the number of
    server alive messages ..."). A sentence announcing what follows ("The following two sets
    of commands are not equivalent:") has too many words. The first line of a sentence
    `cut_off` by its chunk's start is a term only as a label."""
    indent = _line_indent(text, sentence.start)
    line_end = text.find("\n", sentence.start, sentence.end)
    if indent is None or line_end < 0:
        return False
    term = text[sentence.start : line_end].rstrip()
    if len(term.split()) > LABEL_WORDS or LIST_ITEM.match(term):
        return False
    if term.endswith(":"):
        return True
    if cut_off:
        return False
    description = text[line_end + 1 : sentence.end]
    below = len(description) - len(description.lstrip(" "))
    return below > indent and not term.endswith(_SENTENCE_STOPS)


def _line_indent(text: str, start: int) -> int | None:
    """How far the line holding `start` is indented, when `start` is its first character
    after the indent; None when `start` is further along the line."""
    line_start = text.rfind("\n", 0, start) + 1
    return start - line_start if not text[line_start:start].strip() else None


def _scored(candidate: _Candidate, similarity: float | None) -> EvidenceWindow:
    if similarity is None:
        score = candidate.coverage * (1 - DENSE_SHARE)
    else:
        score = DENSE_SHARE * max(0.0, similarity) + (1 - DENSE_SHARE) * candidate.coverage
    if candidate.window.words < MIN_WORDS:
        score *= FRAGMENT_SHARE
    return EvidenceWindow(
        source=candidate.source,
        sentence=candidate.sentence,
        window=candidate.window,
        coverage=round(candidate.coverage, 4),
        similarity=None if similarity is None else round(similarity, 4),
        score=round(score, 4),
        entry_end=candidate.entry_end,
        entry_start=candidate.entry_start,
        terms=candidate.terms,
    )
