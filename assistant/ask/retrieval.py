"""Hybrid retrieval: vector and full-text rankings fused, re-ranked, numbered from 1.

1. Fusion is weighted reciprocal-rank fusion over the top `pool` chunks of each ranking:
   `w / (K + vector_rank) + (1 - w) / (K + text_rank)`, w = `RetrievalConfig.vector_weight`,
   of chunks and of their documents (`assistant.ask.ranking.fuse`). Ranks, unlike raw
   scores, are comparable between cosine similarity and BM25.
2. Withholding: chunks the model may not receive (collection policies, local-only) leave the
   candidates here, before anything is ranked, judged relevant or numbered
   (`assistant.guardrails.withholding`).
3. The best `rerank_depth` candidates are scored sentence by sentence against the question
   (`assistant.ask.evidence`). A chunk's relevance mixes its fused score, its document's,
   the code tokens of the question it holds verbatim and its best evidence window, with the
   `*_weight` settings (`assistant.ask.ranking.relevance`; by default the fused score and the
   code tokens only). The code tokens are those of the sentences that ask when the question
   tells its situation first (`assistant.ask.asking`): in "I copied a nested list with
   copy.copy and [...]. How is a deep copy different?" the passages holding `copy.copy`
   (its entry, the `re` page's "Added support of copy.copy()") outranked the module's
   paragraph on deep copies, which both rankings put first. They are all still looked up as
   entries (`entries_first`): what the asker tried is where to look. An entry is a chunk
   under a heading that opens with the token, or, in the few documents fusion puts first, a
   chunk with a line that does (`assistant.ask.written_entries`: "-u Treat unset variables
   ..." in bash's PDF). The entries whose heading holds more of the question's other words
   lead (`_by_context`), and the written entries of the one section whose heading holds the
   most count as first in both rankings (`_named`). With a `reranker` configured, a chunk's
   relevance is the cross-encoder's probability instead. A chunk that reads as a list of
   references keeps a share of its relevance unless the question asks for a work or its
   author (`assistant.ask.ranking.below_body`).
4. The top k by relevance, at most `per_document` chunks of one file, numbered from 1. When
   none of them holds half of the question's weighted words and a candidate below them holds
   every one in a window, that candidate takes the last place (`FULL_MATCH_BELOW`).

The score a `Source` shows is that relevance, in [0, 1], so sources are always listed in
the order of their scores. Whether anything found answers the question is decided on what the
sources hold (`Retrieval.relevant`), not on their rank: the gate score mixes the sources' best
cosine with the question (their stored chunk vectors, from the vector ranking) and the best
evidence window's lexical coverage of the question's weighted terms; it must reach
`min_relevance`, the coverage `min_coverage`, a match on one of the question's words alone
must come from sources close to the question in meaning (`ONE_WORD_SIMILARITY`: "What is the
capital of Australia?" is not answered by a time zone's name), and the sources must mention
every name the question asks about that the index mentions rarely or never
(`assistant.ask.names`): a question about pyenv is not answered by the venv pages. A word of
the question no document holds that is an ordinary word misspelt ("compresion") is put right
and searched again (`assistant.ask.spelling`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.ask.asking import asking_sentences
from assistant.ask.copies import fold_copies
from assistant.ask.evidence import Evidence, EvidenceSelector, uniform_weights
from assistant.ask.names import MissingName, NameCheck
from assistant.ask.pasted import without_markup
from assistant.ask.ranking import (
    RankingWeights,
    below_body,
    code_match,
    code_tokens,
    entry_match,
    fuse,
    named_first,
    relevance,
    whole_word,
)
from assistant.ask.reranker import Reranker
from assistant.ask.spelling import Respelling, Speller, respelt
from assistant.ask.terms import content_terms
from assistant.ask.types import Found, GuardrailEvent, Source
from assistant.ask.written_entries import defines
from assistant.config import RetrievalConfig
from assistant.guardrails.withholding import Recipient, renumbered, withhold
from ingest.embedder import Embedder
from ingest.store import ChunkStore
from ingest.store_schema import chunk_id, sql_in, where_clause
from ingest.types import StoredChunk

if TYPE_CHECKING:
    import numpy as np

# The gate score's share of the sources' best chunk cosine, against the best window's lexical
# coverage. Chosen with `min_relevance` (0.29) on eval/real-tune.jsonl and docs/golden.jsonl
# (`python -m eval.calibrate_gate`, shares 0.3 to 0.7 recomputed from its rows): 0.4 is the
# share whose thresholds refusing at most 2% of both sets' answerable questions refuse the most
# unanswerable ones (17 of 20 and 5 of 6, the same from 0.28 to 0.30; 0.5 and up: 4 of 6,
# 0.3: 3 of 50 answerable refused at 0.29). Held out, eval/real-report.jsonl decides the same
# at every share from 0.3 to 0.7. The chunk's cosine, not its best sentence's: a question in
# other words than the sentence that answers it ("glue a list of words into one string" for
# str.join) is far from every sentence but near the chunk, and the chunk vectors cost
# nothing (stored, and mostly returned by the vector ranking already).
GATE_SIMILARITY_SHARE = 0.4
# A match on one word: the best window holds one of the question's terms (of two or more) and
# no source's chunk is this close to the question. "What is the capital of Australia?" passed
# on time.html's TZ examples ("Australia/Melbourne": coverage 0.53, chunk cosine 0.27), "How
# many bones are there in an adult human body?" on du's "human-readable" (0.32). Of the
# questions of the tuning sets, golden and the trials that passed the gate on one word, the
# answerable ones' cosines were 0.574 to 0.597, the unanswerable ones' 0.268 to 0.511; a
# question in other words than its answer shares one word with it at 0.462 ("how do I repair
# a punctured inner tube" and "... then patch the tube", tests/assistant/ask/test_retrieval.py).
# 0.4: eval/real-tune2.jsonl's unanswerable refused 39 -> 41 of 50 (0.5: 42), no answerable
# question of any set. Held out, eval/real-report.jsonl 15 -> 16 of 20 (0.5 would have been
# 17), no answerable one.
ONE_WORD_SIMILARITY = 0.4
# ... and when the index holds none of the question's other words: "What happened to the
# windscreen?" and "Is the windscreen damaged?" over tests/data/long_notes (cosine 0.347 and
# 0.310, answered by "A small chip in the windscreen was filled"), against "What is the capital
# of Australia?" and "What is the population of Australia?" over six Python pages that never
# say "capital" or "population" (0.218, 0.123). Chosen on these four, which the tests check:
# no question of the tuning, trial or held-out sets is decided by it, so there is no
# held-out figure for it.
UNSEEN_WORDS_SIMILARITY = 0.3
# The one passage that holds every word of the question may rank below the k chosen when it
# is in one ranking only: "What does the walrus operator do?" found the tutorial's sentence
# on the walrus operator fourth, by full-text search alone, behind the bash manual's lists of
# operators, which both rankings put first and which hold "operator" alone (coverage 0.29);
# it was refused. When no chosen source holds this share of the question's weighted words, the
# best-ranked candidate with a window holding all of them takes the last place. Over the
# tuning sets, golden and the trials it changes no answer; a candidate holding every word
# displaces sources holding 0.53 to 0.86 (on the trials: pip's and Valgrind's answers found,
# read(2)'s answer for scanf(3)'s) if it is allowed above this share.
FULL_MATCH_BELOW = 0.5
# The chunks under the entry a question names in code (`str.split`, `-O`, `PermitRootLogin`:
# a heading that opens with the token) count as the full-text ranking's first, at most this
# many. Full-text search reads `-O` as the letter "o" and leaves it out: "What does python -O
# remove from my program?" found the `-O` entry of Python's command-line page in neither
# ranking. Headings are scanned for the tokens, up to ENTRY_SCAN rows (about 17 ms at 200,000
# chunks).
MAX_ENTRIES = 10
ENTRY_SCAN = 200
# The scan grows with the tokens looked up (each one more pattern for every heading: 123
# tokens of a pasted listing took 241 ms at 6,672 chunks), so only the question's first
# few are: a question names one or two entries.
ENTRY_TOKENS = 8
# The documents whose lines are read for the entries of a question's code tokens: the few the
# rankings put first hold the manual asked about.
ENTRY_DOCUMENTS = 3


@dataclass(frozen=True, slots=True)
class Retrieval:
    """The sources for a question, their evidence, and whether it answers the question."""

    sources: list[Source]
    evidence: Evidence
    min_relevance: float
    min_coverage: float
    withheld: list[Source] = field(default_factory=list)  # kept from the model by policy
    events: list[GuardrailEvent] = field(default_factory=list)  # what withholding did
    missing_names: list[MissingName] = field(default_factory=list)  # asked about, not found
    similarity: float = 0.0  # the best cosine of a source's chunk with the question
    confident_relevance: float = 0.0  # a gate score below it is a weak match
    respellings: list[Respelling] = field(default_factory=list)  # misspelt words put right
    searched: str | None = None  # the query as searched, when markup was read or words respelt

    @property
    def gate_score(self) -> float:
        """What the relevance gate compares with `min_relevance`, 0..1: the sources' best
        chunk cosine mixed with the best window's coverage; 0.0 when nothing was found."""
        if self.evidence.best is None:
            return 0.0
        share = GATE_SIMILARITY_SHARE
        return share * max(0.0, self.similarity) + (1 - share) * self.evidence.best_coverage

    @property
    def relevant(self) -> bool:
        return (
            self.gate_score >= self.min_relevance
            and self.evidence.best_coverage >= self.min_coverage
            and not self.missing_names
            and not self.one_word_match
        )

    @property
    def one_word_match(self) -> bool:
        """Whether the best window holds only one of the question's terms (of two or more),
        from sources no closer to the question than `ONE_WORD_SIMILARITY`: nothing but that
        word says they answer it. When the index holds none of the others, the sources need
        only be as close as `UNSEEN_WORDS_SIMILARITY`: those words are the asker's, which no
        window could have held ("What happened to the windscreen?" over notes that never say
        "happened")."""
        asked = self.evidence.term_weights
        if len(asked) < 2 or len(self.evidence.held_by_best()) > 1:
            return False
        if self.similarity >= ONE_WORD_SIMILARITY:
            return False
        if self.similarity < UNSEEN_WORDS_SIMILARITY:
            return True
        # in between, whether the index holds another of the words (its counts, read only here)
        return len(asked.keys() - self.evidence.unseen()) >= 2

    @property
    def weak(self) -> bool:
        """Relevant, but only just: the passages found may not answer the question."""
        return self.relevant and self.gate_score < self.confident_relevance

    def found(self) -> Found:
        """The sources as search results, saying whether any is close to the question."""
        close = self.relevant or not self.sources
        why = "" if close else self.why_not_relevant()
        return Found(self.sources, close=close, why=why, searched=self.searched)

    def why_not_relevant(self) -> str:
        """What the refusal says beyond "not found": the names no passage found mentions.

        One wording whatever the index-wide counts were: "never" against "in passing" would
        tell an MCP client or a remote profile whether collections withheld from it mention
        a word."""
        if not self.missing_names:
            return ""
        return (
            f"none of the passages found mentions {_quoted([n.text for n in self.missing_names])}"
        )


class Retriever:
    def __init__(
        self,
        store: ChunkStore,
        embedder: Embedder,
        config: RetrievalConfig,
        *,
        evidence: EvidenceSelector | None = None,
        reranker: Reranker | None = None,
        names: NameCheck | None = None,
        speller: Speller | None = None,
    ):
        self.store = store
        self.embedder = embedder
        self.config = config
        self.evidence = evidence or EvidenceSelector(
            uniform_weights, embedder, dense_sentences=config.dense_sentences
        )
        self.reranker = reranker
        self.names = names
        self.speller = speller

    def nothing_ingested(self) -> bool:
        return self.store.is_empty()

    def following(self, source: Source) -> Source | None:
        """The chunk after `source` in its file (the same version of it), numbered and scored
        as `source`; None at the file's end or when the file has changed since."""
        return self._beside(source, 1)

    def preceding(self, source: Source) -> Source | None:
        """The chunk before `source` in its file, as `following`; None at the file's start."""
        return self._beside(source, -1)

    def _beside(self, source: Source, step: int) -> Source | None:
        version, _, ordinal = source.id.rpartition(":")
        if not ordinal.isdigit() or int(ordinal) + step < 0:
            return None
        found = self.store.get_chunks([chunk_id(version, int(ordinal) + step)])
        return as_source(source.number, found[0], source.score) if found else None

    def search(
        self,
        query: str,
        *,
        k: int | None = None,
        collection: str | None = None,
        where_local_only: bool | None = None,
    ) -> Found:
        return self.retrieve(
            query, k=k, collection=collection, where_local_only=where_local_only
        ).found()

    def retrieve(
        self,
        query: str,
        *,
        k: int | None = None,
        collection: str | None = None,
        where_local_only: bool | None = None,
        excluded_collections: Sequence[str] = (),
        recipient: Recipient | None = None,
        vector_weight: float | None = None,
    ) -> Retrieval:
        """Top k chunks for `query` (of `collection`, None: all but `excluded_collections`;
        `where_local_only` None: local-only or not); with a `recipient` (the model that will
        read them), the chunks its collection policies keep from it leave before ranking, and
        the best of them are reported as withheld; `vector_weight` overrides the configured
        weighting. A reader that may see none of `excluded_collections` (an MCP client) is
        told nothing of them: not even that they match.
        A query whose misspelt words no document holds ("compresion") is searched again put
        right (`assistant.ask.spelling`), when passages this search may show hold the
        correction as written. Markup pasted with the query (`\\fB\\-L\\fR`, `&lt;`) is searched
        as the text it stands for (`assistant.ask.pasted`); `searched` then says what was."""
        where = where_clause(
            collection=collection, local_only=where_local_only, excluded=excluded_collections
        )
        search = partial(
            self._retrieve, k=k, where=where, recipient=recipient, vector_weight=vector_weight
        )
        plain = without_markup(query)
        found = search(plain)
        if plain != query:
            found = replace(found, searched=plain)
        unknown = [name.text for name in found.missing_names if name.chunks == 0]
        if self.speller is None or not unknown:
            return found
        respellings = self.speller.respellings(
            unknown, lambda word: self._visible(word, where, recipient)
        )
        if not respellings:
            return found
        corrected = respelt(plain, respellings)
        return replace(search(corrected), respellings=respellings, searched=corrected)

    def _visible(self, word: str, where: str | None, recipient: Recipient | None) -> int:
        """How many passages this search may show hold `word` as written, in any case (up to
        `pool`): the index-wide counts a correction is chosen by may come from collections
        kept from the asker, and a correction names what it was chosen for."""
        found = self.store.text_search(word, self.config.pool, where)
        held = [
            as_source(0, chunk, chunk.score)
            for chunk in found
            if whole_word(word, f"{chunk.heading}\n{chunk.text}", re.IGNORECASE)
        ]
        return len(withhold(held, recipient).allowed)

    def _retrieve(
        self,
        query: str,
        *,
        k: int | None,
        where: str | None,
        recipient: Recipient | None,
        vector_weight: float | None,
    ) -> Retrieval:
        config = self.config
        if self.store.is_empty():  # nothing to find: no need to load the embedding model
            return Retrieval([], Evidence([], {}), config.min_relevance, config.min_coverage)
        wanted = k or config.k
        weight = config.vector_weight if vector_weight is None else vector_weight
        vector = self.embedder.embed_query(query)
        tokens = code_tokens(query)
        by_vector = self.store.vector_search(vector, config.pool, where) if weight > 0 else []
        by_text = self.store.text_search(query, config.pool, where) if weight < 1 else []
        fusion = fuse(by_vector, by_text, weight)
        if weight < 1:
            headed = self._entries(tokens, where)
            written = self._written_entries(tokens, fusion.documents, where)
            if headed or written:
                ordered = _by_context([*headed, *written], query, fusion.documents, by_text)
                fusion = fuse(by_vector, entries_first(ordered, by_text), weight)
                fusion = named_first(fusion, _named(written, query))
        fused = [as_source(0, c, s) for c, s in fusion.chunks]
        withholding = withhold(fused[: max(config.rerank_depth, wanted)], recipient)
        candidates = withholding.allowed
        evidence = self.evidence.select(query, vector, candidates)
        asked = code_tokens(asking_sentences(query))
        ranked = self._ranked(query, asked, candidates, evidence, fusion.documents)
        folded = fold_copies(ranked, self._neighbours)
        top = _diversify(folded, wanted, config.per_document)
        chosen = renumbered(_with_full_match(top, folded, evidence, config.per_document))
        cosines = {c.id: c.score for c in by_vector}
        return Retrieval(
            sources=chosen,
            evidence=evidence.renumbered({s.id: s for s in chosen}),
            min_relevance=config.min_relevance,
            min_coverage=config.min_coverage,
            withheld=withholding.withheld[:wanted],
            events=withholding.events,
            missing_names=self._missing_names(query, chosen),
            similarity=self._similarity(vector, chosen, cosines),
            confident_relevance=config.confident_relevance,
        )

    def _similarity(
        self, vector: np.ndarray, sources: list[Source], known: dict[str, float]
    ) -> float:
        """The best cosine of the sources' chunks with the question: from the vector ranking,
        and for the sources only full-text search found, from their stored vectors."""
        missing = [s.id for s in sources if s.id not in known]
        if missing:
            found = self.store.vector_search(vector, len(missing), sql_in("id", missing))
            known = {**known, **{c.id: c.score for c in found}}
        return max((known.get(s.id, 0.0) for s in sources), default=0.0)

    def _neighbours(self, sources: Sequence[Source]) -> dict[str, list[str]]:
        """The texts of the chunks either side of `sources` in their files, by file."""
        chunks = self.store.neighbours([s.id for s in sources], around=1)
        by_file: dict[str, list[str]] = {}
        for chunk in chunks:
            by_file.setdefault(chunk.path, []).append(chunk.text)
        return by_file

    def _missing_names(self, query: str, sources: list[Source]) -> list[MissingName]:
        if self.names is None or not sources:
            return []
        # A file named after what the question asks about mentions it, and so does the folder
        # it is kept in: git-2.39.0-relnotes.txt, procps/bugs.md, tmux/README
        return self.names.missing(
            query,
            [f"{_file_place(s.path)}\n{_passage(s)}" for s in sources],
            [s.path for s in sources],
        )

    def _entries(self, tokens: Sequence[str], where: str | None) -> list[StoredChunk]:
        """The chunks under the entries the code tokens name (`entry_match`), as the store
        holds them: `-O` is one letter to full-text search, which leaves it out."""
        looked_up = tokens[:ENTRY_TOKENS]
        found = self.store.heading_search(looked_up, ENTRY_SCAN, where)
        return [chunk for chunk in found if entry_match(looked_up, chunk.heading) > 0]

    def _written_entries(
        self, tokens: Sequence[str], documents: dict[str, float], where: str | None
    ) -> list[StoredChunk]:
        """The chunks of the `ENTRY_DOCUMENTS` best-fused documents in which a line opens the
        entry of a code token (`assistant.ask.written_entries`), in manuals whose option lists
        have no heading for each option: bash's PDFs, manual pages read as text. Full-text
        search reads `-u` as the letter "u" and leaves it out, and the chunk that lists
        `set`'s options from -p to -u is far in meaning from "What does set -u do?": it was in
        neither ranking."""
        looked_up = tokens[:ENTRY_TOKENS]
        if not looked_up or not documents:
            return []
        best = sorted(documents, key=lambda path: -documents[path])[:ENTRY_DOCUMENTS]
        scope = sql_in("path", best) + (f" AND ({where})" if where else "")
        found = self.store.text_containing(looked_up, ENTRY_SCAN, scope)
        return [chunk for chunk in found if any(defines(chunk.text, t) for t in looked_up)]

    def _ranked(
        self,
        query: str,
        tokens: Sequence[str],
        candidates: list[Source],
        evidence: Evidence,
        documents: dict[str, float],
    ) -> list[Source]:
        """The candidates with their relevance as score, most relevant first (ties keep the
        fused order)."""
        if self.reranker is not None and candidates:
            scores = self.reranker.relevance(query, [_passage(s) for s in candidates])
        else:
            best = evidence.best_by_source()
            weights = self.weights
            scores = [
                relevance(
                    s.score,
                    documents.get(s.path, 0.0),
                    best.get(s.id, 0.0),
                    code_match(tokens, _passage(s)),
                    weights,
                    entry=entry_match(tokens, s.heading, s.text),
                )
                for s in candidates
            ]
        scores = below_body(query, [(s.heading, s.text) for s in candidates], scores)
        scored = [
            replace(s, score=round(score, 4)) for s, score in zip(candidates, scores, strict=True)
        ]
        return sorted(scored, key=lambda s: -s.score)

    @property
    def weights(self) -> RankingWeights:
        config = self.config
        return RankingWeights(
            document_share=config.document_weight,
            evidence_share=config.evidence_weight,
            code_bonus=config.code_weight,
        )


def entries_first(
    entries: Sequence[StoredChunk], by_text: Sequence[StoredChunk]
) -> list[StoredChunk]:
    """The full-text ranking with the chunks of the entries a question names first, as if
    they matched best: each once, at most `MAX_ENTRIES`, in the order given (those it ranks
    keep their scores)."""
    place = {chunk.id: rank for rank, chunk in enumerate(by_text)}
    order = list({chunk.id: chunk for chunk in entries}.values())[:MAX_ENTRIES]
    first = [by_text[place[chunk.id]] if chunk.id in place else chunk for chunk in order]
    ids = {chunk.id for chunk in first}
    return [*first, *(chunk for chunk in by_text if chunk.id not in ids)]


def _by_context(
    entries: Sequence[StoredChunk],
    query: str,
    documents: dict[str, float],
    by_text: Sequence[StoredChunk],
) -> list[StoredChunk]:
    """`entries`, those whose heading holds more of the question's other words first, then
    those of the better-fused documents, then those full-text search ranks higher: `-u` opens
    entries of Python's, timeit's and bash's `set` and `shopt` options, and "What does set -u
    do in bash?" asks for the one under "Bash Reference Manual > ... > The Set Builtin",
    "What does python -u do?" for the one on the page fusion ranks first (the command
    line's), not for timeit's `-u, --unit=U`, which full-text search ranks first."""
    words = _context_words(query)
    place = {chunk.id: rank for rank, chunk in enumerate(by_text)}

    def order(chunk: StoredChunk) -> tuple[float, float, int]:
        held = _held(words, chunk)
        return (-held, -documents.get(chunk.path, 0.0), place.get(chunk.id, len(place)))

    return sorted(entries, key=order)


def _named(entries: Sequence[StoredChunk], query: str) -> list[StoredChunk]:
    """The entries of the one section whose heading holds more of the question's words (but
    its code tokens) than any other entry's, at least one: "What does set -u do in bash?"
    names the entry of `-u` under "... > Modifying Shell Behavior > The Set Builtin", not
    the one under "... > The Shopt Builtin", and is answered by it wherever the rankings put
    it (the chunk listing `set`'s options from -p to -u is far in meaning from the question:
    in neither ranking). When two sections' headings hold as many, the question names
    neither: "What does bash -c do?" over the bash manual, every heading of which holds
    "bash"."""
    words = _context_words(query)
    held = {(chunk.path, chunk.heading): _held(words, chunk) for chunk in entries}
    most = max(held.values(), default=0)
    best = [section for section, count in held.items() if count == most]
    if most == 0 or len(best) > 1:
        return []
    return [chunk for chunk in entries if (chunk.path, chunk.heading) == best[0]]


def _context_words(query: str) -> set[str]:
    """The terms of `query` that are not its code tokens: what an entry's heading may hold."""
    return set(content_terms(query)).difference(code_tokens(query))


def _held(words: set[str], chunk: StoredChunk) -> int:
    """How many of `words` the chunk's heading holds."""
    return len(words.intersection(content_terms(chunk.heading or "")))


def _diversify(ranked: Sequence[Source], k: int, per_document: int) -> list[Source]:
    """The top k, taking at most `per_document` chunks from any one file while other files
    have candidates left: when they run out, the file's next chunks fill the k, in their
    place. A question about one document's subject lists more of that document, not fewer
    results than asked."""
    taken: dict[str, int] = {}
    chosen: list[int] = []  # indexes into `ranked`
    held_back: list[int] = []
    for index, source in enumerate(ranked):
        if taken.get(source.path, 0) >= per_document:
            held_back.append(index)
            continue
        taken[source.path] = taken.get(source.path, 0) + 1
        chosen.append(index)
        if len(chosen) == k:
            break
    filled = sorted(chosen + held_back[: k - len(chosen)])
    return [ranked[index] for index in filled]


def _with_full_match(
    chosen: list[Source], ranked: Sequence[Source], evidence: Evidence, per_document: int
) -> list[Source]:
    """`chosen`, its last place given to the best-ranked of `ranked` with a window holding
    every term of the question, when no window of `chosen` holds `FULL_MATCH_BELOW` of them
    (and that file has fewer than `per_document` chunks among the others)."""
    terms = set(evidence.term_weights)
    ids = {source.id for source in chosen}
    held = (w.coverage for w in evidence.windows if w.source.id in ids)
    if not chosen or not terms or max(held, default=0.0) >= FULL_MATCH_BELOW:
        return chosen
    full = {w.source.id for w in evidence.windows if w.terms >= terms}
    kept = chosen[:-1]
    taken = Counter(source.path for source in kept)
    for source in ranked:
        if source.id in full and source.id not in ids and taken[source.path] < per_document:
            return [*kept, source]
    return chosen


def _quoted(names: list[str]) -> str:
    quoted = [f"“{name}”" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _file_place(path: str) -> str:
    """A file's name with its folder's: "procps/bugs.md"."""
    file = Path(path)
    return f"{file.parent.name}/{file.name}"


def _passage(source: Source) -> str:
    return f"{source.heading}\n{source.text}" if source.heading else source.text


def as_source(number: int, chunk: StoredChunk, score: float) -> Source:
    """A stored chunk as a numbered, scored source."""
    return Source(
        number=number,
        id=chunk.id,
        path=chunk.path,
        page=chunk.page,
        heading=chunk.heading,
        line=chunk.line,
        score=score,
        text=chunk.text,
        collection=chunk.collection,
        local_only=chunk.local_only,
        lines=chunk.lines,
    )
