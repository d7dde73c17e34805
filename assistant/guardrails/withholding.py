"""Withholding: which sources the chosen model may not receive, decided first.

The rule is the collection policy (`[collections.NAME]`, `assistant.config_collections`): a
collection may go only to the profiles its `models` lists, and a local-only one (ingested
with --local-only, or `local_only = true`) never to a model off this machine. It runs:

- inside retrieval (`assistant.ask.retrieval`), right after fusion, before anything is judged
  relevant or numbered for the person, so that relevance is decided on what the model will
  actually see (a withheld best source cannot let a barely related public chunk through),
  and the sources left are numbered from 1 in rank order: the [1] the person sees is the [1]
  the model cites;
- on the earlier turns of a chat (`withhold_turns`): a turn whose answer drew on a collection
  the model may not receive is left out of the history sent with a follow-up;
- again in `guard_context`, the second line a budget fallback to another model passes too;
- and for the MCP server (`assistant.mcp.policy`), whose reader is `MCP_RECIPIENT`.

Each rule that withholds something is reported as a guardrail event naming the collection
and the rule, and `Recipient.applied` is what the egress log records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from assistant.ask.types import GuardrailEvent, Source, Turn
from assistant.config_collections import CollectionPolicy, policy_of
from assistant.guardrails.events import LOCAL_ONLY_RULE, policy_history_event, withheld_event


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who will read the text: a model profile by name, whether it runs off this machine, and
    the collection policies in force for this request."""

    profile: str
    remote: bool
    policies: Mapping[str, CollectionPolicy] = field(default_factory=dict)

    def refusal(self, collection: str, local_only: bool = False) -> str | None:
        """The rule that keeps `collection`'s text from this recipient, or None.
        `local_only` is the collection's flag in the index (set at ingest)."""
        if local_only and self.remote:
            return LOCAL_ONLY_RULE
        return policy_of(self.policies, collection).refusal(self.profile, self.remote)

    def may_receive(self, source: Source) -> bool:
        return self.refusal(source.collection, source.local_only) is None

    def redacts(self, collection: str, default: bool) -> bool:
        """Whether `collection`'s text is masked before it reaches this (remote) recipient."""
        redact = policy_of(self.policies, collection).redact
        return self.remote and (default if redact is None else redact)

    def applied(self, collections: Sequence[str]) -> dict[str, dict[str, object]]:
        """The policies of `collections` that are not the defaults, by collection: what the
        egress log and the answer cache record."""
        policies = (policy_of(self.policies, name) for name in sorted(set(collections)))
        return {p.name: p.to_table() for p in policies if not p.is_default}


# The program reading MCP results: treated as a remote model with no profile name, so only
# collections open to every profile are shared with it.
MCP_RECIPIENT = "an MCP client"


@dataclass(frozen=True, slots=True)
class Withholding:
    allowed: list[Source]  # numbered from 1, in rank order
    withheld: list[Source]
    events: list[GuardrailEvent] = field(default_factory=list)


def withhold(
    sources: Sequence[Source], recipient: Recipient | None, *, renumber: bool = True
) -> Withholding:
    """The sources `recipient` may receive (None: the caller withholds nothing), renumbered
    unless `renumber` is False (their numbers are already the ones the person sees)."""
    if recipient is None:
        return Withholding(renumbered(sources) if renumber else list(sources), [])
    allowed: list[Source] = []
    withheld: dict[str, list[Source]] = {}
    for source in sources:
        rule = recipient.refusal(source.collection, source.local_only)
        if rule is None:
            allowed.append(source)
        else:
            withheld.setdefault(rule, []).append(source)
    events = [
        withheld_event(rule, [s.collection for s in group], recipient.profile)
        for rule, group in withheld.items()
    ]
    dropped = [source for group in withheld.values() for source in group]
    return Withholding(renumbered(allowed) if renumber else allowed, dropped, events)


def withhold_turns(
    turns: Sequence[Turn], recipient: Recipient
) -> tuple[list[Turn], list[GuardrailEvent]]:
    """The earlier turns `recipient` may read: a turn whose answer used a source it may not
    receive is left out whole (its question and answer carry that text)."""
    kept: list[Turn] = []
    rules: dict[str, list[str]] = {}
    for turn in turns:
        refused = [
            (rule, collection)
            for collection in turn.collections
            for rule in [recipient.refusal(collection, turn.local_only)]
            if rule is not None
        ]
        if not refused:
            kept.append(turn)
        for rule, collection in refused[:1]:
            rules.setdefault(rule, []).append(collection)
    events = [
        policy_history_event(rule, collections, recipient.profile)
        for rule, collections in rules.items()
    ]
    return kept, events


def renumbered(sources: Sequence[Source]) -> list[Source]:
    """The same sources numbered 1, 2, 3... in their order."""
    return [
        source if source.number == number else replace(source, number=number)
        for number, source in enumerate(sources, start=1)
    ]
