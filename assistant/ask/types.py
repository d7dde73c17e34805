"""The ask pipeline's vocabulary: what a question takes, what it produces, and how it streams.

In: the question and its `AskOptions` (with earlier `Turn`s for a follow-up). Out: `Source`s,
the `Answer` with its guardrail events, usage and timings, streamed as `AskEvent`s by an
`AskStream`. The answer measures itself: the CLI, the TUI, the log and eval all read these
same numbers. `Answering` is what callers (the service, eval, test stubs) need of an assistant.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal, Protocol

from assistant.terminal import sanitize
from ingest.source_lines import line_at

AnswerMode = Literal["model", "quote", "calculator", "retrieval-only", "refused"]
# The guardrail event kind of an answer whose model saw local-only text (guardrails.context).
LOCAL_ONLY_USED = "local_only.used"
UnitKind = Literal["prose", "code"]  # a sentence, or a fenced code block
SupportStatus = Literal["cited", "attributed", "unsupported", "skipped"]
# Why an answer stops short: the model's context was full, it reached `ask.max_tokens`, the
# budget paid for no more, the person stopped it, or margin did as the model was repeating
# itself (models.repetition).
Truncation = Literal["context", "max_tokens", "budget", "cancelled", "repetition"]


@dataclass(frozen=True, slots=True)
class Source:
    """A retrieved chunk as shown to the person; `number` is its citation marker [n]."""

    number: int
    id: str
    path: str
    page: int | None
    heading: str
    line: int | None
    score: float
    text: str
    collection: str = "default"
    local_only: bool = False
    # Each text line's file line when they are not line, line + 1, ... (`StoredChunk.lines`);
    # None: not recorded (a store from before chunks kept them), so only `line` is known.
    lines: tuple[int, ...] | None = ()
    # The file line of the passage the answer cites from it (its first cited or matched
    # sentence's evidence); None when the answer cites nothing of it or the line is unknown.
    cited_line: int | None = None
    # Other files holding this passage too (`assistant.ask.copies`), folded into it.
    copies: tuple[str, ...] = ()

    def line_at(self, offset: int) -> int | None:
        """The file line of character `offset` of `text`, where known."""
        return line_at(self.text, offset, self.line, self.lines)

    @property
    def shown_line(self) -> int | None:
        """The line a person is sent to: the cited passage's, else the chunk's first."""
        return self.cited_line if self.cited_line is not None else self.line

    def location(self) -> str:
        """`path`, `path p. 3` or `path > Heading`, as a person reads it."""
        place = self.path
        if self.page is not None:
            place += f" p. {self.page}"
        if self.heading:
            place += f" > {self.heading}"
        return place

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "id": self.id,
            "path": self.path,
            "page": self.page,
            "heading": self.heading,
            "line": self.line,
            "cited_line": self.cited_line,
            "score": round(self.score, 4),
            "text": self.text,
            "collection": self.collection,
            "local_only": self.local_only,
            "copies": list(self.copies),
        }


class Found(list[Source]):
    """A search's sources, best first, and whether any is close to the query: `close` is
    False when an ask would refuse (`Retrieval.relevant`), and these are only the nearest
    passages; `why` then names what none of them mentions, where that is the reason. The
    scores order the results and cannot tell this: they are relative to the search."""

    def __init__(
        self,
        sources: Iterable[Source] = (),
        *,
        close: bool = True,
        why: str = "",
        searched: str | None = None,
    ):
        super().__init__(sources)
        self.close = close
        self.why = why
        self.searched = searched  # the query as searched, when markup was read or words respelt


@dataclass(frozen=True, slots=True)
class GuardrailEvent:
    kind: str  # e.g. "input.control_chars", "injection", "pii.redacted", "local_only.withheld"
    detail: str
    # The collection of each source or chat turn the event is about (one entry each), for
    # the per-collection counts of `margin stats`; empty when it concerns no collection.
    collections: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "detail": self.detail, "collections": list(self.collections)}


@dataclass(slots=True)
class AnswerUsage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    estimated: bool = False
    max_tokens: int = 0  # the answer's token limit given to the model; 0 when none was called


@dataclass(frozen=True, slots=True)
class SentenceSupport:
    """How one sentence of the answer (`answer[start:end]`) is backed by the sources.

    `cited`: the sources the model cited in it; `source`: the one that supports it best (for
    an unsupported sentence, the nearest); `evidence`: that source's best matching passage,
    and `line` the file line it starts on, where known; `missing`: terms, numbers and names
    in the sentence that no source contains.
    See `assistant.guardrails.support`.
    """

    start: int
    end: int
    status: SupportStatus
    kind: UnitKind = "prose"
    cited: tuple[int, ...] = ()
    source: int | None = None
    score: float = 0.0
    evidence: str = ""
    missing: tuple[str, ...] = ()
    line: int | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SentenceSupport:
        """From `to_json` or `dataclasses.asdict` (a `text` there is ignored)."""
        return cls(
            start=int(data["start"]),
            end=int(data["end"]),
            status=data["status"],
            kind=data.get("kind", "prose"),
            cited=tuple(int(n) for n in data.get("cited", ())),
            source=data.get("source"),
            score=float(data.get("score", 0.0)),
            evidence=str(data.get("evidence", "")),
            missing=tuple(str(t) for t in data.get("missing", ())),
            line=data.get("line"),
        )

    def to_json(self, answer: str) -> dict[str, Any]:
        return {
            "text": answer[self.start : self.end],
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "status": self.status,
            "cited": list(self.cited),
            "source": self.source,
            "score": self.score,
            "evidence": self.evidence,
            "missing": list(self.missing),
            "line": self.line,
        }


@dataclass(slots=True)
class Answer:
    question: str
    answer: str = ""
    refused: bool = False
    refusal_reason: str | None = None
    mode: AnswerMode = "model"
    sources: list[Source] = field(default_factory=list)
    cited: list[int] = field(default_factory=list)  # sources the model cited
    attributed: list[int] = field(default_factory=list)  # sources margin matched, not cited
    sentences: list[SentenceSupport] = field(default_factory=list)
    guardrails: list[GuardrailEvent] = field(default_factory=list)
    usage: AnswerUsage = field(default_factory=AnswerUsage)
    latency_ms: dict[str, float] = field(default_factory=dict)
    model: str = ""  # profile name
    model_id: str = ""
    groundedness: float | None = None  # share of checked sentences a source supports
    cached: bool = False
    cancelled: bool = False
    truncation: Truncation | None = None  # why the answer stops short, if it does
    interaction_id: int | None = None
    conversation_id: str | None = None
    search_query: str | None = None  # what was searched, when earlier turns shaped it
    # Why a quote replaced what the model wrote ("unsupported": it failed the support check);
    # None when the answer is what its mode produced.
    fallback: str | None = None

    @property
    def truncated(self) -> bool:
        return self.truncation is not None

    def summary(self) -> str:
        """`local · 812+64 tokens · $0.0000 · ttft 420 ms · 2.3 s · #12`."""
        figures = [" ".join(sanitize(self.model).split()) or "-"]
        if (self.mode == "model" or self.fallback is not None) and not self.refused:
            figures.append(f"{self.usage.prompt_tokens}+{self.usage.completion_tokens} tokens")
            figures.append(f"${self.usage.cost_usd:.4f}")
            if "ttft" in self.latency_ms:
                figures.append(f"ttft {self.latency_ms['ttft']:.0f} ms")
        if self.cached:
            figures.append("cached")
        figures.append(f"{self.latency_ms.get('total', 0.0) / 1000:.1f} s")
        if self.interaction_id is not None:
            figures.append(f"#{self.interaction_id}")
        return " · ".join(figures)

    def event(self, kind: str, detail: str) -> None:
        self.guardrails.append(GuardrailEvent(kind, detail))

    def locate_citations(self) -> None:
        """Give each source the file line of the first passage the answer cites or matches
        from it (`Source.cited_line`): where a person opening it should land."""
        first: dict[int, int] = {}
        for sentence in self.sentences:
            backed = sentence.status in ("cited", "attributed")
            if backed and sentence.source is not None and sentence.line is not None:
                first.setdefault(sentence.source, sentence.line)
        self.sources = [replace(s, cited_line=first.get(s.number)) for s in self.sources]

    def drew_on_local_only(self) -> bool:
        """Whether the model saw local-only text: this answer never goes to a remote model."""
        return any(event.kind == LOCAL_ONLY_USED for event in self.guardrails)

    def to_json(self) -> dict[str, Any]:
        return {
            "interaction_id": self.interaction_id,
            "conversation_id": self.conversation_id,
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "refusal_reason": self.refusal_reason,
            "mode": self.mode,
            "model": self.model,
            "model_id": self.model_id,
            "cached": self.cached,
            "cancelled": self.cancelled,
            "truncated": self.truncated,
            "truncation": self.truncation,
            "search_query": self.search_query or self.question,
            "history_used": self.search_query is not None,
            "fallback": self.fallback,
            "groundedness": self.groundedness,
            "cited": self.cited,
            "attributed": self.attributed,
            "sentences": [s.to_json(self.answer) for s in self.sentences],
            "sources": [s.to_json() for s in self.sources],
            "guardrails": [g.to_json() for g in self.guardrails],
            "usage": asdict(self.usage),
            "latency_ms": {k: round(v, 2) for k, v in self.latency_ms.items()},
        }


@dataclass(frozen=True, slots=True)
class SourcesFound:
    """First event of an ask: the sources, before any model token, and what was searched
    when earlier turns shaped the search (None: the question as asked)."""

    sources: list[Source]
    search_query: str | None = None


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str


@dataclass(frozen=True, slots=True)
class SentenceChecked:
    """A sentence of the streamed text is complete and checked against the sources; it comes
    right after the `TextDelta` that ends the sentence, before any text that follows it."""

    support: SentenceSupport


@dataclass(frozen=True, slots=True)
class AnswerDone:
    answer: Answer


AskEvent = SourcesFound | TextDelta | SentenceChecked | AnswerDone


class Turn(Protocol):
    """One earlier question and answer of the conversation; `local_only` when the answer drew
    on local-only sources (it is then never sent to a remote model)."""

    @property
    def question(self) -> str: ...

    @property
    def answer(self) -> str: ...

    @property
    def local_only(self) -> bool: ...

    @property
    def search_query(self) -> str: ...

    @property
    def collections(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class PlainTurn:
    """An earlier turn; `local_only` when its answer drew on local-only text, `search_query`
    what it searched when it was a follow-up ("": its question as asked), `collections` those of
    the sources its answer was given, so that collection policies follow its text."""

    question: str
    answer: str
    local_only: bool = False
    search_query: str = ""
    collections: tuple[str, ...] = ()

    @classmethod
    def of(cls, answer: Answer) -> PlainTurn:
        return cls(
            answer.question,
            answer.answer,
            answer.drew_on_local_only(),
            answer.search_query or "",
            tuple(sorted({source.collection for source in answer.sources})),
        )


@dataclass(frozen=True, slots=True)
class AskOptions:
    """How to answer one question, apart from the question itself.

    The same value goes to `Assistant.ask`, through the service's wire (which encodes every
    field by its type, see `assistant.service.protocol`) and from the TUI: a new option is a
    new field here, with a default that keeps today's behaviour.
    """

    model: str | None = None  # a profile name; None: the config's default model
    k: int | None = None  # how many sources to retrieve; None: [ask] k
    collection: str | None = None  # search only this collection; None: all of them
    history: tuple[PlainTurn, ...] = ()  # earlier turns, oldest first, for a follow-up
    conversation_id: str | None = None  # the conversation the answer is logged under
    use_cache: bool = True  # False: ask the model even if the same answer is cached
    # False: local-only collections are left out before retrieval (the MCP server without
    # --allow-local-only), so none of their text can reach the prompt or the answer
    include_local_only: bool = True
    # Collections left out before retrieval, like local-only ones above: those whose policy
    # keeps them from the MCP client asking, so that nothing of them shapes its answer
    excluded_collections: tuple[str, ...] = ()
    mode: str | None = None  # "auto", "generate" or "quote"; None: [ask] mode


class AskStream(Protocol):
    """An answer in progress, wherever it is computed (in this process or in the service).

    Iterate for the events: `SourcesFound` first, then `TextDelta`s, then `AnswerDone`.
    `cancel()` may come from any thread (Ctrl+C, escape): the answer stops and is still
    delivered, marked cancelled. `answer` is set once it is done. `close()` at the end
    releases what the answer holds (a socket, or the assistant it was started on).
    """

    @property
    def answer(self) -> Answer | None: ...

    def __iter__(self) -> Iterator[AskEvent]: ...

    def cancel(self) -> None: ...

    def close(self) -> None: ...


class Answering(Protocol):
    """What callers need of an assistant: the service's engine, eval, and test stubs."""

    def search(
        self, query: str, *, k: int | None = None, collection: str | None = None
    ) -> Found: ...

    def ask(self, question: str, options: AskOptions | None = None) -> AskStream: ...
