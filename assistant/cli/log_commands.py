"""`margin feedback`, `stats`, `logs purge` and `egress`: the local log from the command line.

Dates on the command line are UTC: `2026-11-28` or `2026-11-28T14:30`.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TYPE_CHECKING, cast

import click

from assistant.cli.output import emit_json, guarded, say
from assistant.errors import UsageError
from assistant.terminal import counted, one_line

if TYPE_CHECKING:
    from assistant.log import EgressEntry, InteractionLog, Rating, Stats

DATE = click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])


def _open_log() -> InteractionLog:
    from assistant.config import load_config
    from assistant.locations import resolve_locations
    from assistant.log import InteractionLog

    locations = resolve_locations().ensure()
    config = load_config(locations.config_file)
    return InteractionLog(locations.log_db, log_text=config.privacy.log_text, recover=False)


def _interactive() -> bool:
    return sys.stdin.isatty()


@click.command()
@click.argument("interaction_id", metavar="ID", type=int)
@click.argument("rating", type=click.Choice(["up", "down"]))
@click.option("--note", default="", help="A few words on why.")
@guarded
def feedback(interaction_id: int, rating: str, note: str) -> None:
    """Rate the answer with interaction id ID up or down."""
    with _open_log() as log:
        log.feedback(interaction_id, cast("Rating", rating), note)
    say(f"Rated interaction {interaction_id} {rating}.")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--since", type=DATE, help="Only interactions from this UTC date or time on.")
@guarded
def stats(as_json: bool, since: datetime | None) -> None:
    """Latency percentiles per stage, cost, feedback and guardrail events."""
    from assistant.log import compute_stats

    with _open_log() as log:
        figures = compute_stats(log, since)
    if as_json:
        emit_json(figures.to_json())
    else:
        _print_stats(figures)


def _print_stats(figures: Stats) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    period = f"since {figures.since:%Y-%m-%d %H:%M} UTC" if figures.since else "all time"
    console.print(
        f"[bold]{figures.interactions}[/] interactions ({period}); "
        f"refused {figures.refusal_rate:.0%}, cached {figures.cache_hit_rate:.0%}, "
        f"cancelled {figures.cancelled}"
    )
    latency = Table("stage", "count", "p50 ms", "p95 ms", "p99 ms", title="Latency")
    rows = [*figures.latency_ms.items(), ("ttft", figures.ttft_ms)]
    for stage, p in rows:
        latency.add_row(Text(stage), str(p.count), _ms(p.p50), _ms(p.p95), _ms(p.p99))
    console.print(latency)
    console.print(
        f"Cost: ${figures.cost_today_usd:.4f} today, ${figures.cost_total_usd:.4f} total; "
        f"tokens {figures.prompt_tokens} in, {figures.completion_tokens} out"
    )
    console.print(f"Feedback: {figures.feedback_up} up, {figures.feedback_down} down")
    for line in support_lines(figures):
        console.print(Text(line))
    if figures.guardrails_by_kind:
        events = Table("guardrail event", "count", title="Guardrails")
        for kind, count in figures.guardrails_by_kind.items():
            events.add_row(Text(kind), str(count))
        console.print(events)
    if figures.by_collection:
        policies = Table(
            "collection",
            "sources withheld",
            "turns withheld",
            "quote-only answers",
            title="Collection policies",
        )
        for collection, counts in figures.by_collection.items():
            policies.add_row(Text(one_line(collection)), *(str(n) for n in counts.values()))
        console.print(policies)


# Why answers were cut short (Answer.truncation), as the stats line says it.
CUT_SHORT = {
    "max_tokens": "at the ask.max_tokens limit",
    "context": "with the model's context full",
    "budget": "at what the budget paid for",
    "cancelled": "stopped by you",
    "repetition": "stopped as the model was repeating itself",
}


def support_lines(figures: Stats) -> list[str]:
    """How well answers were backed, in words: supported sentences, who cited, cut-offs.

    The sentence figures count the answers shown as the model wrote them; an answer that
    ask.mode = "auto" replaced by a quote had unsupported sentences too, which streamed
    before the quote: the quoted line counts those answers."""
    support = figures.support
    lines = []
    if support.share is not None:
        lines.append(
            f"Supported sentences: {support.share:.0%} of {support.sentences_checked} checked "
            f"in {counted(support.answers, 'answer')} kept as the model wrote them; "
            f"{support.answers_with_unsupported} of these "
            f"{'has' if support.answers_with_unsupported == 1 else 'have'} a sentence no "
            "source supports ([?])"
        )
    if support.answers:
        cited = support.citations
        lines.append(
            f"Citations: {counted(cited.get('model', 0), 'answer')} cited by the model, "
            f"{cited.get('margin_only', 0)} only matched by margin ([n]?), "
            f"{cited.get('none', 0)} with neither"
        )
    if figures.truncated:
        reasons = ", ".join(
            f"{count} {CUT_SHORT.get(why, why)}" for why, count in sorted(figures.truncated.items())
        )
        lines.append(f"Cut short: {counted(sum(figures.truncated.values()), 'answer')} ({reasons})")
    if figures.follow_ups:
        lines.append(f"Follow-ups searched with earlier turns: {figures.follow_ups}")
    if figures.quote_fallbacks:
        lines.append(
            f"Quoted instead of the model's answer (it failed the support check, ask.mode "
            f"auto): {counted(figures.quote_fallbacks, 'answer')}, whose [?] sentences "
            "streamed before the quote and are not counted above"
        )
    return lines


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


@click.group()
def logs() -> None:
    """Manage the local interaction log."""


@logs.command()
@click.option("--before", type=DATE, help="Only interactions logged before this UTC date.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (needed in scripts).")
@guarded
def purge(before: datetime | None, yes: bool) -> None:
    """Delete logged interactions (all, or those before a date).

    Their egress entries and cached answers go too; eval runs are kept. The file is
    rewritten so the deleted text is gone from disk.
    """
    what = (
        f"interactions logged before {before:%Y-%m-%d %H:%M} UTC"
        if before
        else "every logged interaction"
    )
    if not yes:
        if not _interactive():
            raise UsageError(f"logs purge deletes {what}; pass --yes to confirm it in a script.")
        if not click.confirm(f"Delete {what}?", err=True):
            say("Nothing deleted.")
            return
    with _open_log() as log:
        deleted = log.purge(before)
    say(f"Deleted {deleted} interaction{'' if deleted == 1 else 's'}.")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
@guarded
def egress(as_json: bool, limit: int) -> None:
    """Show exactly what text left this machine, and where to (newest first)."""
    with _open_log() as log:
        entries = log.egress.entries(limit)
    if as_json:
        emit_json({"entries": [entry.to_json() for entry in entries]})
        return
    if not entries:
        say("Nothing has been sent to a remote model.", err=False)
    for entry in entries:
        _print_entry(entry)


def _print_entry(entry: EgressEntry) -> None:
    redactions = ", ".join(f"{kind} {count}" for kind, count in entry.redactions.items())
    say(
        f"#{entry.id} {entry.created_at:%Y-%m-%d %H:%M:%S} UTC  {entry.profile_label} -> "
        f"{entry.endpoint_url}  {entry.bytes} bytes, {entry.message_count} messages, "
        f"redacted: {redactions or 'nothing'}  sha256 {entry.sha256[:12]}",
        err=False,
    )
    for collection, rule in entry.policy.items():
        keys = ", ".join(f"{key} = {value!r}" for key, value in rule.items())
        say(f"  policy [collections.{collection}] {keys}", err=False)
    if entry.messages is None:
        say("  (text not kept: privacy.log_text = false)", err=False)
        return
    for message in entry.messages:
        content = message.get("content", "").replace("\n", "\n    ")
        say(f"  [{message.get('role', '?')}] {content}", err=False)
