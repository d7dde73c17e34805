"""Rate an answer: an optional note, enter to save, escape to leave it unrated."""

from __future__ import annotations

from typing import ClassVar, Literal

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class FeedbackScreen(ModalScreen[str | None]):
    """Dismisses with the note ("" for none), or None when the person cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, rating: Literal["up", "down"]) -> None:
        super().__init__(classes="dialog")
        self.rating = rating

    def compose(self) -> ComposeResult:
        verdict = "Rate as helpful" if self.rating == "up" else "Rate as unhelpful"
        with Vertical(classes="dialog-box"):
            yield Label(verdict, classes="dialog-title")
            yield Input(placeholder="Optional note, then enter (escape cancels)", id="note")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
