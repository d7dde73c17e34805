"""A Markdown widget fed with the whole text so far, rendered at a bounded rate."""

from __future__ import annotations

from collections.abc import Callable

from textual.timer import Timer
from textual.widgets import Markdown

FRAMES_PER_SECOND = 15


class StreamingMarkdown(Markdown):
    """Markdown that follows a growing text without falling behind the stream.

    `feed()` only records the newest text; a timer renders it at most FRAMES_PER_SECOND
    times a second, appending when the rendered text only grew and re-rendering when an
    earlier part changed (a citation marker or a link completed). `finish()` renders the
    final text at once and stops the timer.
    """

    def __init__(
        self,
        transform: Callable[[str], str],
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes, open_links=False)
        self._transform = transform
        self._raw = ""
        self._shown = ""
        self._busy = False
        self._finished = False
        self._ticker: Timer | None = None

    def on_mount(self) -> None:
        self._ticker = self.set_interval(1 / FRAMES_PER_SECOND, self._render_frame, pause=True)

    @property
    def text(self) -> str:
        """The raw text last fed or finished with."""
        return self._raw

    def feed(self, text: str) -> None:
        if self._finished:
            return
        self._raw = text
        if self._ticker is not None:
            self._ticker.resume()

    async def finish(self, text: str, markdown: str | None = None) -> None:
        """Show the final `text`; `markdown` when it renders other than `transform(text)`
        (an answer with its support marks)."""
        self._finished = True
        self._raw = text
        if self._ticker is not None:
            self._ticker.stop()
        self._shown = self._transform(text) if markdown is None else markdown
        await self.update(self._shown)

    async def _render_frame(self) -> None:
        if self._finished or self._busy:
            return
        target = self._transform(self._raw)
        if target == self._shown:
            if self._ticker is not None:
                self._ticker.pause()
            return
        self._busy = True
        try:
            previous, self._shown = self._shown, target
            if previous and target.startswith(previous):
                await self.append(target[len(previous) :])
            else:
                await self.update(target)
        finally:
            self._busy = False
