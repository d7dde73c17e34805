"""The four MCP tools over an `Assistant`, without the SDK: arguments in, released text out.

`McpTools.call(name, arguments)` checks the arguments, does the work, passes the result
through the `McpPolicy` (local-only, injected instructions, masking), and returns the JSON
text that leaves. Every call, failed or not, is written to the tool-call log, and the text
that leaves to the egress log (destination "mcp"). Known errors come back with the message
the command line prints for them; anything unexpected is logged on stderr and reported in one
line. `call` is blocking and not re-entrant: the server runs one call at a time on a thread of
its own.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.ask.types import Answer, AskOptions, Source
from assistant.errors import NOTHING_CLOSE, IngestError, MarginError, ModelError, UsageError
from assistant.guardrails.input_check import EMPTY_QUESTION
from assistant.log.mcp_calls import McpCall
from assistant.mcp.arguments import Arguments
from assistant.mcp.policy import McpPolicy, Released
from assistant.mcp.specs import (
    DEFAULT_K,
    MAX_COLLECTION_CHARS,
    MAX_ID_CHARS,
    MAX_K,
    MAX_LISTED,
    NEIGHBOURS,
    ToolSpec,
    tool_specs,
)

if TYPE_CHECKING:
    from assistant.ask.pipeline import AskRun
    from assistant.config import Config
    from assistant.core import Assistant
    from assistant.locations import Locations
    from ingest.types import StoredChunk

log = logging.getLogger("margin.mcp")

DESTINATION = "mcp"
EMPTY_QUERY = "Search for something: the query is empty."
NOTHING_FOUND = "No passage matched. Try other words, or list_sources to see what is ingested."
NOT_CLOSE = (
    f"{NOTHING_CLOSE}: these are only the nearest passages (margin's ask would say it is not "
    "in the documents). Try other words, or tell the user the documents do not say."
)
_CLIENT_NAME = re.compile(r"[^A-Za-z0-9_.\-]+")
LOGGED_CHARS = 4000  # of each argument in the tool-call log
LOGGED_ITEMS = 100
QUOTED_CHARS = 40


class UnknownToolError(LookupError):
    """A client called a tool this server does not have (a protocol error, not a tool's)."""


@dataclass(frozen=True, slots=True)
class ToolResult:
    """What goes back to the client: the JSON text (or error message) and whether it failed."""

    text: str
    is_error: bool = False


@dataclass(slots=True)
class _Outcome:
    payload: dict[str, Any]
    results: int
    withheld: int = 0  # items the tool left out by the policy before building the payload
    interaction_id: int | None = None


def passage(chunk: Source | StoredChunk) -> dict[str, Any]:
    """A passage as a client sees it (before the policy)."""
    item: dict[str, Any] = {
        "id": chunk.id,
        "path": chunk.path,
        "page": chunk.page,
        "line": chunk.line,
        "heading": chunk.heading,
        "collection": chunk.collection,
        "text": chunk.text,
        "local_only": chunk.local_only,
    }
    if isinstance(chunk, Source):
        item["score"] = round(chunk.score, 3)
        item["copies"] = list(chunk.copies)
    return item


class McpTools:
    def __init__(
        self,
        assistant: Assistant,
        policy: McpPolicy,
        *,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._assistant = assistant
        self._policy = policy
        self._clock = clock
        self._running: AskRun | None = None
        self.client = "unknown"
        self._handlers: dict[str, Callable[[Arguments], _Outcome]] = {
            "search": self._search,
            "ask": self._ask,
            "list_sources": self._list_sources,
            "read_passage": self._read_passage,
        }
        self._accepted = {spec.name: tuple(spec.input_schema["properties"]) for spec in self.specs}

    @property
    def specs(self) -> list[ToolSpec]:
        return tool_specs(self._assistant.config.ask.max_question_chars)

    def name_client(self, name: str) -> None:
        """Record the client's own name (from its `initialize`), reduced to a safe label."""
        label = _CLIENT_NAME.sub("-", name).strip("-")[:64]
        self.client = label or "unknown"

    def close(self) -> None:
        self._assistant.close()

    def cancel(self) -> None:
        """Stop the answer in progress, if any (the client cancelled its `ask`)."""
        running = self._running
        if running is not None:
            running.cancel()

    def call(self, name: str, arguments: Mapping[str, Any] | None) -> ToolResult:
        started = self._clock()
        handler = self._handlers.get(name)
        if handler is None:
            message = (
                f"margin has no tool {_quoted(name)}; its tools are {', '.join(self._handlers)}"
            )
            released = self._policy.release({"error": message})
            unknown = ToolResult(released.payload["error"], is_error=True)
            self._record(name, arguments, None, released, unknown, message, started)
            raise UnknownToolError(unknown.text)
        outcome: _Outcome | None = None
        error: str | None = None
        try:
            outcome = handler(Arguments(name, arguments, self._accepted[name]))
        except (MarginError, IngestError, ModelError) as exc:
            error = str(exc)
        except Exception as exc:
            log.exception("%s failed unexpectedly", name)
            error = (
                f"margin could not run {name}: unexpected {type(exc).__name__}; the details "
                "are in the MCP server's log (its stderr)"
            )
        released = self._policy.release(
            outcome.payload if outcome is not None else {"error": error or ""}
        )
        text = released.payload["error"] if outcome is None else _to_json(released.payload)
        result = ToolResult(text, is_error=outcome is None)
        self._record(name, arguments, outcome, released, result, error, started)
        return result

    # The tools ------------------------------------------------------------------------------

    def _search(self, args: Arguments) -> _Outcome:
        query = args.text("query", limit=self._max_chars, what="query", empty=EMPTY_QUERY)
        k = args.whole_number("k", low=1, high=MAX_K, default=DEFAULT_K)
        collection = self._collection(args)
        sources = self._assistant.search(
            query,
            k=k,
            collection=collection,
            include_local_only=self._policy.allow_local_only,
            excluded_collections=self._policy.withheld_collections(),
        )
        payload: dict[str, Any] = {"results": [passage(s) for s in sources]}
        if not sources:
            payload["notices"] = [NOTHING_FOUND]
        else:
            payload["close"] = sources.close
            if not sources.close:
                payload["notices"] = [NOT_CLOSE]
        return _Outcome(payload, results=len(sources))

    def _ask(self, args: Arguments) -> _Outcome:
        question = args.text(
            "question", limit=self._max_chars, what="question", empty=EMPTY_QUESTION
        )
        options = AskOptions(
            collection=self._collection(args),
            include_local_only=self._policy.allow_local_only,
            excluded_collections=self._policy.withheld_collections(),
        )
        run = self._assistant.ask(question, options)
        self._running = run
        try:
            answer = run.complete()
        finally:
            self._running = None
            run.close()
        return _Outcome(_answer_payload(answer), results=1, interaction_id=answer.interaction_id)

    def _list_sources(self, args: Arguments) -> _Outcome:
        wanted = self._collection(args)
        documents = [d for d in self._assistant.sources() if wanted in (None, d.collection)]
        shared = [d for d in documents if self._policy.shares(d.local_only, d.collection)]
        collections: dict[str, dict[str, Any]] = {}
        for document in shared:
            summary = collections.setdefault(
                document.collection, {"name": document.collection, "documents": 0, "chunks": 0}
            )
            summary["documents"] += 1
            summary["chunks"] += document.chunks
        listed = [
            {
                "path": d.path,
                "collection": d.collection,
                "chunks": d.chunks,
                "ingested_at": d.ingested_at,
                "local_only": d.local_only,
            }
            for d in shared[:MAX_LISTED]
        ]
        payload = {
            "collections": list(collections.values()),
            "documents": listed,
            "total": len(shared),
            "truncated": len(shared) > len(listed),
        }
        return _Outcome(payload, results=len(listed), withheld=len(documents) - len(shared))

    def _read_passage(self, args: Arguments) -> _Outcome:
        chunk_id = args.text("id", limit=MAX_ID_CHARS, what="id", empty="Pass a passage id.")
        chunks = self._assistant.passage(chunk_id, around=NEIGHBOURS)
        target = next((c for c in chunks if c.id == chunk_id), None)
        if target is None or not self._policy.shares(target.local_only, target.collection):
            # A local-only passage gets the same answer as a missing one: its existence is
            # not the client's business either.
            raise UsageError(
                f"No passage with id {chunk_id!r}. Ids come from search results and change "
                "when a document is re-ingested: search again."
            )
        payload = {
            "path": target.path,
            "collection": target.collection,
            "local_only": target.local_only,
            "passage": passage(target),
            "before": [passage(c) for c in chunks if c.ordinal < target.ordinal],
            "after": [passage(c) for c in chunks if c.ordinal > target.ordinal],
        }
        return _Outcome(payload, results=len(chunks))

    # Helpers --------------------------------------------------------------------------------

    @property
    def _max_chars(self) -> int:
        return self._assistant.config.ask.max_question_chars

    def _collection(self, args: Arguments) -> str | None:
        """The `collection` argument, which must name a collection the client may see."""
        name = args.optional_text("collection", limit=MAX_COLLECTION_CHARS, what="collection name")
        if name is None:
            return None
        shared = sorted(
            {
                d.collection
                for d in self._assistant.sources()
                if self._policy.shares(d.local_only, d.collection)
            }
        )
        if name not in shared:
            raise UsageError(
                f"No collection named {name!r}. Collections: {', '.join(shared) or 'none yet'}."
            )
        return name

    def _record(
        self,
        tool: str,
        arguments: Mapping[str, Any] | None,
        outcome: _Outcome | None,
        released: Released,
        result: ToolResult,
        error: str | None,
        started: float,
    ) -> None:
        """Write the egress entry and the tool-call row; a damaged log costs the record of this
        call, never the result."""
        logs = self._assistant.log
        interaction_id = outcome.interaction_id if outcome is not None else None
        try:
            egress_id = logs.egress.record(
                interaction_id=interaction_id,
                profile=DESTINATION,
                endpoint_url=f"{DESTINATION}:{self.client}",
                messages=[{"role": "tool", "name": tool, "content": result.text}],
                redactions=released.redactions,
            )
            logs.mcp_calls.record(
                McpCall(
                    client=self.client,
                    tool=tool,
                    arguments=_loggable(arguments),
                    outcome="error" if result.is_error else "ok",
                    ms=(self._clock() - started) * 1000,
                    error=error,
                    results=outcome.results if outcome is not None else 0,
                    withheld=released.withheld + (outcome.withheld if outcome else 0),
                    flagged=released.flagged,
                    redactions=released.redactions,
                    interaction_id=interaction_id,
                    egress_id=egress_id,
                )
            )
        except (sqlite3.Error, OSError) as exc:
            log.warning("could not log the %s call: %s", tool, exc)


def open_tools(
    locations: Locations, config: Config, policy: McpPolicy, *, verbose: bool = False
) -> McpTools:
    """The tools over the assistant of this data folder, its search path warmed up."""
    from assistant.core import build_assistant

    assistant = build_assistant(locations=locations, config=config, verbose=verbose)
    assistant.search("warm up", k=1)
    documents = assistant.sources()
    shared = sum(policy.shares(d.local_only, d.collection) for d in documents)
    log.info(
        "ready: %d of %d documents shared (local-only collections %s; personal data %s)",
        shared,
        len(documents),
        "shared: --allow-local-only" if policy.allow_local_only else "withheld",
        "masked" if policy.redact else "NOT masked: [privacy] redact_for_mcp = false",
    )
    return McpTools(assistant, policy)


def _answer_payload(answer: Answer) -> dict[str, Any]:
    sources = []
    for source in answer.sources:
        item = passage(source)
        item["number"] = source.number
        sources.append(item)
    return {
        "answer": answer.answer,
        "refused": answer.refused,
        "refusal_reason": answer.refusal_reason,
        "cancelled": answer.cancelled,
        "mode": answer.mode,
        # "unsupported": the model's answer failed the support check; this is a quote instead
        "fallback": answer.fallback,
        "model": answer.model,
        "cited": answer.cited,  # the model's own citations
        "attributed": answer.attributed,  # margin's matches for sentences it did not cite
        "groundedness": answer.groundedness,  # share of checked sentences a source supports
        "sentences_unsupported": sum(s.status == "unsupported" for s in answer.sentences),
        "truncated": answer.truncated,
        "truncation": answer.truncation,
        "sources": sources,
        "guardrails": [{"kind": e.kind, "detail": e.detail} for e in answer.guardrails],
        "interaction_id": answer.interaction_id,
        # An answer drawn from a local-only source is local-only itself.
        "local_only": any(source.local_only for source in answer.sources),
        # ...and so are the rules of its sources' collections
        "collections": sorted({source.collection for source in answer.sources}),
    }


def _loggable(arguments: Mapping[str, Any] | None) -> dict[str, Any]:
    """The arguments as the log can hold them: a client may send anything, so long strings
    are cut and text that is not Unicode (lone surrogates) is replaced."""
    if not isinstance(arguments, Mapping):
        return {"arguments": _loggable_value(repr(arguments))}
    return {_loggable_value(str(k)): _loggable_value(v) for k, v in arguments.items()}


def _loggable_value(value: Any) -> Any:
    if isinstance(value, str):
        cut = (
            value
            if len(value) <= LOGGED_CHARS
            else f"{value[:LOGGED_CHARS]}… ({len(value):,} characters)"
        )
        return cut.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, Mapping):
        return {_loggable_value(str(k)): _loggable_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_loggable_value(item) for item in value[:LOGGED_ITEMS]]
    if value is None or isinstance(value, bool | int | float):
        return value
    return _loggable_value(repr(value))


def _quoted(name: str) -> str:
    """A client-chosen name for a message: quoted, and cut if long."""
    return repr(name if len(name) <= QUOTED_CHARS else name[:QUOTED_CHARS] + "…")


def _to_json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False)
