"""The scrolling conversation: a welcome note, then one Exchange per question."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import LoadingIndicator, Static

from assistant.ask.types import Answer
from tui.widgets.exchange import Exchange

if TYPE_CHECKING:
    from assistant.log.interactions import InteractionRecord

WELCOME = (
    "Ask about your documents in the box below; answers cite their sources as [n].\n"
    "F1 help · ctrl+o ingest a folder · ctrl+l past conversations · ctrl+p commands"
)
NO_TEXT_KEPT = "*(the log keeps no text for this answer)*"


class ChatLog(VerticalScroll, can_focus=True):
    """Holds the exchanges; once they overflow, stays scrolled to the newest."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._loading_text = Static("Loading the embedder and model…", id="loading-text")
        self._loading = Horizontal(LoadingIndicator(), self._loading_text, id="loading")
        self._selected: Exchange | None = None

    def compose(self) -> ComposeResult:
        yield Static(WELCOME, id="welcome", markup=False)
        yield self._loading

    def set_loading(self, loading: bool, text: str = "") -> None:
        """Show or hide the loading row; safe to call before the log is mounted."""
        self._loading.display = loading
        if text:
            self._loading_text.update(text)

    @property
    def exchanges(self) -> list[Exchange]:
        return list(self.query_children(Exchange))

    @property
    def last(self) -> Exchange | None:
        exchanges = self.exchanges
        return exchanges[-1] if exchanges else None

    @property
    def selected(self) -> Exchange | None:
        """The exchange whose sources are shown and which F2, F3 and ctrl+y act on: the
        newest, unless an earlier one was picked since it came."""
        exchanges = self.exchanges
        if self._selected in exchanges:
            return self._selected
        return exchanges[-1] if exchanges else None

    def select(self, exchange: Exchange | None) -> None:
        """Select `exchange`; one other than the newest is marked and scrolled into view."""
        self._selected = exchange
        last = self.last
        for each in self.exchanges:
            each.set_class(each is exchange and each is not last, "-picked")
        if exchange is not None and exchange is not last:
            self.scroll_to_widget(exchange, animate=False, top=True)

    async def add(self, question: str) -> Exchange:
        exchange = Exchange(question)
        await self.mount(exchange)
        self.scroll_end(animate=False)
        return exchange

    async def reopen(self, records: Sequence[InteractionRecord]) -> None:
        """Show logged exchanges as they were answered: searched, sources, answer, rating."""
        exchanges = [Exchange(_question(record)) for record in records]
        await self.mount_all(exchanges)
        for exchange, record in zip(exchanges, records, strict=True):
            answer = _answer(record)
            exchange.sources_found(answer.sources, answer.search_query)
            await exchange.finish(answer)
            if record.feedback is not None:
                exchange.rate(record.feedback.rating)
        self.scroll_end(animate=False)

    async def clear(self) -> None:
        await self.query_children(Exchange).remove()
        self._selected = None
        self._unanchor()

    def watch_virtual_size(self) -> None:
        self._anchor_while_overflowing()

    def on_resize(self) -> None:
        # In a resize, virtual_size changes while container_size is still the old one, so
        # the check above can be wrong (anchoring a log that fits the larger view); here
        # both sizes are current.
        self._anchor_while_overflowing()

    def _anchor_while_overflowing(self) -> None:
        """Anchored only while the conversation overflows: an anchored log shorter than the
        view sits at its bottom edge under an empty band."""
        overflows = self.container_size.height > 0 and self.max_scroll_y > 0
        if overflows and not self.is_anchored:
            self.anchor()
        elif self.is_anchored and not overflows:
            self._unanchor()

    def _unanchor(self) -> None:
        self.anchor(False)
        # Forced: a log that fits cannot scroll, yet the anchor may have left it scrolled to
        # a negative offset, which is the empty band above the conversation.
        self.scroll_home(animate=False, force=True)


def _question(record: InteractionRecord) -> str:
    return record.answer.question if record.text_kept else "(question not kept)"


def _answer(record: InteractionRecord) -> Answer:
    """The logged answer; one logged without its text says so, its sources and figures kept."""
    if record.text_kept:
        return record.answer
    return replace(record.answer, answer=NO_TEXT_KEPT, sentences=[])
