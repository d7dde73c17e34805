"""One source in full: its place, its score, and the chunk with the matched passage lit."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static

from assistant.ask.types import Source
from assistant.terminal import one_line, sanitize
from tui.markup import display_path, highlighted_passage

if TYPE_CHECKING:
    from tui.app import MarginApp

NO_TEXT_KEPT = "The log keeps no text of this passage (privacy.log_text is off); e opens the file."


def source_heading(source: Source) -> Content:
    place = [display_path(source.path)]
    if source.page is not None:
        place.append(f"page {source.page}")
    if source.shown_line is not None:
        place.append(f"line {source.shown_line}")
    if source.heading:
        place.append(one_line(source.heading))
    extra = f"score {source.score:.2f} · collection {one_line(source.collection)}"
    if source.local_only:
        extra += " · local-only"
    return Content.assemble(
        (f"[{source.number}] ", "bold $text-accent"),
        " · ".join(place),
        "\n",
        (extra, "$text-muted"),
    )


class SourceScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close"),
        Binding("e", "edit", "Open in $EDITOR"),
        Binding("y", "copy", "Copy passage"),
    ]

    def __init__(self, source: Source, question: str) -> None:
        super().__init__(classes="dialog")
        self.source = source
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box", id="source-box"):
            yield Label(source_heading(self.source), classes="dialog-title")
            with VerticalScroll(id="passage-scroll"):
                yield Static(self._passage(), id="passage")
        yield Footer()

    def _passage(self) -> Content:
        if not self.source.text:  # a source of a reopened answer, logged without its text
            return Content.styled(NO_TEXT_KEPT, "italic $text-muted")
        return highlighted_passage(self.source.text, self.question)

    def on_mount(self) -> None:
        self.query_one("#passage-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_edit(self) -> None:
        cast("MarginApp", self.app).open_source(self.source)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(sanitize(self.source.text))
        self.notify("Passage copied to the clipboard.")
