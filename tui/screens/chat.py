"""The main screen: ask, read the streamed answer and its sources, rate, copy, regenerate."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar, Literal, cast

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Input, Markdown

from assistant.ask.followup import recent_history
from assistant.ask.types import AnswerDone, AskOptions, PlainTurn, SourcesFound, TextDelta
from assistant.errors import UsageError
from assistant.guardrails.input_check import check_input
from assistant.terminal import one_line, sanitize
from tui.errors import describe_error, describe_refusal
from tui.jobs import AskJob, AskRequest
from tui.messages import (
    AnswerChunk,
    AnswerFailed,
    AnswerFinished,
    AnswerStarted,
    ConversationLoaded,
    FeedbackSaved,
    SourcesReady,
    WorkFailed,
)
from tui.screens.feedback import FeedbackScreen
from tui.screens.source import SourceScreen
from tui.session import Session
from tui.widgets.chat_log import ChatLog
from tui.widgets.exchange import Exchange
from tui.widgets.sources import SourceList
from tui.widgets.status import StatusBar

if TYPE_CHECKING:
    from tui.app import MarginApp

Rating = Literal["up", "down"]


class ChatScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stop", "Stop", tooltip="Stop the answer being written"),
        # Escape's other meaning, when no answer is being written: enabled while "stop" is not.
        Binding("escape", "focus_question", show=False, tooltip="Back to the question"),
        Binding("ctrl+r", "regenerate", "Regenerate", tooltip="Ask the last question again"),
        Binding("ctrl+y", "copy_answer", "Copy", tooltip="Copy the selected answer (OSC 52)"),
        # No printable keys: typed text goes to the question, and never rates an answer.
        Binding(
            "f2",
            "rate('up')",
            "Good",
            key_display="F2",
            tooltip="Rate the selected answer helpful, with an optional note",
        ),
        Binding(
            "f3",
            "rate('down')",
            "Bad",
            key_display="F3",
            tooltip="Rate the selected answer unhelpful, with an optional note",
        ),
        Binding(
            "ctrl+up",
            "pick(-1)",
            "Earlier answer",
            show=False,
            tooltip="Select the answer before: its sources show, and F2, F3, ctrl+y act on it",
        ),
        Binding(
            "ctrl+down", "pick(1)", "Later answer", show=False, tooltip="Select the next answer"
        ),
        Binding(
            "ctrl+n", "new_conversation", "New chat", show=False, tooltip="Start a new conversation"
        ),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.conversation_id: str | None = None
        self.turns: list[PlainTurn] = []  # answered turns of this conversation, oldest first
        self._job: AskJob | None = None
        self._job_count = 0
        self._exchange: Exchange | None = None
        self._pending: str | None = None

    @property
    def margin(self) -> MarginApp:
        return cast("MarginApp", self.app)

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield ChatLog(id="chat-log")
            yield SourceList(id="sources")
        # Not selected on focus: a key typed next would replace the whole question.
        yield Input(
            placeholder="Ask a question about your documents…", id="question", select_on_focus=False
        )
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#question", Input).focus()
        self.refresh_status()

    @property
    def answering(self) -> bool:
        return self._job is not None

    # -- state shown around the conversation -------------------------------------------------

    def refresh_status(self, **changes: object) -> None:
        session = self.session
        profile = session.model_profile()
        if self.answering:
            state = "answering"
        elif session.load_error is not None:
            state = "not ready"
        elif not session.ready:
            state = "starting"
        elif session.warm_error is not None:
            state = "model failed"
        elif not session.warm:
            state = "loading model"
        else:
            state = "ready"
        self.query_one(StatusBar).show(
            state=state,
            profile=profile.label if profile else "",
            remote=bool(profile and profile.is_remote),
            collection=session.collection,
            daily_budget_usd=session.daily_budget_usd,
            **changes,
        )
        failed = session.load_error is not None or session.warm_error is not None
        self.query_one(ChatLog).set_loading(not failed and not session.warm)
        self.refresh_bindings()

    def assistant_ready(self, spent_today_usd: float) -> None:
        self.refresh_status(spent_today_usd=spent_today_usd)
        if self._pending is not None:
            question, self._pending = self._pending, None
            self.call_later(self.ask, question)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return self.answering
        if action == "focus_question":
            return not self.answering
        if action == "regenerate":
            last = self.query_one(ChatLog).last
            return last is not None and last.finished and not self.answering
        if action in ("copy_answer", "rate"):
            selected = self.query_one(ChatLog).selected
            return selected is not None and selected.finished
        return True

    # -- asking -----------------------------------------------------------------------------

    @on(Input.Submitted, "#question")
    async def on_question(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if question and await self.ask(question):
            event.input.clear()

    def on_key(self, event: events.Key) -> None:
        """A key typed while reading the conversation goes to the question: not dropped, and
        not taken for a binding (the event stops here, before bindings are looked up)."""
        focused = self.focused
        if event.character is None or not event.is_printable or focused is None:
            return
        if self.query_one(ChatLog) in focused.ancestors_with_self:
            event.stop()
            question = self.query_one("#question", Input)
            question.focus()
            question.insert_text_at_cursor(event.character)

    async def ask(self, question: str, *, use_cache: bool = True) -> bool:
        """Ask `question`, or say why not: False when it is refused, so it stays typed."""
        if self.answering:
            self.notify("An answer is still coming: press escape to stop it first.")
            return False
        if self.session.load_error is not None:
            self.notify(
                f"margin could not start: {self.session.load_error}",
                severity="error",
                markup=False,
            )
            return False
        if not self.session.ready:
            self._pending = question
            self.notify("margin is still starting; your question will be asked once it is ready.")
            return True
        try:  # the pipeline's own check, made before the question leaves the input
            check_input(question, max_chars=self.session.max_question_chars)
        except UsageError as error:
            problem = describe_error(error)
            self.notify(problem.text(), title=problem.title, severity="warning", markup=False)
            return False
        self._exchange = await self.query_one(ChatLog).add(question)
        self._select(self._exchange)
        self._job_count += 1
        options = AskOptions(
            model=self.session.profile,
            collection=self.session.collection,
            history=recent_history(self.turns, self.session.history_turns),
            conversation_id=self.conversation_id,
            use_cache=use_cache,
        )
        request = AskRequest(question, options)
        self._job = AskJob(self._job_count, request)
        self.refresh_status()
        self._ask_in_thread(self._job)
        return True

    @work(thread=True, group="ask", exit_on_error=False)
    def _ask_in_thread(self, job: AskJob) -> None:
        assistant = self.session.assistant
        assert assistant is not None
        question, options = job.request.question, job.request.options
        with self.session.work.running(job.cancel):
            try:
                if not options.conversation_id:
                    started = assistant.start_conversation(one_line(question)[:80])
                    options = replace(options, conversation_id=started)
                self.post_message(AnswerStarted(job.number, options.conversation_id))
                run = assistant.ask(question, options)
                job.attach(run)
                text = ""
                try:
                    for event in run:
                        if isinstance(event, SourcesFound):
                            sources, searched = event.sources, event.search_query
                            self.post_message(SourcesReady(job.number, sources, searched))
                        elif isinstance(event, TextDelta):
                            text += event.text
                            self.post_message(AnswerChunk(job.number, text))
                        elif isinstance(event, AnswerDone):
                            spent = assistant.spend_today_usd()
                            self.post_message(AnswerFinished(job.number, event.answer, spent))
                finally:
                    run.close()
            except Exception as error:
                self.post_message(AnswerFailed(job.number, error))

    def _current(self, request: int) -> Exchange | None:
        if self._job is None or self._job.number != request:
            return None
        return self._exchange

    def on_answer_started(self, message: AnswerStarted) -> None:
        if self._current(message.request) is not None:
            self.conversation_id = message.conversation_id

    def on_sources_ready(self, message: SourcesReady) -> None:
        exchange = self._current(message.request)
        if exchange is not None:
            exchange.sources_found(message.sources, message.search_query)
            if self.query_one(ChatLog).selected is exchange:
                self.query_one(SourceList).show(message.sources)

    def on_answer_chunk(self, message: AnswerChunk) -> None:
        exchange = self._current(message.request)
        if exchange is not None:
            exchange.feed(message.text)

    async def on_answer_finished(self, message: AnswerFinished) -> None:
        exchange = self._current(message.request)
        if exchange is None:
            return
        answer = message.answer
        self._job = None
        if self.query_one(ChatLog).selected is exchange:
            self.query_one(SourceList).cited(answer.sources)
        await exchange.finish(answer)
        if not answer.refused and not answer.cancelled:
            self.turns.append(PlainTurn.of(answer))
        if answer.mode == "model" and answer.model_id:
            self.session.warm, self.session.warm_error = True, None  # a model answered
        problem = describe_refusal(answer)
        if problem is not None:
            self.notify(problem.text(), title=problem.title, severity="warning", markup=False)
        self.refresh_status(answer=answer, spent_today_usd=message.spent_today_usd)

    async def on_answer_failed(self, message: AnswerFailed) -> None:
        exchange = self._current(message.request)
        if exchange is None:
            return
        self._job = None
        problem = describe_error(message.error)
        await exchange.fail(problem)
        self.notify(problem.text(), title=problem.title, severity="error", markup=False)
        self.refresh_status()

    # -- actions on the selected answer (the latest, unless an earlier one was picked) -------

    def action_stop(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self.query_one(StatusBar).show(state="stopping")

    def action_focus_question(self) -> None:
        self.query_one("#question", Input).focus()

    async def action_regenerate(self) -> None:
        last = self.query_one(ChatLog).last
        if last is None or self.answering:
            return
        if last.answer is not None and self.turns[-1:] == [PlainTurn.of(last.answer)]:
            self.turns.pop()
        await last.remove()
        await self.ask(last.question, use_cache=False)

    def action_copy_answer(self) -> None:
        selected = self.query_one(ChatLog).selected
        if selected is None or not selected.text:
            return
        self.app.copy_to_clipboard(sanitize(selected.text))
        self.notify("Answer copied to the clipboard.")

    def action_rate(self, rating: Rating) -> None:
        selected = self.query_one(ChatLog).selected
        interaction_id = None if selected is None else selected.interaction_id
        if interaction_id is None:
            self.notify("This answer is not in the local log, so it cannot be rated.")
            return

        def save(note: str | None) -> None:
            if note is not None:
                self._save_feedback(interaction_id, rating, note)

        self.app.push_screen(FeedbackScreen(rating), save)

    @work(thread=True, group="feedback", exit_on_error=False)
    def _save_feedback(self, interaction_id: int, rating: Rating, note: str) -> None:
        assistant = self.session.assistant
        assert assistant is not None
        try:
            assistant.feedback(interaction_id, rating, note)
        except Exception as error:
            self.post_message(WorkFailed("Saving your rating", error))
            return
        self.post_message(FeedbackSaved(interaction_id, rating))

    def on_feedback_saved(self, message: FeedbackSaved) -> None:
        for exchange in self.query_one(ChatLog).exchanges:
            if exchange.interaction_id == message.interaction_id:
                exchange.rate("up" if message.rating == "up" else "down")
        self.notify("Thanks: your rating is saved in the local log.")

    def on_work_failed(self, message: WorkFailed) -> None:
        problem = describe_error(message.error)
        self.notify(
            problem.text(), title=f"{message.what}: {problem.title}", severity="error", markup=False
        )

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        """Links in answers are never opened for the person: the full target is copied."""
        event.stop()
        target = one_line(event.href)
        self.app.copy_to_clipboard(target)
        self.notify(f"Link copied, not opened: {target}", markup=False)

    # -- sources ----------------------------------------------------------------------------

    def _select(self, exchange: Exchange | None) -> None:
        """Show `exchange`'s sources in the panel; F2, F3 and ctrl+y act on it."""
        self.query_one(ChatLog).select(exchange)
        self.query_one(SourceList).show(exchange.sources if exchange is not None else [])
        self.refresh_bindings()

    def action_pick(self, step: int) -> None:
        chat_log = self.query_one(ChatLog)
        exchanges, selected = chat_log.exchanges, chat_log.selected
        if selected is None:
            return
        index = min(max(exchanges.index(selected) + step, 0), len(exchanges) - 1)
        if exchanges[index] is not selected:
            self._select(exchanges[index])

    def on_exchange_picked(self, message: Exchange.Picked) -> None:
        if message.exchange is not self.query_one(ChatLog).selected:
            self._select(message.exchange)

    def on_source_list_view_requested(self, message: SourceList.ViewRequested) -> None:
        selected = self.query_one(ChatLog).selected
        question = selected.question if selected is not None else ""
        self.app.push_screen(SourceScreen(message.source, question))

    def on_source_list_edit_requested(self, message: SourceList.EditRequested) -> None:
        self.margin.open_source(message.source)

    # -- conversations ----------------------------------------------------------------------

    async def action_new_conversation(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self._job = None
        self.conversation_id = None
        self.turns = []
        await self.query_one(ChatLog).clear()
        self._select(None)
        self.refresh_status(answer=None)
        self.action_focus_question()

    def open_conversation(self, conversation_id: str) -> None:
        self._load_conversation(conversation_id)

    @work(thread=True, group="history", exit_on_error=False)
    def _load_conversation(self, conversation_id: str) -> None:
        assistant = self.session.assistant
        assert assistant is not None
        try:
            records = assistant.conversation(conversation_id)
            turns = assistant.turns(conversation_id)
        except Exception as error:
            self.post_message(WorkFailed("Opening the conversation", error))
            return
        self.post_message(ConversationLoaded(conversation_id, records, turns))

    async def on_conversation_loaded(self, message: ConversationLoaded) -> None:
        await self.action_new_conversation()
        self.conversation_id = message.conversation_id
        chat_log = self.query_one(ChatLog)
        await chat_log.reopen(message.records)
        self._select(chat_log.last)
        self.turns = [turn for turn in (t.as_history() for t in message.turns) if turn is not None]
        self.refresh_status()
