"""Every key binding, read from the bindings themselves so the help never drifts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Markdown

from tui.screens.chat import ChatScreen
from tui.screens.source import SourceScreen
from tui.widgets.sources import SourceList

ABOUT = (
    "Answers come only from your ingested documents and cite them as **[n]**; the "
    "sources panel fills in before the first word. Guardrail notes (redactions, withheld "
    "local-only sources, injection flags, unsupported claims) appear under each answer. "
    "Links are shown in full and never opened for you; images are never fetched."
)

ALWAYS = [
    Binding("ctrl+p", "", "Commands: switch model profile or collection, open screens"),
    Binding("tab,shift+tab", "", "Move between the question, the answer and the sources"),
    Binding("ctrl+q", "", "Quit"),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "close", "Close")]

    def __init__(self) -> None:
        super().__init__(classes="dialog")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box", id="help-box"):
            yield Label("margin · keys", classes="dialog-title")
            with VerticalScroll(id="help-scroll"):
                yield Markdown(self._document())
        yield Footer()

    def _document(self) -> str:
        sections = [
            ("Anywhere", [*ALWAYS, *self.app.BINDINGS]),
            ("Chat", ChatScreen.BINDINGS),
            ("Sources panel", SourceList.BINDINGS),
            ("A source's passage", SourceScreen.BINDINGS),
        ]
        lines = [ABOUT]
        for title, bindings in sections:
            lines += ["", f"### {title}", "", "| Keys | Does |", "|---|---|"]
            lines += [
                f"| {self._keys(b)} | {b.tooltip or b.description} |" for b in _bindings(bindings)
            ]
        return "\n".join(lines)

    def _keys(self, binding: Binding) -> str:
        keys = [k.strip() for k in binding.key.split(",")]
        return " / ".join(self.app.get_key_display(Binding(k, binding.action)) for k in keys)

    def action_close(self) -> None:
        self.dismiss(None)


def _bindings(bindings: Iterable[BindingType]) -> list[Binding]:
    return [b if isinstance(b, Binding) else Binding(*b) for b in bindings]
