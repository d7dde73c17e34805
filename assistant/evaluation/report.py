"""`margin report`: headline figures and charts from the local log and stored eval runs.

The data is plain JSON-like values (`Stats.to_json()` and stored eval runs), so the report
renders the same from a live log or a test fixture. The HTML is one self-contained file:
inline CSS and inline SVG, no scripts and no URLs, so it opens offline and fetches nothing.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from assistant.evaluation import charts
from assistant.evaluation.charts import ANSWER_SERIES, RETRIEVAL_SERIES, Chart
from assistant.evaluation.display import print_runs, run_setup

EVAL_COLUMNS = ("hit@5", "mrr@10", "ndcg@10", "containment", "refusal_accuracy")
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
h1 { margin-bottom: 0.2rem; } .muted { color: #666; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { padding: 0.25rem 0.8rem; border-bottom: 1px solid #ddd; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.5rem 0; } svg { max-width: 100%; height: auto; }
"""


@dataclass(frozen=True, slots=True)
class ReportData:
    generated_at: datetime
    since: date | None
    stats: Mapping[str, Any]  # Stats.to_json()
    eval_runs: Sequence[Mapping[str, Any]]  # stored runs, oldest first: id, created_at, ...

    def headline(self) -> list[tuple[str, str]]:
        s = self.stats
        total = s["latency_ms"].get("total", {})
        ttft = s["ttft_ms"]
        rows = [
            ("Interactions", str(s["interactions"])),
            ("Refused", f"{s['refused']} ({s['refusal_rate']:.0%})"),
            ("Cache hit rate", f"{s['cache_hit_rate']:.0%}"),
            ("Cost today", f"${s['cost']['today_usd']:.4f}"),
            ("Cost in period", f"${s['cost']['total_usd']:.4f}"),
            (
                "Tokens (prompt / completion)",
                f"{s['tokens']['prompt']} / {s['tokens']['completion']}",
            ),
            ("Feedback (up / down)", f"{s['feedback']['up']} / {s['feedback']['down']}"),
            *self.support_rows(),
            ("Time to first token p50 / p95", f"{_ms(ttft.get('p50'))} / {_ms(ttft.get('p95'))}"),
            (
                "Total latency p50 / p95 / p99",
                " / ".join(_ms(total.get(p)) for p in ("p50", "p95", "p99")),
            ),
        ]
        if self.eval_runs:
            last = self.eval_runs[-1]
            shown = [m for m in EVAL_COLUMNS if last["metrics"].get(m) is not None]
            figures = ", ".join(f"{m} {_ratio(last['metrics'][m])}" for m in shown) or "–"
            rows.append((f"Last eval run (#{last['id']})", figures))
        return rows

    def support_rows(self) -> list[tuple[str, str]]:
        """Supported sentences and whose citations, when any answer was checked."""
        support = self.stats.get("support") or {}
        if not support.get("sentences_checked"):
            return []
        cited = support["citations"]
        return [
            (
                "Supported sentences",
                f"{support['supported_share']:.0%} of {support['sentences_checked']}",
            ),
            (
                "Answers cited by the model / margin's matches only / neither",
                f"{cited['model']} / {cited['margin_only']} / {cited['none']}",
            ),
        ]

    def latency_rows(self) -> list[tuple[str, int, Any, Any, Any]]:
        stages = {**self.stats["latency_ms"], "ttft": self.stats["ttft_ms"]}
        return [
            (stage, p["count"], p.get("p50"), p.get("p95"), p.get("p99"))
            for stage, p in stages.items()
            if p["count"]
        ]

    def charts(self) -> list[Chart]:
        s = self.stats
        support = s.get("support") or {}
        latency = self.latency_rows_as_map()
        runs = [{"label": _run_label(run), "metrics": run["metrics"]} for run in self.eval_runs]
        return [
            charts.latency_chart(latency),
            charts.cost_chart(s["cost"]["per_day"]),
            charts.feedback_chart(s["feedback"]["per_day"]),
            charts.guardrail_chart(s["guardrails_by_kind"]),
            charts.support_chart(support.get("per_day", {})),
            charts.citation_chart(support.get("citations", {})),
            charts.eval_chart("Eval runs: retrieval", runs, RETRIEVAL_SERIES),
            charts.eval_chart("Eval runs: answers", runs, ANSWER_SERIES),
        ]

    def latency_rows_as_map(self) -> dict[str, Mapping[str, Any]]:
        return {
            row[0]: {"p50": row[2], "p95": row[3], "p99": row[4]} for row in self.latency_rows()
        }


def render_html(data: ReportData) -> str:
    period = f"since {data.since.isoformat()}" if data.since else "all logged interactions"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>margin report</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>margin report</h1>",
        f'<p class="muted">Generated {_e(data.generated_at.isoformat(timespec="seconds"))}'
        f" from the local log; {_e(period)}.</p>",
        "<h2>Headline</h2>",
        _html_table(("Figure", "Value"), data.headline()),
        "<h2>Latency per stage (ms)</h2>",
        _html_table(
            ("Stage", "Count", "p50", "p95", "p99"),
            [(r[0], str(r[1]), _ms(r[2]), _ms(r[3]), _ms(r[4])) for r in data.latency_rows()],
        ),
    ]
    if data.eval_runs:
        parts += ["<h2>Eval runs</h2>", _html_table(_eval_header(), _eval_rows(data))]
    parts.append("<h2>Charts</h2>")
    for chart in data.charts():
        parts.append(f'<figure aria-label="{_e(chart.title)}">{chart.svg}</figure>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def print_report(data: ReportData, console: Console) -> None:
    """The same headline figures as tables in the terminal."""
    headline = Table(title="margin report", show_header=False)
    headline.add_column("Figure", style="bold")
    headline.add_column("Value", justify="right")
    for name, value in data.headline():
        headline.add_row(name, value)
    console.print(headline)
    latency = Table(title="Latency per stage (ms)")
    for column in ("Stage", "Count", "p50", "p95", "p99"):
        latency.add_column(column, justify="left" if column == "Stage" else "right")
    for stage, count, p50, p95, p99 in data.latency_rows():
        latency.add_row(stage, str(count), _ms(p50), _ms(p95), _ms(p99))
    console.print(latency)
    guardrails = data.stats["guardrails_by_kind"]
    if guardrails:
        table = Table(title="Guardrail events by kind")
        table.add_column("Kind")
        table.add_column("Events", justify="right")
        for kind, count in guardrails.items():
            table.add_row(kind, str(count))
        console.print(table)
    if data.eval_runs:
        print_runs(list(reversed(data.eval_runs)), console)


def _eval_header() -> tuple[str, ...]:
    return ("Run", "Date", "Setup", *EVAL_COLUMNS)


def _eval_rows(data: ReportData) -> list[tuple[str, ...]]:
    return [
        (
            f"#{run['id']}",
            str(run["created_at"])[:10],
            run_setup(run.get("config", {})),
            *(_ratio(run["metrics"].get(m)) for m in EVAL_COLUMNS),
        )
        for run in data.eval_runs
    ]


def _run_label(run: Mapping[str, Any]) -> str:
    return f"#{run['id']} {str(run['created_at'])[:10]}"


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(_cell(value, i) for i, value in enumerate(row)) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value: str, index: int) -> str:
    css = ' class="num"' if index > 0 and value[:1].isdigit() else ""
    return f"<td{css}>{_e(value)}</td>"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _ms(value: Any) -> str:
    return "–" if value is None else f"{float(value):,.1f}"


def _ratio(value: Any) -> str:
    return "–" if value is None else f"{float(value):.3f}"
