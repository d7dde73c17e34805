"""One question and its answer in the conversation: streamed text, guardrails, figures."""

from __future__ import annotations

from typing import Literal

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from assistant.ask.answer_limits import describe_truncation
from assistant.ask.types import Answer, Source
from assistant.terminal import one_line
from tui.errors import Problem
from tui.markup import answer_markdown
from tui.widgets.streaming import StreamingMarkdown

Rating = Literal["up", "down"]
REPLACED = (
    "*The model's answer was not supported by your documents, so margin replaced it with "
    "what they say:*\n\n"
)


class Exchange(Vertical):
    """A question (and what was searched for it, when earlier turns shaped the search), then
    its answer as it streams, then what the guardrails saw and the cost.

    The finished answer shows the support check: sentences no source supports are dimmed
    and flagged `[?]`; sentences margin matched to a source the model did not cite get `[n]?`.
    An answer that `ask.mode = "auto"` replaced with a quote says so above the quote.
    """

    class Picked(Message):
        """The person clicked this exchange: its sources go to the panel."""

        def __init__(self, exchange: Exchange) -> None:
            super().__init__()
            self.exchange = exchange

    def __init__(self, question: str) -> None:
        super().__init__(classes="exchange")
        self.question = question
        self.answer: Answer | None = None
        self.sources: list[Source] = []  # those found, then the answer's (with cited lines)
        self.rating: Rating | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content(one_line(self.question)), classes="question")
        yield Static(classes="search-query")
        yield Static("Searching your documents…", classes="progress")
        yield StreamingMarkdown(answer_markdown, classes="answer-text")
        yield Static(classes="guardrails")
        yield Static(classes="figures")

    @property
    def text(self) -> str:
        return self.query_one(StreamingMarkdown).text

    @property
    def interaction_id(self) -> int | None:
        """The logged interaction to rate, once the answer is in."""
        return self.answer.interaction_id if self.answer is not None else None

    @property
    def finished(self) -> bool:
        return self.answer is not None

    def sources_found(self, sources: list[Source], search_query: str | None = None) -> None:
        self.sources = list(sources)
        searched = self.query_one(".search-query", Static)
        searched.update(Content(f"searching for: {one_line(search_query or '')}"))
        searched.display = search_query is not None
        if not sources:
            self._set_progress("No matching passages; answering without sources…")
            return
        count = f"{len(sources)} source{'s' if len(sources) != 1 else ''}"
        self._set_progress(f"{count} found · waiting for the model…")

    def feed(self, text: str) -> None:
        self._set_progress("")
        self.query_one(StreamingMarkdown).feed(text)

    async def finish(self, answer: Answer) -> None:
        """Show the answer: one just written, or one from the log (a reopened conversation)."""
        self.answer = answer
        self.sources = list(answer.sources)
        text = answer.answer
        markdown = answer_markdown(text, answer.sentences)
        if answer.fallback is not None:  # the model's streamed text is replaced: say why
            text, markdown = REPLACED + text, REPLACED + markdown
        if answer.cancelled:
            note = "\n\n*— stopped*" if text else "*Stopped before the first word.*"
            text, markdown = text + note, markdown + note
        elif answer.truncation is not None:
            note = f"\n\n*— {describe_truncation(answer.truncation, answer.usage.max_tokens)}*"
            text, markdown = text + note, markdown + note
        await self.query_one(StreamingMarkdown).finish(text, markdown)
        self.set_class(answer.refused, "refused")
        self._set_progress("")
        lines = [
            f"⚠ {one_line(event.kind)}: {one_line(event.detail)}" for event in answer.guardrails
        ]
        guardrails = self.query_one(".guardrails", Static)
        guardrails.update(Content("\n".join(lines)))
        guardrails.display = bool(lines)
        self._show_figures()

    async def fail(self, problem: Problem) -> None:
        await self.query_one(StreamingMarkdown).finish(f"**{problem.title}.** {problem.message}")
        self.add_class("failed")
        self._set_progress("")

    def on_click(self) -> None:
        self.post_message(self.Picked(self))

    def rate(self, rating: Rating) -> None:
        self.rating = rating
        self._show_figures()

    def _show_figures(self) -> None:
        if self.answer is None:
            return
        figures = self.answer.summary()
        if self.rating is not None:
            figures += " · " + ("rated helpful" if self.rating == "up" else "rated unhelpful")
        self.query_one(".figures", Static).update(Content(figures))

    def _set_progress(self, text: str) -> None:
        progress = self.query_one(".progress", Static)
        progress.update(Content(text))
        progress.display = bool(text)
