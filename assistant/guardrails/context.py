"""guard_context (the check_context stage): what of the retrieved sources may reach the prompt.

Every source is scanned for injected instructions and neutralised. For a remote model,
chunks of local-only collections are withheld (retrieval withholds them first; this is the
second line, which a budget fallback to a remote model passes too), and so are earlier chat
turns that drew on local-only sources; PII and secrets are masked with reversible
placeholders in every field that leaves (the question, history, each source's text, path and
heading); `restore` puts the originals back in the text shown to the person. A local model's
answer that saw local-only text is marked (`local_only.used`) so that later turns keep it
local.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from assistant.ask.types import GuardrailEvent, PlainTurn, Source, Turn
from assistant.config import PrivacyConfig
from assistant.guardrails.events import (
    history_withheld_event,
    injection_event,
    local_only_used_event,
    pii_event,
)
from assistant.guardrails.injection import neutralise, scan_injection
from assistant.guardrails.pii import Redactor
from assistant.guardrails.withholding import withhold
from models.base import ChatModel


def _unchanged(text: str) -> str:
    return text


@dataclass(slots=True)
class GuardedContext:
    question: str  # as the model may see it
    history: list[Turn]
    sources: list[tuple[Source, str]]  # each source with the text the model may see
    events: list[GuardrailEvent] = field(default_factory=list)
    redactions: dict[str, int] = field(default_factory=dict)
    restore: Callable[[str], str] = _unchanged


def guard_context(
    question: str,
    history: Sequence[Turn],
    sources: Sequence[Source],
    model: ChatModel,
    privacy: PrivacyConfig,
) -> GuardedContext:
    withholding = withhold(sources, remote=model.is_remote, renumber=False)
    events = list(withholding.events)
    allowed = withholding.allowed
    turns = list(history)
    if model.is_remote:
        turns = [turn for turn in history if not turn.local_only]
        if len(turns) < len(history):
            events.append(history_withheld_event(len(history) - len(turns)))
    elif any(s.local_only for s in allowed) or any(t.local_only for t in turns):
        events.append(local_only_used_event())

    texts: list[str] = []
    for source in allowed:
        findings = scan_injection(source.text)
        if findings:
            events.append(injection_event(source.number, findings))
        texts.append(neutralise(source.text) if findings else source.text)

    context = GuardedContext(
        question=question,
        history=turns,
        sources=list(zip(allowed, texts, strict=True)),
        events=events,
    )
    if model.is_remote and privacy.redact_for_remote:
        redactor = Redactor()
        context.question = redactor.redact(question)
        context.history = [
            PlainTurn(redactor.redact(t.question), redactor.redact(t.answer)) for t in turns
        ]
        context.sources = [
            (
                replace(s, path=redactor.redact(s.path), heading=redactor.redact(s.heading)),
                redactor.redact(t),
            )
            for s, t in context.sources
        ]
        event = pii_event(redactor.counts_by_kind())
        if event is not None:
            context.redactions = redactor.counts_by_kind()
            context.restore = redactor.restore
            events.append(event)
    return context
