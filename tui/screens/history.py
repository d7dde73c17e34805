"""Past conversations, newest first; choosing one reopens it."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, OptionList
from textual.widgets.option_list import Option

from assistant.log.conversations import ConversationSummary
from assistant.terminal import one_line
from tui.errors import describe_error
from tui.messages import WorkFailed
from tui.session import Session


class ConversationsLoaded(Message):
    def __init__(self, conversations: list[ConversationSummary]) -> None:
        super().__init__()
        self.conversations = conversations


def conversation_prompt(summary: ConversationSummary) -> Content:
    title = one_line(summary.title) or "(untitled: the log keeps no text)"
    when = _local(summary.last_at).strftime("%Y-%m-%d %H:%M")
    turns = f"{summary.turns} question{'s' if summary.turns != 1 else ''}"
    return Content.assemble((title, "bold"), "\n", (f"  {when} · {turns}", "$text-muted"))


def _local(moment: datetime) -> datetime:
    return moment.astimezone() if moment.tzinfo is not None else moment


class HistoryScreen(ModalScreen[str | None]):
    """Dismisses with the chosen conversation's id, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close")]

    def __init__(self, session: Session) -> None:
        super().__init__(classes="dialog")
        self.session = session
        self._ids: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box", id="history-box"):
            yield Label("Past conversations", classes="dialog-title")
            yield OptionList(id="conversations")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).loading = True
        self._load()

    @work(thread=True, group="history", exit_on_error=False)
    def _load(self) -> None:
        assistant = self.session.assistant
        assert assistant is not None
        try:
            conversations = assistant.conversations()
        except Exception as error:
            self.post_message(WorkFailed("Reading past conversations", error))
            return
        self.post_message(ConversationsLoaded(conversations))

    def on_conversations_loaded(self, message: ConversationsLoaded) -> None:
        options = self.query_one(OptionList)
        options.loading = False
        self._ids = [c.id for c in message.conversations]
        if not message.conversations:
            options.add_option(Option("No conversations yet.", disabled=True))
        options.add_options(Option(conversation_prompt(c)) for c in message.conversations)
        if message.conversations:
            options.highlighted = 0
        options.focus()

    def on_work_failed(self, message: WorkFailed) -> None:
        problem = describe_error(message.error)
        self.query_one(OptionList).loading = False
        self.notify(problem.text(), title=problem.title, severity="error", markup=False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if 0 <= event.option_index < len(self._ids):
            self.dismiss(self._ids[event.option_index])

    def action_close(self) -> None:
        self.dismiss(None)
