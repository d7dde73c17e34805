"""Eval runs and comparisons as rich tables for the terminal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from assistant.evaluation.compare import SIGNIFICANCE, Comparison, Paired
from assistant.evaluation.summary import ANSWER_METRICS, RETRIEVAL_METRICS
from assistant.terminal import sanitize

REFUSAL_METRICS = ("refusal_accuracy", "refused_when_unanswerable", "answered_when_answerable")
MAX_LISTED = 15
RUN_COLUMNS = {
    "hit@5": "hit@5",
    "mrr@10": "MRR",
    "containment": "match",
    "refusal_accuracy": "refusal",
}


def print_run(run: Mapping[str, Any], console: Console) -> None:
    metrics, setup = run["metrics"], run["setup"]
    console.print(
        f"[bold]Eval run #{run.get('run_id') or '-'}[/]: {metrics['questions']} questions "
        f"({metrics['unanswerable']} unanswerable), {setup['retrieval_mode']} retrieval, "
        f"k={setup['k']}, {run['seconds']:.1f} s"
    )
    figures = Table(title="Metrics", show_header=False)
    figures.add_column("Metric", style="bold")
    figures.add_column("Value", justify="right")
    names = [*RETRIEVAL_METRICS]
    if not setup["retrieval_only"]:
        names += [*ANSWER_METRICS, *REFUSAL_METRICS]
    for name in names:
        figures.add_row(name, _ratio(metrics.get(name)))
    if not setup["retrieval_only"]:
        figures.add_row("weak matches (evidence.weak)", str(metrics.get("weak_matches", 0)))
        for name in ("containment_when_weak", "containment_when_confident"):
            figures.add_row(name, _ratio(metrics.get(name)))
        figures.add_row(
            "tokens (prompt + completion)",
            f"{metrics['prompt_tokens']} + {metrics['completion_tokens']}",
        )
        figures.add_row("cost", f"${metrics['cost_usd']:.4f}")
    if metrics["errors"]:
        figures.add_row("errors", str(metrics["errors"]), style="red")
    console.print(figures)
    console.print(_latency_table(metrics))
    _print_misses(run["questions"], console)


def _latency_table(metrics: Mapping[str, Any]) -> Table:
    table = Table(title="Latency (ms)")
    for column in ("Stage", "p50", "p95", "p99"):
        table.add_column(column, justify="left" if column == "Stage" else "right")
    stages = sorted(
        {
            k.rsplit(".", 1)[0].removeprefix("latency_ms.")
            for k in metrics
            if k.startswith("latency_ms.")
        }
    )
    for stage in stages:
        table.add_row(stage, *(_ms(metrics.get(f"latency_ms.{stage}.p{p}")) for p in (50, 95, 99)))
    return table


def _print_misses(questions: list[dict[str, Any]], console: Console) -> None:
    """Questions whose expected source is not in the top 5, wrong refusals, and errors."""
    misses = []
    for q in questions:
        m = q["metrics"]
        if q.get("error"):
            misses.append((q, f"error: {q['error']}"))
        elif m.get("hit@5") == 0.0:
            top = q["ranked_sources"][0] if q["ranked_sources"] else "nothing"
            misses.append((q, f"expected source not in the top 5 (top: {top})"))
        elif m.get("refusal_correct") == 0.0:
            misses.append((q, "refused" if q["refused"] else "answered an unanswerable question"))
    if not misses:
        return
    table = Table(title=f"Questions to look at ({len(misses)})")
    table.add_column("Line", justify="right")
    table.add_column("Question")
    table.add_column("Why")
    for q, why in misses[:MAX_LISTED]:
        table.add_row(str(q["line"]), sanitize(q["question"]), sanitize(why))
    console.print(table)
    if len(misses) > MAX_LISTED:
        console.print(f"... and {len(misses) - MAX_LISTED} more (see --json)")


def print_runs(runs: Sequence[Mapping[str, Any]], console: Console) -> None:
    """Stored runs, newest first, narrow enough for 80 columns."""
    table = Table(title="Stored eval runs")
    table.add_column("Run", no_wrap=True)
    table.add_column("Date", no_wrap=True)
    table.add_column("Setup")
    for header in RUN_COLUMNS.values():
        table.add_column(header, justify="right")
    for run in runs:
        metrics = run["metrics"]
        table.add_row(
            f"#{run['id']}",
            str(run["created_at"])[:10],
            sanitize(run_setup(run["config"])),
            *(_short(metrics.get(name)) for name in RUN_COLUMNS),
        )
    console.print(table)


def run_setup(config: Mapping[str, Any]) -> str:
    """What produced a stored run, in a few words: golden set, mode, k, model."""
    answers = "retrieval only" if config.get("retrieval_only") else config.get("model_profile")
    return (
        f"{config.get('golden_name', '?')}: {config.get('retrieval_mode', '?')}, "
        f"k={config.get('k', '?')}, {answers}"
    )


def print_comparison(comparison: Comparison, console: Console) -> None:
    table = Table(title=f"Eval run #{comparison.run_a} → #{comparison.run_b}")
    for column in ("Metric", "Before", "After", "Change", "Questions"):
        table.add_column(column, justify="left" if column == "Metric" else "right")
    colour = {"better": "green", "worse": "red", "same": "dim", "unclear": "yellow", "n/a": "dim"}
    rows = [
        d
        for d in comparison.deltas
        if not d.metric.startswith("latency_ms.") or d.metric.endswith(".p95")
    ]
    for d in rows:
        shown = "–" if d.delta is None else f"{d.delta:+.4g}"
        table.add_row(
            d.metric,
            _number(d.before),
            _number(d.after),
            f"[{colour[d.verdict]}]{shown} {d.verdict}[/]",
            _split(d.paired),
        )
    console.print(table)
    if any(d.verdict == "unclear" for d in rows):
        console.print(
            "unclear: the questions that changed do not move one way beyond chance "
            f"(two-sided sign test, p ≥ {SIGNIFICANCE}), or move against the mean."
        )
    if comparison.worse:
        worse = Table(title=f"Questions that got worse ({len(comparison.worse)})")
        worse.add_column("Question")
        worse.add_column("Dropped")
        for change in comparison.worse[:MAX_LISTED]:
            drops = ", ".join(f"{n} {b:.2f}→{a:.2f}" for n, b, a in change.drops)
            worse.add_row(sanitize(change.question), drops)
        console.print(worse)
    else:
        console.print("No question got worse.")
    for label, items in (
        ("Only in the first run", comparison.only_in_a),
        ("Only in the second run", comparison.only_in_b),
    ):
        if items:
            console.print(f"{label}: {len(items)} questions")


def _split(paired: Paired | None) -> str:
    """Questions better and worse, and the sign test's p-value: "3 better, 1 worse, p 0.62";
    nothing when no question changed."""
    if paired is None or paired.better + paired.worse == 0:
        return ""
    return f"{paired.better} better, {paired.worse} worse, p {paired.p_value:.2g}"


def _ratio(value: Any) -> str:
    return "–" if value is None else f"{float(value):.3f}"


def _short(value: Any) -> str:
    return "–" if value is None else f"{float(value):.2f}"


def _ms(value: Any) -> str:
    return "–" if value is None else f"{float(value):,.1f}"


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.4g}"
