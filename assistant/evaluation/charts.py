"""Report charts drawn with pygal as inline SVG: no script, no comments, no URLs.

pygal always embeds a small configuration script and credit comments with links; a report
that must open offline and fetch nothing gets the SVG without them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

RETRIEVAL_SERIES = ("hit@1", "hit@5", "mrr@10", "ndcg@10")
ANSWER_SERIES = ("containment", "token_f1", "refusal_accuracy", "groundedness")
PERCENTILES = ("p50", "p95", "p99")

_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_NAMESPACE = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')


@dataclass(frozen=True, slots=True)
class Chart:
    title: str
    svg: str


def inline_svg(svg: str) -> str:
    """SVG ready to sit inside HTML5: scripts, comments and namespace URLs removed."""
    return _NAMESPACE.sub("", _COMMENT.sub("", _SCRIPT.sub("", svg)))


def _chart(kind: str, title: str, **options: Any) -> Any:
    import pygal

    factory = getattr(pygal, kind)
    chart = factory(
        js=[],
        disable_xml_declaration=True,
        width=800,
        height=360,
        no_data_text="No data yet",
        legend_at_bottom=True,
        truncate_legend=-1,
        **options,
    )
    chart.title = title
    return chart


def latency_chart(latency_ms: Mapping[str, Mapping[str, Any]]) -> Chart:
    """p50, p95 and p99 per pipeline stage, in milliseconds."""
    title = "Latency per stage (ms)"
    stages = list(latency_ms)
    values = {p: [_positive(latency_ms[s].get(p)) for s in stages] for p in PERCENTILES}
    present = [v for column in values.values() for v in column if v is not None]
    spread = bool(present) and max(present) / min(present) > 100  # ms-fast and s-slow stages
    # pygal's log axis ends at the largest tick below the maximum: give it headroom.
    extent = {"range": (min(present) / 2, max(present) * 2)} if spread else {}
    chart = _chart("Bar", title, x_label_rotation=20, logarithmic=spread, **extent)
    chart.x_labels = stages
    if present:
        for p, column in values.items():
            chart.add(p, column)
    return Chart(title, inline_svg(chart.render(is_unicode=True)))


def cost_chart(cost_per_day: Mapping[str, float]) -> Chart:
    title = "Cost per day (USD)"
    chart = _chart("Bar", title, x_label_rotation=20, show_legend=False)
    chart.x_labels = list(cost_per_day)
    if cost_per_day:
        chart.add("USD", list(cost_per_day.values()))
    return Chart(title, inline_svg(chart.render(is_unicode=True)))


def feedback_chart(feedback_per_day: Mapping[str, Mapping[str, int]]) -> Chart:
    title = "Feedback per day"
    chart = _chart("StackedBar", title, x_label_rotation=20)
    chart.x_labels = list(feedback_per_day)
    if feedback_per_day:
        chart.add("up", [day.get("up", 0) for day in feedback_per_day.values()])
        chart.add("down", [day.get("down", 0) for day in feedback_per_day.values()])
    return Chart(title, inline_svg(chart.render(is_unicode=True)))


def guardrail_chart(by_kind: Mapping[str, int]) -> Chart:
    title = "Guardrail events by kind"
    chart = _chart("HorizontalBar", title)
    for kind, count in sorted(by_kind.items(), key=lambda item: item[1]):
        chart.add(kind, count)
    return Chart(title, inline_svg(chart.render(is_unicode=True)))


def support_chart(per_day: Mapping[str, Mapping[str, int]]) -> Chart:
    """Per day, the share of checked answer sentences a source supports."""
    title = "Supported answer sentences per day"
    chart = _chart("Line", title, range=(0, 1), x_label_rotation=20, dots_size=4, show_legend=False)
    chart.x_labels = list(per_day)
    shares = [
        day["supported"] / day["checked"] if day["checked"] else None for day in per_day.values()
    ]
    if per_day:
        chart.add("supported share", shares)
    return Chart(title, inline_svg(chart.render(is_unicode=True)))


def citation_chart(citations: Mapping[str, int]) -> Chart:
    """Answers by who cited their sources: the model, only margin's matches, or nobody."""
    title = "Whose citations: answers cited by the model or only matched by margin"
    chart = _chart("Bar", title, show_legend=False)
    labels = {"model": "cited by the model", "margin_only": "margin's matches only", "none": "none"}
    chart.x_labels = [labels[key] for key in labels]
    if any(citations.values()):
        chart.add("answers", [citations.get(key, 0) for key in labels])
    return Chart(title, inline_svg(chart.render(is_unicode=True)))


def eval_chart(title: str, runs: Sequence[Mapping[str, Any]], series: Sequence[str]) -> Chart:
    """One line per metric across eval runs, oldest first; runs are `{"label", "metrics"}`."""
    chart = _chart("Line", title, range=(0, 1), x_label_rotation=20, dots_size=4)
    chart.x_labels = [run["label"] for run in runs]
    if runs:
        for name in series:
            chart.add(name, [run["metrics"].get(name) for run in runs])
    return Chart(title, inline_svg(chart.render(is_unicode=True)))


def _positive(value: Any) -> float | None:
    """A plottable positive number, or None (a gap) for anything else."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return None
