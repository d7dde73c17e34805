"""How retrieved chunks are ranked: fused ranks, the document's ranks, code tokens, evidence.

Five signals, each in [0, 1], make a chunk's relevance (`relevance`):

- chunk fusion: weighted reciprocal-rank fusion of the chunk's place in the vector ranking
  and in the full-text (BM25) ranking, `w / (K + vector_rank) + (1 - w) / (K + text_rank)`,
  scaled so that first in both is 1;
- document fusion: the same over documents, each ranking read as the order in which
  documents first appear in it. A page whose best vector match and best BM25 match are
  different chunks (one says "symbolic link", the other holds `ln -s`) is found by both
  rankings, which chunk fusion cannot see;
- code tokens: the share of the question's code tokens (`shutil.copytree`, `$RANDOM`,
  `DEFAULT_ARG_SIZE`, `--slurp`, `-a`, the `1.34` of "tar 1.34") the chunk holds verbatim,
  case and punctuation included. Full-text search splits `$RANDOM` into the word "random"
  and finds Python's `random` module first, and `1.34` into "1" and "34"; the chunk that
  holds the token as written is the one asked about;
- evidence: the score of the chunk's best sentence window (`assistant.ask.evidence`);
- entry: the share of the code tokens whose own entry the chunk is under (`entry_match`: its
  heading opens with the token, `str.split(sep=None, maxsplit=-1)` for `str.split`) or holds
  (a line of it opens with the token, bash's "-u Treat unset variables ..."), over a passage
  that only mentions them.

A chunk that reads as a paper's list of references (`ingest.reference_lists`) then keeps
`REFERENCE_LIST_SHARE` of its relevance, unless the question asks for a work or its author
(`asks_for_reference`): the titles it lists repeat the paper's topic, and on 30 questions
about 16 real papers (Debian's TeX Live documentation) entries were quoted as the answer to
"Which package does hep-paper use for intelligent cross-referencing?" ("[9] T. Cubitt. 'The
cleveref package: Intelligent cross-referencing'") and "What does the arxiv-collector
script do?" instead of the body's sentences that say so.

By default only the first, the third and the fifth count: plain fusion (the two rankings
weigh the same) with the code-token and entry bonuses. Document fusion and evidence stay as
settings (`retrieval.document_weight`, `retrieval.evidence_weight`): on eval/real-tune.jsonl, shares
for them chosen on some questions did not carry over to the others (`python -m
eval.ranking_grid`, cross-validated; docs/ask.md "How retrieval ranks"). Evidence counts
the question's words a second time (BM25 has): with it, the `sys` page's paragraph on
buffering, which repeats "stdout", "stderr" and "unbuffered", overtook the entry of the `-u`
option that both rankings put first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.ask.terms import STOP_WORDS
from assistant.ask.written_entries import defines
from ingest.reference_lists import reads_as_reference_list
from ingest.types import HEADING_SEPARATOR, StoredChunk

RRF_K = 60  # the usual damping constant: top ranks matter, deep ranks still count
# A full-text match this many times as strong (BM25) as the next, or the only one, is
# decisive: fusion ranks it as if first in both rankings. Rank fusion alone cannot see the
# gap: "allotment gate code" found the one note holding all three words at BM25 12.4 against
# 3.9, outside the vector ranking's 50 (MiniLM barely knows "allotment"), and passages
# middling in both rankings came first. No question of eval/real-tune.jsonl or
# docs/golden.jsonl has a ratio above 2.11 (os.cpu_count, already first).
DECISIVE_TEXT_MATCH = 2.5

# Added to the relevance of a chunk under the entry of the API, option or variable the
# question names in code (`entry_match`), before it is scaled back to 0..1: a passage that
# mentions `str.split` in passing ("Split the argument into words using str.split()", the
# `string.capwords` entry) holds the token as much as `str.split`'s own entry does, and both
# rankings put it first for "How does str.split() without arguments treat several spaces in
# a row?". Found on eval/real-report.jsonl's misses (that one and `python -O`, first in
# stdtypes' `bytes.rstrip` entry, which mentions "-O" nowhere but "Python" twice); on
# real-tune and real-fresh it moves no first document from 0.05 to 0.3.
ENTRY_BONUS = 0.1
# A reference list's chunk keeps this share of its relevance: below the body passages that
# rank near it.
REFERENCE_LIST_SHARE = 0.5
_ASKS_FOR_WORK = re.compile(
    r"\b(?:who\s+(?:wrote|authored|published|edited)|written\s+by|authors?\s+of"
    r"|(?:which|what)\s+(?:paper|article|book|publication|thesis|report|work|reference)s?\b"
    r"|cite[sd]?\b|citations?\s+(?:for|of)\b|references?\s+(?:for|to)\b|published\s+(?:in|by))",
    re.IGNORECASE,
)
_WORDISH = re.compile(r"[$-]*[A-Za-z_][\w.$/-]*")
# An option named by a number, after the command it is given to: `xargs -0`, `gzip -9`
# (not "5 -1", nor "-1.5")
_NUMBERED_OPTION = re.compile(r"(?<=[A-Za-z] )--?\d+(?![\w.])")
_DOTTED = re.compile(r"[A-Za-z_]\w*\.\w{2,}")  # os.walk, str.partition (not "e.g")
# A release of what the word before it names: "tar 1.34", "GnuPG 2.2", "release 3.6" (not
# "is 0.1", a number in a sum); a passage holds it when it holds both
_RELEASE = re.compile(r"\b([A-Za-z][\w-]*) v?(\d+(?:\.\d+)+)\b")
_CAMEL = re.compile(r"[a-z][A-Z]")  # DataFrame, macOS
_ENTRY_NAMES = re.compile(r"\s*[/,]\s*")  # "bytes.rstrip([chars]) / bytearray.rstrip([chars])"
# A keyword argument or setting as written in code: `shell=True`, `nargs='?'`, `level=9`
# (not "==" of a comparison, nor the value of an option, `--preserve=all`)
_KEYWORD = re.compile(
    r"(?<![\w=-])[A-Za-z_]\w*=(?:'[^'\s]*'|\"[^\"\s]*\"|-?\d+(?:\.\d+)?|[A-Za-z_][\w.]*)(?![\w=])"
)


@dataclass(frozen=True, slots=True)
class RankingWeights:
    """How much each signal counts; every share is in [0, 1]."""

    document_share: float = 0.0  # document fusion against chunk fusion
    evidence_share: float = 0.0  # best evidence window against the fused score
    code_bonus: float = 0.3  # added for holding every code token (then scaled back to 0..1)
    entry_bonus: float = ENTRY_BONUS  # added for being the entry every code token names


@dataclass(frozen=True, slots=True)
class Fusion:
    """Chunks by fused score (scaled to 0..1), and the fused score of each document."""

    chunks: list[tuple[StoredChunk, float]]
    documents: dict[str, float]  # by path, scaled to 0..1


def fuse(by_vector: Sequence[StoredChunk], by_text: Sequence[StoredChunk], weight: float) -> Fusion:
    """Reciprocal-rank fusion of chunks and of their documents; `weight`: the vector share.
    A decisive full-text match (`DECISIVE_TEXT_MATCH`) counts as first in both rankings."""
    scores: dict[str, float] = {}
    chunks: dict[str, StoredChunk] = {}
    documents: dict[str, float] = {}
    vector_rank = {chunk.id: rank for rank, chunk in enumerate(by_vector)}
    for ranking, share in ((by_vector, weight), (by_text, 1.0 - weight)):
        for rank, chunk in enumerate(ranking, start=1):
            scores[chunk.id] = scores.get(chunk.id, 0.0) + share / (RRF_K + rank)
            chunks.setdefault(chunk.id, chunk)
        for rank, path in enumerate(dict.fromkeys(c.path for c in ranking), start=1):
            documents[path] = documents.get(path, 0.0) + share / (RRF_K + rank)
    if _decisive(by_text):
        top = by_text[0]
        scores[top.id] = documents[top.path] = 1.0 / (RRF_K + 1)
    # Equal scores are common (ranks 3 and 5 against 5 and 3, at equal shares): the chunk
    # higher in the vector ranking goes first, not the one whose random id sorts first, which
    # changed the order when a document was re-processed. Chosen on eval/real-tune.jsonl:
    # MRR 0.910 against 0.908 with the full-text ranking's order; hit@1 0.841 either way.
    unranked = len(vector_rank)
    order = sorted(scores, key=lambda c: (-scores[c], vector_rank.get(c, unranked), c))
    return Fusion(
        chunks=[(chunks[chunk_id], scores[chunk_id] * (RRF_K + 1)) for chunk_id in order],
        documents={path: score * (RRF_K + 1) for path, score in documents.items()},
    )


def named_first(fusion: Fusion, named: Sequence[StoredChunk]) -> Fusion:
    """`fusion` with the `named` chunks first, in their order, each scored (with its document)
    as if first in both rankings."""
    if not named:
        return fusion
    first = {chunk.id: chunk for chunk in named}
    rest = [(chunk, score) for chunk, score in fusion.chunks if chunk.id not in first]
    documents = {**fusion.documents, **{chunk.path: 1.0 for chunk in named}}
    return Fusion([*((chunk, 1.0) for chunk in first.values()), *rest], documents)


def _decisive(by_text: Sequence[StoredChunk]) -> bool:
    """Whether the best full-text match is far ahead of the next, or alone."""
    if not by_text or by_text[0].score <= 0:
        return False
    return len(by_text) == 1 or by_text[0].score >= DECISIVE_TEXT_MATCH * by_text[1].score


def code_tokens(question: str) -> list[str]:
    """The tokens of `question` that are code rather than words: a keyword argument or setting
    (`shell=True`), a variable (`$RANDOM`), an option (`-a`, `--slurp`), a dotted name
    (`os.walk`, `pyproject.toml`), a name with an underscore (`lru_cache`, `DEFAULT_ARG_SIZE`)
    or inner capitals (`DataFrame`), an option named by a number after its command (`xargs
    -0`), a release number with the name it is a release of (`tar 1.34`). Hyphenated words
    ("command-line"), acronyms ("JSON") and other numbers are not code."""
    tokens = list(dict.fromkeys(match.group() for match in _KEYWORD.finditer(question)))
    for match in _WORDISH.finditer(question):
        token = match.group().rstrip(".-/")
        core = token.lstrip("$-")
        if (
            token[0] in "$-" or "_" in core or _DOTTED.search(core) or _CAMEL.search(core)
        ) and token not in tokens:
            tokens.append(token)
    for match in _NUMBERED_OPTION.finditer(question):
        if match.group() not in tokens:
            tokens.append(match.group())
    for match in _RELEASE.finditer(question):
        name, number = match.groups()
        release = f"{name} {number}"
        named = name.casefold() not in STOP_WORDS
        if named and release not in tokens and not any(t.endswith(number) for t in tokens):
            tokens.append(release)  # not when written "v2.39", a dotted name already
    return tokens


def code_match(tokens: Sequence[str], text: str) -> float:
    """The share of `tokens` found in `text` as whole tokens, case included; a `$variable`
    also counts where the text names it without the `$` (manuals list `RANDOM`), a release
    where the text holds its number and its name in any case (`diffutils-NEWS.txt` and
    "release 3.8" for `diffutils 3.8`, not "New in version 3.11" for `Python 3.11`)."""
    if not tokens:
        return 0.0
    return sum(1 for token in tokens if _holds(text, token)) / len(tokens)


def _holds(text: str, token: str) -> bool:
    if " " in token:
        name, number = token.split(" ")
        return _holds(text, number) and whole_word(name, text, re.IGNORECASE)
    forms = {token, token.lstrip("$")} if token.startswith("$") else {token}
    return any(whole_word(form, text) for form in forms)


def entry_match(tokens: Sequence[str], heading: str, text: str = "") -> float:
    """The share of `tokens` that name the entry a chunk is under: its heading's last part,
    or one of the names it lists, opens with the token (`str.split(sep=None, maxsplit=-1)`
    for `str.split`, not `str.splitlines(keepends=False)`; `-a, --all` for `--all`), or a
    line of its `text` opens the token's entry (`assistant.ask.written_entries`)."""
    if not tokens or not (heading or text):
        return 0.0
    names = _ENTRY_NAMES.split(heading.split(HEADING_SEPARATOR)[-1].strip()) if heading else []
    named = sum(
        1
        for token in tokens
        if any(_opens_with(name, token) for name in names) or defines(text, token)
    )
    return named / len(tokens)


def _opens_with(name: str, token: str) -> bool:
    return re.match(rf"{re.escape(token)}(?![\w.-])", name) is not None


def whole_word(token: str, text: str, flags: int = 0) -> bool:
    """Whether `text` holds `token` whole: not inside a longer word or option."""
    return re.search(rf"(?<![\w-]){re.escape(token)}(?!\w)", text, flags) is not None


def relevance(
    chunk: float,
    document: float,
    evidence: float,
    code: float,
    weights: RankingWeights,
    *,
    entry: float = 0.0,
) -> float:
    """A chunk's relevance in [0, 1] from its signals (each in [0, 1])."""
    fused = (1 - weights.document_share) * chunk + weights.document_share * document
    score = (1 - weights.evidence_share) * fused + weights.evidence_share * evidence
    bonuses = weights.code_bonus * code + weights.entry_bonus * entry
    return (score + bonuses) / (1 + weights.code_bonus + weights.entry_bonus)


def asks_for_reference(question: str) -> bool:
    """Whether a question asks for a work, its author or its citation ("Who wrote ...",
    "Which paper ...", "What should I cite for ...")."""
    return _ASKS_FOR_WORK.search(question) is not None


def below_body(
    question: str, passages: Sequence[tuple[str, str]], scores: Sequence[float]
) -> list[float]:
    """The relevance of each passage (heading path, text), a reference list's at
    `REFERENCE_LIST_SHARE` of its own unless the question asks for a reference."""
    if asks_for_reference(question):
        return list(scores)
    return [
        score * REFERENCE_LIST_SHARE if reads_as_reference_list(text, heading) else score
        for (heading, text), score in zip(passages, scores, strict=True)
    ]
