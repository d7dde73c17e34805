"""Ingest folders from the TUI: a live progress bar by bytes with chunks, rate, time left and
the page being read, then what was added and what failed."""

from __future__ import annotations

import shlex
import threading
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Checkbox, DataTable, Footer, Input, Label, ProgressBar, Static

from assistant.ingest_progress import IngestMeter
from assistant.terminal import one_line
from tui.errors import describe_error
from tui.markup import display_path
from tui.messages import IngestFailed, IngestFinished, IngestProgress
from tui.session import Session

REDRAW_EVERY_S = 1.0


def report_summary(report: Any) -> str:
    """The run's figures, after what a stopped run kept and what the next one picks up: the
    words `margin ingest` says at Ctrl+C."""
    parts = [
        f"{len(report.added)} added",
        f"{len(report.updated)} updated",
        f"{len(report.unchanged)} unchanged",
        f"{len(report.removed)} removed",
        *([f"{len(report.moved)} made local-only"] if report.moved else []),
        *([f"{len(report.kept)} kept where they were"] if report.kept else []),
        f"{len(report.failed)} failed",
        f"{len(report.skipped)} skipped",
        f"{report.chunks} chunks",
        f"{report.seconds:.1f} s",
    ]
    if report.interruption is None:
        return "Done: " + " · ".join(parts)
    stopped = report.interruption.describe()
    return f"{stopped[:1].upper()}{stopped[1:]} " + " · ".join(parts)


class IngestScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Stop / back")]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self._cancel: threading.Event | None = None
        self._meter: IngestMeter | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="ingest-form"):
            yield Label("Ingest folders or files", classes="dialog-title")
            yield Input(
                placeholder="Paths, separated by spaces (quote names with spaces)", id="paths"
            )
            with Horizontal(id="ingest-options"):
                yield Input(
                    self.session.collection or "",
                    placeholder="Collection (else the folder's)",
                    id="collection",
                )
                yield Checkbox("Local-only: never sent to a remote model", id="local-only")
                yield Button("Ingest", id="start", variant="primary")
        yield ProgressBar(id="ingest-progress", show_eta=False)
        yield Static("", id="ingest-current", markup=False)
        yield DataTable(id="problems", cursor_type="row", zebra_stripes=True)
        yield Static("", id="ingest-summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#problems", DataTable)
        table.add_columns("File", "Problem")
        table.display = False
        self.query_one("#ingest-progress").display = False  # until a run starts
        self.set_interval(REDRAW_EVERY_S, self._redraw)
        self.query_one("#paths", Input).focus()

    @property
    def running(self) -> bool:
        return self._cancel is not None

    @property
    def stopping(self) -> bool:
        """Stop was pressed and the run has not ended yet (it says so until it has)."""
        return self._cancel is not None and self._cancel.is_set()

    @on(Input.Submitted)
    @on(Button.Pressed, "#start")
    def start(self) -> None:
        if self.running:
            return
        try:
            paths = [
                Path(p).expanduser() for p in shlex.split(self.query_one("#paths", Input).value)
            ]
        except ValueError as error:
            self.notify(f"Cannot read the paths: {error}", severity="warning", markup=False)
            return
        if not paths:
            self.notify("Type one or more folders or files to ingest.", severity="warning")
            return
        collection = self.query_one("#collection", Input).value.strip() or None
        local_only = self.query_one("#local-only", Checkbox).value
        self._cancel = threading.Event()
        self.query_one("#problems", DataTable).clear()
        self.query_one("#ingest-summary", Static).update("")
        bar = self.query_one("#ingest-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self.query_one("#start", Button).disabled = True
        self._ingest(paths, collection, local_only, self._cancel)

    @work(thread=True, group="ingest", exit_on_error=False)
    def _ingest(
        self, paths: list[Path], collection: str | None, local_only: bool, cancel: threading.Event
    ) -> None:
        assistant = self.session.assistant
        assert assistant is not None

        meter = self._meter = IngestMeter()

        def progress(event: Any) -> None:
            meter.update(event)
            self.post_message(IngestProgress(event.bytes_done, event.bytes_total, meter.describe()))

        with self.session.work.running(cancel.set):
            try:
                report = assistant.ingest(
                    paths,
                    collection=collection,
                    local_only=local_only,
                    progress=progress,
                    cancel=cancel,
                )
            except Exception as error:
                self.post_message(IngestFailed(error))
                return
            self.post_message(IngestFinished(report))

    def on_ingest_progress(self, message: IngestProgress) -> None:
        bar = self.query_one("#ingest-progress", ProgressBar)
        bar.update(total=message.total or None, progress=message.done)
        if not self.stopping:
            self.query_one("#ingest-current", Static).update(message.description)

    def _redraw(self) -> None:
        """Between events (one large file, one batch embedding) the time left counts down."""
        meter = self._meter
        if meter is not None and meter.latest is not None and self.running and not self.stopping:
            self.query_one("#ingest-current", Static).update(meter.describe())

    def on_ingest_finished(self, message: IngestFinished) -> None:
        self._finish()
        report = message.report
        if report.interruption is None:  # a stopped run's bar stays where it stopped
            bar = self.query_one("#ingest-progress", ProgressBar)
            bar.update(total=max(bar.total or 0, bar.progress, 1), progress=bar.total or 1)
        self.query_one("#ingest-current", Static).update("")
        self.query_one("#ingest-summary", Static).update(report_summary(report))
        table = self.query_one("#problems", DataTable)
        for problem in report.failed:
            table.add_row(display_path(problem.path), one_line(problem.reason))
        table.display = bool(report.failed)
        if report.failed:
            self.notify(
                f"{len(report.failed)} file(s) could not be read; the rest are indexed.",
                severity="warning",
            )
        if report.kept:
            self.notify(
                f"{len(report.kept)} document(s) kept their collection and local-only setting: "
                "an ingest never makes a document public or moves it. "
                "`margin move` changes that.",
                severity="warning",
                markup=False,
            )

    def on_ingest_failed(self, message: IngestFailed) -> None:
        self._finish()
        problem = describe_error(message.error)
        self.query_one("#ingest-summary", Static).update(f"{problem.title}: {problem.message}")
        self.notify(problem.text(), title=problem.title, severity="error", markup=False)

    def _finish(self) -> None:
        self._cancel = None
        self.query_one("#start", Button).disabled = False

    def action_back(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self.query_one("#ingest-current", Static).update("Stopping…")
            return
        self.dismiss(None)
