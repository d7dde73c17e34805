"""The report: charts present as inline SVG, no scripts or URLs, and terminal tables."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from typing import Any

import pytest
from rich.console import Console

from assistant.evaluation.report import ReportData, print_report, render_html

URL = re.compile(r"(?:https?|ftp|file):|//[\w.-]+\.\w+|\b(?:src|href)\s*=", re.IGNORECASE)


def percentiles(count: int, p50: float, p95: float, p99: float) -> dict[str, Any]:
    return {"count": count, "p50": p50, "p95": p95, "p99": p99}


def stats(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "since": None,
        "interactions": 12,
        "refused": 3,
        "refusal_rate": 0.25,
        "cached": 2,
        "cache_hit_rate": 2 / 12,
        "cancelled": 0,
        "latency_ms": {
            "retrieve": percentiles(12, 14.0, 30.0, 41.0),
            "generate": percentiles(9, 2400.0, 5100.0, 5200.0),
            "total": percentiles(12, 2500.0, 5300.0, 5400.0),
        },
        "ttft_ms": percentiles(9, 300.0, 620.0, 700.0),
        "cost": {
            "total_usd": 0.0123,
            "today_usd": 0.002,
            "per_day": {"2026-11-26": 0.01, "2026-11-27": 0.0003, "2026-11-28": 0.002},
        },
        "tokens": {"prompt": 5400, "completion": 800},
        "feedback": {
            "up": 4,
            "down": 1,
            "per_day": {"2026-11-27": {"up": 3, "down": 0}, "2026-11-28": {"up": 1, "down": 1}},
        },
        "guardrails_by_kind": {"pii.redacted": 5, "injection": 2, "<b>odd</b>": 1},
        "models": {"local": 12},
        "support": {
            "answers": 9,
            "answers_with_unsupported": 4,
            "sentences_checked": 40,
            "sentences_supported": 30,
            "supported_share": 0.75,
            "citations": {"model": 2, "margin_only": 6, "none": 1},
            "per_day": {
                "2026-11-27": {"checked": 10, "supported": 5},
                "2026-11-28": {"checked": 30, "supported": 25},
            },
        },
    }
    base.update(overrides)
    return base


RUNS = [
    {
        "id": 1,
        "created_at": "2026-11-27T10:00:00+00:00",
        "config": {"retrieval_mode": "vector", "k": 6, "retrieval_only": True},
        "metrics": {"hit@1": 0.5, "hit@5": 0.8, "mrr@10": 0.6, "ndcg@10": 0.62},
    },
    {
        "id": 2,
        "created_at": "2026-11-28T10:00:00+00:00",
        "config": {"retrieval_mode": "hybrid", "k": 6, "model": "local"},
        "metrics": {"hit@1": 0.6, "hit@5": 0.9, "mrr@10": 0.7, "containment": 0.4},
    },
]


def report(**overrides: Any) -> ReportData:
    return ReportData(
        generated_at=datetime(2026, 11, 28, 12, 0),
        since=date(2026, 11, 1),
        stats=stats(**overrides),
        eval_runs=RUNS,
    )


def test_html_has_every_chart_as_inline_svg_and_nothing_external() -> None:
    page = render_html(report())
    figures = re.findall(r'<figure aria-label="([^"]+)"><svg\b.*?</svg></figure>', page, re.S)
    assert figures == [
        "Latency per stage (ms)",
        "Cost per day (USD)",
        "Feedback per day",
        "Guardrail events by kind",
        "Supported answer sentences per day",
        "Whose citations: answers cited by the model or only matched by margin",
        "Eval runs: retrieval",
        "Eval runs: answers",
    ]
    assert page.count("<rect") > 10  # bars were drawn
    assert "<path" in page  # eval lines were drawn
    assert "<script" not in page and "<!--" not in page
    assert URL.search(page) is None, URL.search(page)
    assert "<b>odd</b>" not in page and "&lt;b&gt;odd&lt;/b&gt;" in page


def test_html_headline_figures() -> None:
    page = render_html(report())
    assert "since 2026-11-01" in page
    assert "3 (25%)" in page
    assert "$0.0123" in page
    assert "2,500.0 / 5,300.0 / 5,400.0" in page
    assert "Last eval run (#2)" in page
    assert "75% of 40" in page and "2 / 6 / 1" in page


def test_an_empty_log_still_renders_every_chart() -> None:
    empty = ReportData(
        generated_at=datetime(2026, 11, 28),
        since=None,
        stats=stats(
            interactions=0,
            refused=0,
            refusal_rate=0.0,
            cache_hit_rate=0.0,
            latency_ms={},
            ttft_ms={"count": 0, "p50": None, "p95": None, "p99": None},
            cost={"total_usd": 0.0, "today_usd": 0.0, "per_day": {}},
            feedback={"up": 0, "down": 0, "per_day": {}},
            guardrails_by_kind={},
            support={},
        ),
        eval_runs=[],
    )
    page = render_html(empty)
    assert page.count("<svg") == 8
    assert page.count("No data yet") == 8
    assert URL.search(page) is None


@pytest.mark.parametrize("width", [80, 140])
def test_terminal_tables_show_the_same_headline(width: int) -> None:
    out = io.StringIO()
    print_report(report(), Console(file=out, width=width, color_system=None))
    text = out.getvalue()
    for expected in ("Interactions", "3 (25%)", "$0.0123", "pii.redacted", "#2", "hybrid"):
        assert expected in text
