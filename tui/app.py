"""The chat app: shows at once, builds the Assistant and loads models in the background.

`MarginApp` takes its dependencies through the constructor: an Assistant, or a function
that builds one (called in a thread worker so the screen appears immediately), and how to
run an editor. `run_chat` is the entry point behind `margin chat`.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App, CSSPathType, SuspendNotSupported
from textual.binding import Binding, BindingType

from assistant.ask.places import on_disk
from assistant.ask.types import Source
from tui.editor import editor_argv, opens_in_viewer
from tui.errors import describe_error
from tui.markup import display_path
from tui.messages import AssistantFailed, AssistantReady, ModelsWarm
from tui.palette import MarginCommands
from tui.screens.chat import ChatScreen
from tui.screens.help import HelpScreen
from tui.screens.history import HistoryScreen
from tui.screens.ingest import IngestScreen
from tui.screens.stats import StatsScreen
from tui.session import Session

if TYPE_CHECKING:
    from assistant.core import Assistant

AssistantFactory = Callable[[], "Assistant"]
RunCommand = Callable[[Sequence[str]], int]


class MarginApp(App[int]):
    TITLE = "margin"
    CSS_PATH: ClassVar[CSSPathType | None] = ["app.tcss", "chat.tcss", "screens.tcss"]
    COMMANDS = App.COMMANDS | {MarginCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", tooltip="This list of keys"),
        Binding("ctrl+l", "history", "History", tooltip="Reopen a past conversation"),
        Binding("ctrl+o", "ingest", "Ingest", show=False, tooltip="Ingest folders or files"),
        Binding("ctrl+s", "stats", "Stats", show=False, tooltip="Latency, cost and feedback"),
        Binding("ctrl+t", "toggle_dark", "Light/dark", show=False, tooltip="Light or dark theme"),
    ]

    def __init__(
        self,
        assistant: Assistant | AssistantFactory,
        *,
        environ: Mapping[str, str] | None = None,
        run_command: RunCommand = subprocess.call,
    ) -> None:
        super().__init__()
        self.session = Session()
        self._build: AssistantFactory = assistant if callable(assistant) else lambda: assistant
        self._owns_assistant = callable(assistant)  # built here, so closed here
        self._environ = os.environ if environ is None else environ
        self._run_command = run_command
        self.chat = ChatScreen(self.session)

    def get_default_screen(self) -> ChatScreen:
        return self.chat

    def on_mount(self) -> None:
        self._load_assistant()

    @work(thread=True, group="startup", exit_on_error=False)
    def _load_assistant(self) -> None:
        try:
            assistant = self._build()
            self.post_message(AssistantReady(assistant, assistant.spend_today_usd()))
        except Exception as error:
            self.post_message(AssistantFailed(error, stage="build"))
            return
        try:
            assistant.warm_up()
        except Exception as error:
            # Questions stay possible: another model profile may work (ctrl+p).
            self.post_message(AssistantFailed(error, stage="warm_up"))
            return
        self.post_message(ModelsWarm())

    def on_assistant_ready(self, message: AssistantReady) -> None:
        self.session.assistant = message.assistant
        self.chat.assistant_ready(message.spent_today_usd)

    def on_models_warm(self, _: ModelsWarm) -> None:
        self.session.warm = True
        self.chat.refresh_status()

    def on_assistant_failed(self, message: AssistantFailed) -> None:
        problem = describe_error(message.error)
        if message.stage == "build":
            self.session.load_error = problem.message
        else:
            self.session.warm_error = problem.message
        self.chat.refresh_status()
        self.notify(problem.text(), title=problem.title, severity="error", markup=False, timeout=30)

    async def on_unmount(self) -> None:
        # An answer or ingest run still going is stopped as Escape stops it, and logs what it
        # did, before the Assistant it uses is closed (off the loop: it may take a moment).
        await asyncio.to_thread(self.session.work.stop_all_and_wait)
        if self._owns_assistant and self.session.assistant is not None:
            self.session.assistant.close()

    # -- choices made from the command palette -------------------------------------------

    def select_profile(self, name: str) -> None:
        self.session.profile = name
        self.chat.refresh_status()
        profile = self.session.model_profile()
        label = profile.label if profile is not None else name
        self.notify(f"Answers now come from the {label!r} model profile.", markup=False)

    def select_collection(self, name: str | None) -> None:
        self.session.collection = name
        self.chat.refresh_status()
        where = f"the {name!r} collection" if name else "every collection"
        self.notify(f"Questions now search {where}.", markup=False)

    # -- screens --------------------------------------------------------------------------

    def _require_ready(self) -> bool:
        if self.session.ready:
            return True
        self.notify("margin is still starting; try again in a moment.", severity="warning")
        return False

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_history(self) -> None:
        if self._require_ready() and self.screen is self.chat:
            self.push_screen(HistoryScreen(self.session), self._open_conversation)

    def _open_conversation(self, conversation_id: str | None) -> None:
        if conversation_id is not None:
            self.chat.open_conversation(conversation_id)

    def action_ingest(self) -> None:
        if self._require_ready() and self.screen is self.chat:
            self.push_screen(IngestScreen(self.session))

    def action_stats(self) -> None:
        if self._require_ready() and self.screen is self.chat:
            self.push_screen(StatsScreen(self.session))

    # -- opening a source ------------------------------------------------------------------

    def open_source(self, source: Source) -> None:
        """Open the source's file in $EDITOR at its line; PDFs, Office documents, e-books and
        attachments go to the person's own viewer."""
        if not on_disk(source):
            self.notify(
                f"{display_path(source.path)} is not there any more: it was moved or deleted "
                "since margin read it. Enter shows the passage margin kept; ingest the file "
                "where it is now to cite it there.",
                title="File not found",
                severity="warning",
                markup=False,
            )
            return
        if opens_in_viewer(source.path):
            self.copy_to_clipboard(source.path)
            page = f" at page {source.page}" if source.page is not None else ""
            self.notify(
                f"{display_path(source.path)}{page}: open it in the application you read it "
                "with; the path is on the clipboard.",
                markup=False,
            )
            return
        argv = editor_argv(source.path, source.shown_line, self._environ)
        try:
            code = self._run_suspended(argv)
        except Exception as error:
            problem = describe_error(error)
            self.notify(
                f"Cannot run {argv[0]!r}: {problem.message}\nSet $EDITOR to an editor you have.",
                title="Editor failed",
                severity="error",
                markup=False,
            )
            return
        if code != 0:
            self.notify(f"{argv[0]} exited with status {code}.", severity="warning", markup=False)

    def _run_suspended(self, argv: list[str]) -> int:
        try:
            with self.suspend():
                return self._run_command(argv)
        except SuspendNotSupported:
            # Headless (tests): there is no terminal to hand over; run the command as is.
            return self._run_command(argv)


def run_chat(build: AssistantFactory) -> int:
    """Run the chat TUI until the person quits; the exit status for `margin chat`."""
    app = MarginApp(build)
    result = app.run()
    return result if isinstance(result, int) else (app.return_code or 0)
