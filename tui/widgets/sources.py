"""The sources panel: the passages an answer is built from, best first."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from assistant.ask.places import place
from assistant.ask.types import Source
from tui.markup import display_path


def source_prompt(source: Source) -> Content:
    """`[1] notes.md:12 > Keys` over `0.82 · ~/docs` in the panel: the place `margin ask`
    prints (its line or page tells apart passages under one heading), then the score and
    the folder."""
    shown = PurePosixPath(display_path(source.path))
    details = [f"{source.score:.2f}", str(shown.parent)]
    if source.copies:
        count = len(source.copies)
        details.append(f"also in {count} other {'file' if count == 1 else 'files'}")
    return Content.assemble(
        (f"[{source.number}] ", "bold $text-accent"),
        (place(source, shown.name), "bold"),
        "\n",
        (" · ".join(details), "$text-muted"),
    )


class SourceList(OptionList):
    """Selecting a source opens its passage; `e` opens its file in the editor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "View passage", show=True),
        Binding("e", "edit", "Open in $EDITOR", show=True),
    ]

    class EditRequested(Message):
        def __init__(self, source: Source) -> None:
            super().__init__()
            self.source = source

    class ViewRequested(Message):
        def __init__(self, source: Source) -> None:
            super().__init__()
            self.source = source

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sources: list[Source] = []
        self.border_title = "Sources"

    def show(self, sources: list[Source]) -> None:
        self.sources = list(sources)
        self.clear_options()
        self.add_options(Option(source_prompt(s), id=str(i)) for i, s in enumerate(sources))
        self.border_subtitle = str(len(sources)) if sources else ""
        if sources:
            self.highlighted = 0

    def cited(self, sources: list[Source]) -> None:
        """The same sources once the answer is in: each shows, and opens at, the line of the
        passage the answer cites from it. The highlighted one stays highlighted."""
        if [s.id for s in sources] == [s.id for s in self.sources]:
            self.sources = list(sources)
            for index, source in enumerate(sources):
                self.replace_option_prompt_at_index(index, source_prompt(source))

    @property
    def current(self) -> Source | None:
        if self.highlighted is None or not self.sources:
            return None
        return self.sources[self.highlighted]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.ViewRequested(self.sources[event.option_index]))

    def action_edit(self) -> None:
        if self.current is not None:
            self.post_message(self.EditRequested(self.current))
