"""The status bar: which model, what the last answer cost and took, today against budget."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from textual.content import Content
from textual.widgets import Static

from assistant.ask.types import Answer
from assistant.terminal import one_line


@dataclass(frozen=True, slots=True)
class StatusFigures:
    state: str = "starting"
    profile: str = ""
    remote: bool = False
    collection: str | None = None
    answer: Answer | None = None
    spent_today_usd: float = 0.0
    daily_budget_usd: float = 0.0


class StatusBar(Static):
    """One line; call `show(**changes)` with whatever changed."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.figures = StatusFigures()

    def show(self, **changes: Any) -> None:
        self.figures = replace(self.figures, **changes)
        self.update(render_status(self.figures))


def render_status(figures: StatusFigures) -> Content:
    parts: list[Content | str | tuple[str, str]] = [(f" {figures.state} ", "reverse")]
    if figures.profile:
        where = "remote" if figures.remote else "local"
        parts += [" ", (one_line(figures.profile), "bold")]
        if figures.profile != where:
            parts.append(f" ({where})")
    if figures.collection:
        parts.append(f" │ in {one_line(figures.collection)}")
    answer = figures.answer
    if answer is not None and answer.mode == "model" and not answer.refused:
        usage = answer.usage
        parts.append(f" │ {usage.prompt_tokens}+{usage.completion_tokens} tok")
        parts.append(f" │ ${usage.cost_usd:.4f}")
    parts.append(f" │ ${figures.spent_today_usd:.2f}/${figures.daily_budget_usd:.2f} today")
    if answer is not None:
        if "ttft" in answer.latency_ms:
            parts.append(f" │ ttft {answer.latency_ms['ttft'] / 1000:.1f}s")
        parts.append(f" │ {answer.latency_ms.get('total', 0.0) / 1000:.1f}s")
    return Content.assemble(*parts)
