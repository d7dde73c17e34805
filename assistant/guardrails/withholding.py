"""Withholding: which retrieved sources the chosen model may not receive, decided first.

Today the rule is one: a remote model never receives chunks of a local-only collection. It
runs inside retrieval (`assistant.ask.retrieval`), right after fusion, before anything is
judged relevant or numbered for the person, so that relevance is decided on what the model
will actually see (a withheld best source cannot let a barely related public chunk
through), and the sources left are numbered from 1 in rank order: the [1] the person sees
is the [1] the model cites.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from assistant.ask.types import GuardrailEvent, Source
from assistant.guardrails.events import withheld_event


@dataclass(frozen=True, slots=True)
class Withholding:
    allowed: list[Source]  # numbered from 1, in rank order
    withheld: list[Source]
    events: list[GuardrailEvent] = field(default_factory=list)


def withhold(sources: Sequence[Source], *, remote: bool, renumber: bool = True) -> Withholding:
    """The sources a model may receive (`remote`: it runs off this machine), renumbered
    unless `renumber` is False (their numbers are already the ones the person sees)."""
    allowed = [s for s in sources if not (remote and s.local_only)]
    withheld = [s for s in sources if remote and s.local_only]
    events = []
    if withheld:
        events.append(withheld_event(len(withheld), [s.collection for s in withheld]))
    return Withholding(renumbered(allowed) if renumber else allowed, withheld, events)


def renumbered(sources: Sequence[Source]) -> list[Source]:
    """The same sources numbered 1, 2, 3... in their order."""
    return [
        source if source.number == number else replace(source, number=number)
        for number, source in enumerate(sources, start=1)
    ]
