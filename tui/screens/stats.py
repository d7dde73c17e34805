"""Figures from the local log as charts: latency percentiles, cost per day, feedback."""

from __future__ import annotations

import math
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot

from assistant.log.stats import Percentiles, Stats
from assistant.terminal import one_line
from tui.errors import describe_error
from tui.messages import WorkFailed
from tui.session import Session

STAGES = ("retrieve", "ttft", "generate", "total")
DAYS_SHOWN = 14
BAR_WIDTH = 0.5
MIN_COST_AXIS_USD = 0.01  # a local-only day costs nothing; keep the axis at zero and up
DAY_LABELS = 5


class StatsLoaded(Message):
    def __init__(self, stats: Stats) -> None:
        super().__init__()
        self.stats = stats


def summary_text(stats: Stats) -> str:
    return (
        f"{stats.interactions} answers · {stats.refusal_rate:.0%} refused · "
        f"{stats.cache_hit_rate:.0%} cached · {stats.cancelled} stopped · "
        f"{stats.prompt_tokens}+{stats.completion_tokens} tokens · "
        f"${stats.cost_total_usd:.4f} in all, ${stats.cost_today_usd:.4f} today · "
        f"rated {stats.feedback_up} up, {stats.feedback_down} down"
    )


def guardrail_text(stats: Stats) -> str:
    if not stats.guardrails_by_kind:
        return "Guardrail events\n\nnone logged"
    rows = [f"{count:>5}  {one_line(kind)}" for kind, count in stats.guardrails_by_kind.items()]
    return "Guardrail events\n\n" + "\n".join(rows)


class StatsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Back"),
        Binding("r", "reload", "Reload"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield Static("Reading the local log…", id="stats-summary", markup=False)
        with Grid(id="stats-grid"):
            yield PlotextPlot(id="latency-plot")
            yield PlotextPlot(id="cost-plot")
            yield PlotextPlot(id="feedback-plot")
            yield Static(id="guardrail-counts", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.action_reload()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="stats", exit_on_error=False)
    def _load(self) -> None:
        assistant = self.session.assistant
        assert assistant is not None
        try:
            stats = assistant.stats()
        except Exception as error:
            self.post_message(WorkFailed("Reading the stats", error))
            return
        self.post_message(StatsLoaded(stats))

    def on_work_failed(self, message: WorkFailed) -> None:
        problem = describe_error(message.error)
        self.query_one("#stats-summary", Static).update(f"{message.what} failed.")
        self.notify(problem.text(), title=problem.title, severity="error", markup=False)

    def on_stats_loaded(self, message: StatsLoaded) -> None:
        stats = message.stats
        self.query_one("#stats-summary", Static).update(summary_text(stats))
        self._plot_latency(stats)
        self._plot_cost(stats)
        self._plot_feedback(stats)
        self.query_one("#guardrail-counts", Static).update(guardrail_text(stats))

    def _plot_latency(self, stats: Stats) -> None:
        widget = self._cleared_plot("#latency-plot")
        plt = widget.plt
        figures: dict[str, Percentiles] = {**stats.latency_ms, "ttft": stats.ttft_ms}
        stages = [s for s in STAGES if s in figures and figures[s].count]
        plt.title("Latency, seconds (p50 / p95 / p99)")
        if stages:
            series = [
                [_seconds(getattr(figures[s], p)) for s in stages] for p in ("p50", "p95", "p99")
            ]
            positions: list[float] = list(range(1, len(stages) + 1))
            plt.multiple_bar(  # type: ignore[call-arg]  # textual-plotext's stub: `label`, plotext: `labels`
                positions, series, labels=["p50", "p95", "p99"]
            )
            plt.xticks(positions, list(stages))
        widget.refresh()

    def _cleared_plot(self, selector: str) -> PlotextPlot:
        widget = self.query_one(selector, PlotextPlot)
        widget.plt.clear_data()
        widget.plt.clear_figure()
        return widget

    def _plot_cost(self, stats: Stats) -> None:
        widget = self._cleared_plot("#cost-plot")
        plt = widget.plt
        days = list(stats.cost_per_day.items())[-DAYS_SHOWN:]
        plt.title("Cost per day, USD")
        if days:
            positions: list[float] = list(range(1, len(days) + 1))
            costs = [cost for _, cost in days]
            plt.bar(positions, costs, width=BAR_WIDTH)
            plt.ylim(0, max(*costs, MIN_COST_AXIS_USD))
            _day_ticks(plt, positions, [day for day, _ in days])
        widget.refresh()

    def _plot_feedback(self, stats: Stats) -> None:
        widget = self._cleared_plot("#feedback-plot")
        plt = widget.plt
        days = list(stats.feedback_per_day.items())[-DAYS_SHOWN:]
        plt.title("Feedback per day (up / down)")
        if days:
            positions: list[float] = list(range(1, len(days) + 1))
            ups = [counts.get("up", 0) for _, counts in days]
            downs = [counts.get("down", 0) for _, counts in days]
            plt.stacked_bar(  # type: ignore[call-arg]  # textual-plotext's stub: `label`, plotext: `labels`
                positions, [ups, downs], labels=["up", "down"], width=BAR_WIDTH
            )
            _day_ticks(plt, positions, [day for day, _ in days])
        widget.refresh()


def _day_ticks(plt: Plot, positions: list[float], days: list[str]) -> None:
    """Numbered bars labelled with at most DAY_LABELS days (`MM-DD`).

    Plotext de-duplicates tick labels through a set of strings, so labels that collide are
    dropped in hash-seed order; spacing them out keeps the chart the same on every run.
    """
    step = max(1, math.ceil(len(days) / DAY_LABELS))
    plt.xticks(positions[::step], [day[5:] for day in days[::step]])


def _seconds(milliseconds: float | None) -> float:
    return round((milliseconds or 0.0) / 1000, 3)
