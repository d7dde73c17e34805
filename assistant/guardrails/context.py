"""guard_context (the check_context stage): what of the retrieved sources may reach the prompt.

Every source is scanned for injected instructions and neutralised. For a remote model,
chunks of local-only collections are withheld, and so are earlier turns answered from them,
and PII and secrets are masked with reversible
placeholders; `restore` puts the originals back in the text shown to the person.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from assistant.ask.types import GuardrailEvent, PlainTurn, Source, Turn
from assistant.config import PrivacyConfig
from assistant.guardrails.events import (
    injection_event,
    pii_event,
    withheld_event,
    withheld_turns_event,
)
from assistant.guardrails.injection import neutralise, scan_injection
from assistant.guardrails.pii import Redactor
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
    events: list[GuardrailEvent] = []
    allowed: list[Source] = []
    withheld: list[Source] = []
    for source in sources:
        (withheld if model.is_remote and source.local_only else allowed).append(source)
    if withheld:
        events.append(withheld_event(len(withheld), [s.collection for s in withheld]))

    texts: list[str] = []
    for source in allowed:
        findings = scan_injection(source.text)
        if findings:
            events.append(injection_event(source.number, findings))
        texts.append(neutralise(source.text) if findings else source.text)

    turns = list(history)
    if model.is_remote:  # an earlier answer built from local-only text is local-only too
        turns = [t for t in history if not any(s.local_only for s in t.sources)]
        if len(turns) < len(history):
            events.append(withheld_turns_event(len(history) - len(turns)))
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
        context.sources = [(s, redactor.redact(t)) for s, t in context.sources]
        event = pii_event(redactor.counts_by_kind())
        if event is not None:
            context.redactions = redactor.counts_by_kind()
            context.restore = redactor.restore
            events.append(event)
    return context
