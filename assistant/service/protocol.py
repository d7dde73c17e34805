"""The wire between the CLI and the background service: JSON lines over a Unix socket.

One request per connection, one JSON object on one line:
`{"op": "search" | "ask" | "ping" | "shutdown", "env": fingerprint, ...arguments}`; search
takes `query`, `k`, `collection`; ask takes `question` and `options` (every field of
`AskOptions`, encoded by its declared type, so a new option needs no change here).
The service answers with event lines: `results` (search), `sources` / `delta` and
`sentence` / `done` (ask, in that order), `pong`, `ok`, `stale` (the service is out of date
and is exiting: start a fresh one), or `error` (`kind`, `message`, `exit_code`). Sources and
answers travel with exact float scores, so both paths print the same numbers.

This module also says where the socket lives; it stays light (no heavy imports) because the
client path of every `margin search` imports it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import socket
import struct
import types
import typing
from dataclasses import asdict
from pathlib import Path
from typing import Any

from assistant.ask.types import (
    Answer,
    AnswerDone,
    AnswerUsage,
    AskEvent,
    AskOptions,
    Found,
    GuardrailEvent,
    SentenceChecked,
    SentenceSupport,
    Source,
    SourcesFound,
    TextDelta,
)
from assistant.errors import MarginError, UsageError
from assistant.locations import Locations

PROTOCOL_VERSION = 3
# Room for any question `ask.max_question_chars` allows (20,000 characters, up to 4 bytes
# each) with its history, and for any question a shell can pass (Linux: 128 KiB per
# argument): a question over its limit reaches `check_input` and fails as it does without
# the service, naming the limit.
MAX_REQUEST_BYTES = 4 * 1024 * 1024
SOCKET_NAME = "service.sock"
LOCK_NAME = "service.lock"
PID_NAME = "service.pid"
LOG_NAME = "service.log"
AF_UNIX_PATH_MAX = 107  # 108 bytes in sun_path, one for the terminating NUL

# Environment variables that change what the service would do; a client whose values differ
# from the running service's gets a fresh service (for example after exporting an API key).
_ENV_PREFIXES = ("MARGIN_", "HF_", "TRANSFORMERS_", "OPENAI_", "LLAMA_", "OMP_")
_ENV_SUFFIXES = ("_KEY", "_TOKEN", "_PROXY")
_ENV_IGNORED = ("MARGIN_NO_SERVICE",)


class ProtocolError(Exception):
    """A line on the socket was not a JSON object of the expected shape."""


class ServiceError(MarginError):
    """An error the service reported; it carries the exit code the in-process path would use."""

    def __init__(self, message: str, *, kind: str = "error", exit_code: int = 1):
        super().__init__(message)
        self.kind = kind
        self.exit_code = exit_code


def socket_path(locations: Locations) -> Path:
    """`run_dir/service.sock`, or a short path under /tmp/margin-<uid>/ when that is too long."""
    preferred = locations.run_dir / SOCKET_NAME
    if len(os.fsencode(preferred)) <= AF_UNIX_PATH_MAX:
        return preferred
    digest = hashlib.sha256(os.fsencode(locations.data_dir)).hexdigest()[:16]
    return short_socket_dir() / f"{digest}.sock"


def short_socket_dir() -> Path:
    return Path("/tmp") / f"margin-{os.getuid()}"


def env_fingerprint(environ: dict[str, str] | os._Environ[str]) -> str:
    """A hash of the environment variables that matter to the service (values never sent)."""
    relevant = sorted(
        (name, value)
        for name, value in environ.items()
        if name not in _ENV_IGNORED
        and not name.startswith("MARGIN_SERVICE_")
        and (name.upper().startswith(_ENV_PREFIXES) or name.upper().endswith(_ENV_SUFFIXES))
    )
    digest = hashlib.sha256()
    for name, value in relevant:
        digest.update(f"{name}={value}\0".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:32]


def encode_line(message: dict[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def decode_line(line: bytes) -> dict[str, Any]:
    try:
        message = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"not a JSON line: {exc}") from exc
    if not isinstance(message, dict):
        raise ProtocolError("expected a JSON object")
    return message


def source_to_wire(source: Source) -> dict[str, Any]:
    """Like `Source.to_json`, but with the exact score."""
    return asdict(source)


def source_from_json(data: dict[str, Any]) -> Source:
    return Source(
        number=int(data["number"]),
        id=str(data["id"]),
        path=str(data["path"]),
        page=data.get("page"),
        heading=str(data.get("heading", "")),
        line=data.get("line"),
        score=float(data["score"]),
        text=str(data.get("text", "")),
        collection=str(data.get("collection", "default")),
        local_only=bool(data.get("local_only", False)),
        lines=None if data.get("lines") is None else tuple(int(n) for n in data["lines"]),
        cited_line=data.get("cited_line"),
        copies=tuple(str(path) for path in data.get("copies", ())),
    )


def answer_to_wire(answer: Answer) -> dict[str, Any]:
    """Like `Answer.to_json`, but with exact scores and timings."""
    wire = asdict(answer)
    wire["sources"] = [source_to_wire(s) for s in answer.sources]
    return wire


def answer_from_json(data: dict[str, Any]) -> Answer:
    return Answer(
        question=str(data["question"]),
        answer=str(data.get("answer", "")),
        refused=bool(data.get("refused", False)),
        refusal_reason=data.get("refusal_reason"),
        mode=data.get("mode", "model"),
        sources=[source_from_json(s) for s in data.get("sources", [])],
        cited=[int(n) for n in data.get("cited", [])],
        attributed=[int(n) for n in data.get("attributed", [])],
        sentences=[SentenceSupport.from_json(s) for s in data.get("sentences", [])],
        guardrails=[
            GuardrailEvent(g["kind"], g["detail"], tuple(g.get("collections", ())))
            for g in data.get("guardrails", [])
        ],
        usage=AnswerUsage(**data.get("usage", {})),
        latency_ms={str(k): float(v) for k, v in data.get("latency_ms", {}).items()},
        model=str(data.get("model", "")),
        model_id=str(data.get("model_id", "")),
        groundedness=data.get("groundedness"),
        cached=bool(data.get("cached", False)),
        cancelled=bool(data.get("cancelled", False)),
        truncation=data.get("truncation"),
        interaction_id=data.get("interaction_id"),
        conversation_id=data.get("conversation_id"),
        search_query=data.get("search_query"),
        fallback=data.get("fallback"),
    )


def options_to_wire(options: AskOptions) -> dict[str, Any]:
    """Every field of `AskOptions` as JSON values (tuples of turns become lists of objects)."""
    return asdict(options)


def options_from_wire(data: object) -> AskOptions:
    """`AskOptions` from the wire, each field checked against its declared type.

    A field left out keeps its default; an unknown field or a value of the wrong type is a
    `UsageError` that names it.
    """
    if not isinstance(data, dict):
        raise UsageError("the request needs 'options' as an object")
    hints = typing.get_type_hints(AskOptions)
    unknown = sorted(set(data) - set(hints))
    if unknown:
        raise UsageError(f"unknown ask options: {', '.join(map(repr, unknown))}")
    return AskOptions(**{name: _typed(value, hints[name], name) for name, value in data.items()})


def _typed(value: object, hint: Any, name: str) -> Any:
    """`value` as the type `hint` declares (JSON lists become tuples), or a `UsageError`."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        for member in args:
            with contextlib.suppress(UsageError):
                return _typed(value, member, name)
    elif origin is typing.Literal:
        if value in args:
            return value
    elif origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        if isinstance(value, list):
            return tuple(_typed(item, args[0], f"{name}[{i}]") for i, item in enumerate(value))
    elif isinstance(hint, type) and dataclasses.is_dataclass(hint):
        field_hints = typing.get_type_hints(hint)
        required = {f.name for f in dataclasses.fields(hint) if _required(f)}
        if isinstance(value, dict) and required <= set(value) <= set(field_hints):
            return hint(**{k: _typed(v, field_hints[k], f"{name}.{k}") for k, v in value.items()})
    elif hint is type(None) or hint in (str, bool):
        if type(value) is hint:
            return value
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif hint is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    else:
        raise TypeError(f"AskOptions.{name} is {hint!r}, which has no wire form yet")
    raise UsageError(f"the ask option {name!r} should be {_kind(hint)}, not {value!r:.40}")


def _required(field: dataclasses.Field[Any]) -> bool:
    return field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING


def _kind(hint: Any) -> str:
    """How a person names the JSON a type takes: `a whole number or null`."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        return " or ".join(_kind(member) for member in args)
    if origin is typing.Literal:
        return " or ".join(map(repr, args))
    if origin is tuple:
        return f"a list of {_kind(args[0])}"
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return "an object with " + ", ".join(repr(f.name) for f in dataclasses.fields(hint))
    plain = {type(None): "null", str: "text", bool: "true or false", int: "a whole number"}
    return plain.get(hint, "a number")


def event_to_wire(event: AskEvent) -> dict[str, Any]:
    if isinstance(event, SourcesFound):
        return {
            "event": "sources",
            "sources": [source_to_wire(s) for s in event.sources],
            "search_query": event.search_query,
        }
    if isinstance(event, TextDelta):
        return {"event": "delta", "text": event.text}
    if isinstance(event, SentenceChecked):
        return {"event": "sentence", "support": asdict(event.support)}
    return {"event": "done", "answer": answer_to_wire(event.answer)}


def event_from_wire(message: dict[str, Any]) -> AskEvent:
    """Rebuild an ask event; an `error` line raises the `ServiceError` it describes."""
    kind = message.get("event")
    if kind == "sources":
        sources = [source_from_json(s) for s in message["sources"]]
        return SourcesFound(sources, message.get("search_query"))
    if kind == "delta":
        return TextDelta(str(message["text"]))
    if kind == "sentence":
        return SentenceChecked(SentenceSupport.from_json(message["support"]))
    if kind == "done":
        return AnswerDone(answer_from_json(message["answer"]))
    raise_if_error(message)
    raise ProtocolError(f"unexpected event {kind!r} in an answer")


def results_to_wire(found: Found) -> dict[str, Any]:
    return {
        "event": "results",
        "results": [source_to_wire(s) for s in found],
        "close": found.close,
        "why": found.why,
        "searched": found.searched,
    }


def results_from_wire(message: dict[str, Any]) -> Found:
    raise_if_error(message)
    if message.get("event") != "results":
        raise ProtocolError(f"expected search results, got {message.get('event')!r}")
    return Found(
        (source_from_json(s) for s in message["results"]),
        close=bool(message.get("close", True)),
        why=str(message.get("why", "")),
        searched=None if message.get("searched") is None else str(message["searched"]),
    )


def error_to_wire(exc: BaseException) -> dict[str, Any]:
    """The error event for an exception, with the exit code `margin` would exit with."""
    exit_code = exc.exit_code if isinstance(exc, MarginError) else 1
    return {
        "event": "error",
        "kind": type(exc).__name__,
        "message": str(exc),
        "exit_code": exit_code,
    }


def raise_if_error(message: dict[str, Any]) -> None:
    if message.get("event") == "error":
        raise ServiceError(
            str(message.get("message", "the margin service failed")),
            kind=str(message.get("kind", "error")),
            exit_code=int(message.get("exit_code", 1)),
        )


def peer_credentials(sock: socket.socket) -> tuple[int, int, int]:
    """(pid, uid, gid) of the process at the other end of a Unix socket (Linux SO_PEERCRED)."""
    raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, gid = struct.unpack("3i", raw)
    return pid, uid, gid
