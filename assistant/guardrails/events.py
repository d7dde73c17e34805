"""Guardrail findings as `GuardrailEvent`s for the answer and the log.

Details are written for a person reading `margin stats` or `ask --json`; they never hold a
redacted value, only kinds and counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from assistant.ask.types import LOCAL_ONLY_USED, GuardrailEvent, Turn
from assistant.guardrails.pii import Redactor
from assistant.terminal import counted

if TYPE_CHECKING:
    from assistant.ask.spelling import Respelling
    from assistant.guardrails.injection import InjectionFinding
    from assistant.guardrails.support import SupportReport
    from models.repetition import Repetition

INPUT_CONTROL_CHARS = "input.control_chars"
INJECTION = "injection"
PII_REDACTED = "pii.redacted"
LOCAL_ONLY_WITHHELD = "local_only.withheld"
POLICY_WITHHELD = "policy.withheld"  # a [collections.NAME] models rule
POLICY_HISTORY_WITHHELD = "policy.history_withheld"
QUOTE_ONLY = "policy.quote_only"
LOCAL_ONLY_RULE = "local-only collection"
LOCAL_ONLY_HISTORY_WITHHELD = "local_only.history_withheld"
CITATION_INVALID = "citation.invalid"
CITATION_ATTRIBUTED = "citation.attributed"
GROUNDING_UNSUPPORTED = "grounding.unsupported"
ANSWER_REPLACED = "answer.replaced"  # ask.mode = "auto" quoted instead of an unsupported answer
ANSWER_REPEATING = "answer.repeating"  # the model looped; margin stopped it, dropped the repeats
WEAK_MATCH = "evidence.weak"  # relevant enough to answer from, but only just
QUESTION_RESPELT = "question.respelt"  # misspelt words no document holds, searched put right
ANSWER_TAGS_REMOVED = "answer.tags_removed"  # the model wrote the prompt's <source> tags
ANSWER_CHECKS = (CITATION_ATTRIBUTED, GROUNDING_UNSUPPORTED)  # about the text the model wrote

_MAX_LISTED = 8


def injection_event(source_number: int, findings: Iterable[InjectionFinding]) -> GuardrailEvent:
    """One event per source: which techniques were found in source [n]."""
    kinds = list(dict.fromkeys(finding.kind for finding in findings))
    return GuardrailEvent(
        INJECTION,
        f"source [{source_number}]: {', '.join(kinds)} (flagged and neutralised; "
        "the model was told sources are data)",
    )


def pii_event(counts: Mapping[str, int]) -> GuardrailEvent | None:
    """Counts per kind of what was masked before a remote call, or None if nothing was."""
    if not counts:
        return None
    listed = ", ".join(f"{count} {kind}" for kind, count in sorted(counts.items()))
    return GuardrailEvent(PII_REDACTED, f"masked before the remote call: {listed}")


def withheld_event(rule: str, collections: list[str], recipient: str) -> GuardrailEvent:
    """Sources (one collection name each) withheld from `recipient` by one rule."""
    names = ", ".join(sorted(set(collections)))
    plural = "s" if len(collections) != 1 else ""
    if rule == LOCAL_ONLY_RULE:
        return GuardrailEvent(
            LOCAL_ONLY_WITHHELD,
            f"{len(collections)} source{plural} from local-only collection(s) {names} "
            f"withheld from the remote model {recipient}",
            tuple(collections),
        )
    return GuardrailEvent(
        POLICY_WITHHELD,
        f"{len(collections)} source{plural} from {names} withheld from {recipient}: {rule}",
        tuple(collections),
    )


def policy_history_event(rule: str, collections: list[str], recipient: str) -> GuardrailEvent:
    """Earlier chat turns (one collection name each) left out of the history sent to
    `recipient` by one rule."""
    names = ", ".join(sorted(set(collections)))
    plural = "s" if len(collections) != 1 else ""
    return GuardrailEvent(
        POLICY_HISTORY_WITHHELD,
        f"{len(collections)} earlier turn{plural} drawing on {names} not sent to {recipient}: "
        f"{rule}",
        tuple(collections),
    )


def quote_policy_event(collections: Iterable[str]) -> GuardrailEvent:
    names = sorted(set(collections))
    return GuardrailEvent(
        QUOTE_ONLY,
        "answered with verbatim quotes, no model: "
        f"collection(s) {', '.join(names)} have answer = 'quote'",
        tuple(names),
    )


def weak_match_event(score: float, confident: float) -> GuardrailEvent:
    """The sources passed the relevance gate with little to spare: say so beside the answer."""
    return GuardrailEvent(
        WEAK_MATCH,
        f"the passages found match the question weakly ({score:.2f}, under {confident:.2f}); "
        "they may not answer it",
    )


def respelt_event(respellings: Sequence[Respelling]) -> GuardrailEvent:
    """Words of the question no document holds were searched for as the word meant."""
    words = " and ".join(f"“{r.word}”" for r in respellings)
    corrections = " and ".join(f"“{r.correction}”" for r in respellings)
    verb = "is" if len(respellings) == 1 else "are"
    return GuardrailEvent(
        QUESTION_RESPELT, f"{words} {verb} in no document; searched for {corrections} instead"
    )


def local_only_used_event() -> GuardrailEvent:
    """The model saw local-only text (sources, or earlier turns that did): a follow-up to a
    remote model will not carry this answer."""
    return GuardrailEvent(
        LOCAL_ONLY_USED,
        "this answer drew on local-only sources; it is never sent to a remote model, "
        "not even as chat history",
    )


def history_withheld_event(turns: Sequence[Turn]) -> GuardrailEvent:
    """Earlier chat turns that drew on local-only sources, left out of a remote model's
    history; each turn counts once for every collection it drew on."""
    plural = "s" if len(turns) != 1 else ""
    return GuardrailEvent(
        LOCAL_ONLY_HISTORY_WITHHELD,
        f"{len(turns)} earlier turn{plural} of this chat drew on local-only sources and "
        f"{'were' if plural else 'was'} not sent to the remote model",
        tuple(collection for turn in turns for collection in turn.collections),
    )


def citation_event(invalid: list[int], source_numbers: set[int]) -> GuardrailEvent:
    markers = ", ".join(f"[{number}]" for number in invalid[:_MAX_LISTED])
    known = _describe_numbers(source_numbers)
    return GuardrailEvent(
        CITATION_INVALID, f"removed citation(s) {markers}: the answer had sources {known}"
    )


def attribution_event(attributed: list[int]) -> GuardrailEvent:
    markers = ", ".join(f"[{number}]?" for number in attributed[:_MAX_LISTED])
    return GuardrailEvent(
        CITATION_ATTRIBUTED,
        f"margin matched sentences the model did not cite to sources {markers}; "
        "these are not the model's citations",
    )


def grounding_event(report: SupportReport) -> GuardrailEvent:
    """How many sentences no source supports, and up to eight terms found in no source.

    The terms come from the restored answer, so each is checked for personal data first and
    shown as its kind (for example `<email>`) when it holds any.
    """
    unsupported = len(report.unsupported)
    share = f"{unsupported} of {counted(report.checked, 'sentence')}"
    missing = list(dict.fromkeys(term for s in report.unsupported for term in s.missing))
    if not missing:
        return GuardrailEvent(
            GROUNDING_UNSUPPORTED, f"{share} not supported by any source (marked [?])"
        )
    shown = []
    for term in missing[:_MAX_LISTED]:
        redactor = Redactor()
        masked = redactor.redact(term)
        shown.append(f"<{next(iter(redactor.counts_by_kind()))}>" if masked != term else term)
    more = len(missing) - len(shown)
    listed = "; ".join(shown) + (f"; and {more} more" if more > 0 else "")
    return GuardrailEvent(
        GROUNDING_UNSUPPORTED,
        f"{share} not supported by any source (marked [?]); in no source: {listed}",
    )


def replaced_event(report: SupportReport) -> GuardrailEvent:
    """The model's answer was replaced by a quote: how much of it no source supports."""
    unsupported, checked = len(report.unsupported), report.checked
    return GuardrailEvent(
        ANSWER_REPLACED,
        f"{unsupported} of {counted(checked, 'sentence')} the model wrote "
        "not supported by any source; the answer is the sources' own words instead",
    )


def repeating_event(repetition: Repetition, tokens: int) -> GuardrailEvent:
    """The model was stopped writing the same words again and again: counts, never the text
    (it may hold what the sources held)."""
    return GuardrailEvent(
        ANSWER_REPEATING,
        f"the model wrote the same {counted(repetition.words, 'word')}"
        f" {repetition.copies} times in a row; margin stopped it after {tokens} tokens and "
        "left the repeats out of the answer",
    )


def echoed_tags_event(count: int) -> GuardrailEvent:
    """The model wrote `count` of the prompt's `<source>` tags into its answer."""
    return GuardrailEvent(
        ANSWER_TAGS_REMOVED,
        f"the model copied {counted(count, 'tag')} of the prompt's <source> markup into its "
        f"answer; margin left {'it' if count == 1 else 'them'} out",
    )


def _describe_numbers(numbers: set[int]) -> str:
    if not numbers:
        return "none"
    ordered = sorted(numbers)
    if ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) > 2:
        return f"{ordered[0]}–{ordered[-1]}"
    return ", ".join(str(number) for number in ordered)
