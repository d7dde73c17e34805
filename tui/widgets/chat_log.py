"""The scrolling conversation: a welcome note, then one Exchange per question."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import LoadingIndicator, Static

from tui.widgets.exchange import Exchange

WELCOME = (
    "Ask about your documents in the box below; answers cite their sources as [n].\n"
    "F1 help · ctrl+o ingest a folder · ctrl+l past conversations · ctrl+p commands"
)


class ChatLog(VerticalScroll, can_focus=True):
    """Holds the exchanges; once they overflow, stays scrolled to the newest."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._loading_text = Static("Loading the embedder and model…", id="loading-text")
        self._loading = Horizontal(LoadingIndicator(), self._loading_text, id="loading")

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

    async def add(
        self, question: str, *, answer: str | None = None, interaction_id: int | None = None
    ) -> Exchange:
        exchange = Exchange(question, answer=answer, interaction_id=interaction_id)
        await self.mount(exchange)
        self.scroll_end(animate=False)
        return exchange

    async def clear(self) -> None:
        await self.query_children(Exchange).remove()
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
