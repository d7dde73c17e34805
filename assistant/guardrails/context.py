"""guard_context (the check_context stage): what of the retrieved sources may reach the prompt.

Every source is scanned for injected instructions and neutralised. Sources and earlier
turns the model may not receive under the collection policies are withheld (retrieval
withholds sources first; this is the second line, which a budget fallback to another model
passes too); for a remote model that includes local-only chunks and earlier chat turns that
drew on local-only sources. PII and secrets are masked with reversible placeholders in every
field that leaves (the question, history, each source's text, path and heading: a path in
the person's home folder goes as `~/...`, without their user name), per collection where its
policy says `redact`, otherwise as `[privacy] redact_for_remote` says;
`restore` puts the originals back in the text shown to the person. A local model's answer
that saw local-only text is marked (`local_only.used`) so that later turns keep it local.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from assistant.ask.types import GuardrailEvent, PlainTurn, Source, Turn
from assistant.config import PrivacyConfig
from assistant.config_collections import CollectionPolicy
from assistant.guardrails.events import (
    history_withheld_event,
    injection_event,
    local_only_used_event,
    pii_event,
)
from assistant.guardrails.injection import neutralise, scan_injection
from assistant.guardrails.pii import Redactor
from assistant.guardrails.withholding import Recipient, withhold, withhold_turns
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
    policies: Mapping[str, CollectionPolicy] | None = None,
) -> GuardedContext:
    recipient = Recipient(model.profile, model.is_remote, policies or {})
    withholding = withhold(sources, recipient, renumber=False)
    events = list(withholding.events)
    allowed = withholding.allowed
    turns = list(history)
    if model.is_remote:
        turns = [turn for turn in history if not turn.local_only]
        withheld_turns = [turn for turn in history if turn.local_only]
        if withheld_turns:
            events.append(history_withheld_event(withheld_turns))
    elif any(s.local_only for s in allowed) or any(t.local_only for t in turns):
        events.append(local_only_used_event())
    turns, policy_events = withhold_turns(turns, recipient)
    events.extend(policy_events)

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
    if not model.is_remote:
        return context
    default = privacy.redact_for_remote
    masked_sources = [recipient.redacts(s.collection, default) for s in allowed]
    masked_turns = [
        default or any(recipient.redacts(c, False) for c in t.collections) for t in turns
    ]
    if default or any(masked_sources) or any(masked_turns):
        redactor = Redactor()
        if default:
            context.question = redactor.redact(question)
        context.history = [
            PlainTurn(redactor.redact(t.question), redactor.redact(t.answer)) if masked else t
            for t, masked in zip(turns, masked_turns, strict=True)
        ]
        context.sources = [
            (
                replace(
                    s, path=redactor.redact(from_home(s.path)), heading=redactor.redact(s.heading)
                ),
                redactor.redact(t),
            )
            if masked
            else (s, t)
            for (s, t), masked in zip(context.sources, masked_sources, strict=True)
        ]
        event = pii_event(redactor.counts_by_kind())
        if event is not None:
            context.redactions = redactor.counts_by_kind()
            context.restore = redactor.restore
            events.append(event)
    return context


def from_home(path: str) -> str:
    """`path` as `~/...` when it is in the home folder: the folder's name is usually the
    person's user name, which a remote model has no need of."""
    home = str(Path.home()).rstrip("/")
    if home and path.startswith(f"{home}/"):
        return f"~{path[len(home) :]}"
    return path
