"""The question-to-answer pipeline, one stage after another, as a stream of events.

check_input -> calculator? -> standalone query -> retrieve (withholding, evidence)
-> SourcesFound -> relevant? -> quote? -> check_context -> cache? -> build prompt
-> answer limit -> budget -> model stream (TextDelta, SentenceChecked...; a loop
is cut) -> check_output -> quote instead? (auto) -> log -> AnswerDone
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Sequence

from assistant.ask.answer_limits import answer_limit, answer_reserve, truncation_of
from assistant.ask.calculator import try_calculate
from assistant.ask.clock import StageClock
from assistant.ask.dependencies import AskDependencies
from assistant.ask.echoed_tags import EchoedTagFilter, shown_prefix, without_tags
from assistant.ask.evidence import Evidence, prompt_sources
from assistant.ask.followup import depends_on_history, standalone_query
from assistant.ask.prompting import PROMPT_VERSION, build_messages
from assistant.ask.question_language import reads_as_english
from assistant.ask.quote import FALLBACK_SHARE, Quote, answer_style, quote_answer
from assistant.ask.retrieval import Retrieval
from assistant.ask.sentence_stream import SentenceStream
from assistant.ask.types import (
    Answer,
    AnswerDone,
    AskEvent,
    AskOptions,
    Source,
    SourcesFound,
    TextDelta,
    Turn,
)
from assistant.errors import NOTHING_INGESTED
from assistant.guardrails.citations import check_citations
from assistant.guardrails.context import GuardedContext, guard_context
from assistant.guardrails.events import (
    ANSWER_CHECKS,
    attribution_event,
    citation_event,
    echoed_tags_event,
    grounding_event,
    local_only_used_event,
    quote_policy_event,
    repeating_event,
    replaced_event,
    respelt_event,
    weak_match_event,
)
from assistant.guardrails.input_check import check_input
from assistant.guardrails.restore import StreamRestorer
from assistant.guardrails.support import SupportChecker, SupportReport
from assistant.guardrails.withholding import Recipient
from assistant.log.errors import LogWriteError
from models.base import ChatModel, ChatStream, GenerationOptions

NOT_FOUND = "Not found in your documents."
NOT_ENGLISH = (
    "The question does not read as English; margin's relevance check and its bundled "
    "embedding model are made for English: asking in English may find it."
)
# A refused question that reads as a follow-up, asked with no conversation before it ("What
# about it?", "And how do I undo that?" as the first question): what was searched stood alone.
NO_EARLIER_TURN = (
    "The question reads as a follow-up, since {why}, yet no earlier answer came with it. "
    "Say what it is about, or continue the conversation it belongs to."
)
LOCAL_ONLY = (
    "Every relevant source is in a collection this model may not receive (local-only, or "
    "its [collections] policy); ask a model it allows."
)


def _not_found(retrieval: Retrieval, question: str, follow_up: str = "") -> tuple[str, str]:
    """Why nothing relevant was found: nothing is (saying which names of the question the
    documents do not mention, that a question in another language than English is matched
    poorly, and why it reads as a `follow_up` to no earlier turn), or only local-only
    sources are."""
    if retrieval.withheld and not retrieval.sources:
        return ("local_only", LOCAL_ONLY)
    why = retrieval.why_not_relevant()
    found = f"Not found in your documents: {why}." if why else NOT_FOUND
    if not reads_as_english(question):
        found = f"{found} {NOT_ENGLISH}"
    elif follow_up:
        found = f"{found} {NO_EARLIER_TURN.format(why=follow_up)}"
    return ("not_found", found)


class AskRun:
    """One question through the pipeline, in this process: an `AskStream`.

    `on_close` runs once, at `close()`: `open_ask` passes the assistant's own `close`, so an
    answer started on a throwaway assistant releases its models when it is closed.
    """

    def __init__(
        self,
        deps: AskDependencies,
        question: str,
        options: AskOptions,
        *,
        on_close: Callable[[], None] | None = None,
    ):
        self._deps = deps
        self._question = question
        self._options = options
        self._on_close = on_close
        self._cancel = threading.Event()
        self._stream: ChatStream | None = None
        self._egress_id: int | None = None
        self._reservation: int | None = None  # the budget held for the model call
        self._history: Sequence[Turn] = ()  # earlier turns, when the question depends on them
        self._policy: dict[str, dict[str, object]] = {}  # the collection rules that applied
        # ask.mode = "auto": the evidence to quote if the model's answer fails the support check
        self._fallback: Evidence | None = None
        self.answer: Answer | None = None

    def cancel(self) -> None:
        self._cancel.set()
        if self._stream is not None:
            self._stream.cancel()

    def close(self) -> None:
        on_close, self._on_close = self._on_close, None
        if on_close is not None:
            on_close()

    def __iter__(self) -> Iterator[AskEvent]:
        return self._events()

    def complete(self) -> Answer:
        for _ in self:
            pass
        assert self.answer is not None
        return self.answer

    def _events(self) -> Iterator[AskEvent]:
        deps, options = self._deps, self._options
        clock = StageClock()
        with clock.stage("guards"):
            checked = check_input(self._question, max_chars=deps.config.ask.max_question_chars)
        answer = Answer(question=checked.text, conversation_id=options.conversation_id)
        answer.guardrails.extend(checked.events)
        profile = deps.config.profile(options.model)
        answer.model = profile.name

        calculation = try_calculate(checked.text)
        if calculation is not None:
            answer.mode = "calculator"
            answer.model = "calculator"
            answer.answer = calculation.text
            yield SourcesFound([])
            yield TextDelta(calculation.text)
            yield from self._finish(answer, clock)
            return

        query = standalone_query(checked.text, self._recent_turns(), deps.similarities)
        if query.uses_history:
            self._history, answer.search_query = self._recent_turns(), query.text
        recipient = Recipient(profile.name, profile.is_remote, deps.config.collections)
        with clock.stage("retrieve"):
            nothing_ingested = deps.retriever.nothing_ingested()
        if nothing_ingested:  # no embedding, no model: the same message as search and the TUI
            yield SourcesFound([])
            yield from self._finish(answer, clock, refusal=("no_documents", NOTHING_INGESTED))
            return

        with clock.stage("retrieve"):
            retrieval = deps.retriever.retrieve(
                query.text,
                k=options.k or deps.config.ask.k,
                collection=options.collection,
                where_local_only=None if options.include_local_only else False,
                excluded_collections=options.excluded_collections,
                recipient=recipient,
            )
        answer.sources = sources = retrieval.sources
        answer.guardrails.extend(retrieval.events)
        if retrieval.respellings:
            answer.guardrails.append(respelt_event(retrieval.respellings))
        yield SourcesFound(sources, retrieval.searched or answer.search_query)
        if not retrieval.relevant:
            alone = "" if self._recent_turns() else depends_on_history(checked.text)
            refusal = _not_found(retrieval, query.text, alone)
            yield from self._finish(answer, clock, refusal=refusal)
            return
        if retrieval.weak:
            answer.guardrails.append(
                weak_match_event(retrieval.gate_score, retrieval.confident_relevance)
            )
        setting = options.mode or deps.config.ask.mode
        style = answer_style(setting, profile)
        if setting == "auto":
            self._fallback = retrieval.evidence
        quote_only = [
            s.collection for s in sources if deps.config.policy(s.collection).answer == "quote"
        ]
        if quote_only:
            answer.guardrails.append(quote_policy_event(quote_only))
        if style == "quote" or quote_only:
            yield from self._quote(answer, clock, retrieval)
            return

        model = deps.models.get(profile.name)
        with clock.stage("guards"):
            context = guard_context(
                checked.text,
                self._history,
                # Evidence windows help a small local model find the fact; a window cut out of
                # a source could split a secret the redactor then no longer recognises, so a
                # remote model reads the sources whole.
                sources if model.is_remote else prompt_sources(sources, retrieval.evidence),
                model,
                deps.config.privacy,
                deps.config.collections,
            )
        answer.guardrails.extend(context.events)
        if not context.sources:
            yield from self._finish(answer, clock, refusal=("local_only", LOCAL_ONLY))
            return

        self._policy = recipient.applied([s.collection for s in [*sources, *retrieval.withheld]])
        cache_key = deps.cache.key(
            checked.text,
            [s.id for s, _ in context.sources],
            model.model_id,
            PROMPT_VERSION,
            policy=self._policy,
        )
        # A follow-up's answer depends on the turns before it, which the key does not hold.
        cached = deps.cache.get(cache_key) if options.use_cache and not self._history else None
        if cached is not None:
            answer.cached, answer.model_id = True, model.model_id
            given = [source for source, _ in context.sources]
            text = SentenceStream(SupportChecker.of(given))
            yield from text.feed(without_tags(cached["answer"]))
            yield from text.finish()
            support = self._check_output(answer, text, given)
            self._replace_unsupported(answer, clock, support)
            yield from self._finish(answer, clock)
            return

        yield from self._generate(answer, clock, model, context, cache_key)

    def _generate(
        self,
        answer: Answer,
        clock: StageClock,
        model: ChatModel,
        context: GuardedContext,
        cache_key: str,
    ) -> Iterator[AskEvent]:
        deps = self._deps
        ask_config = deps.config.ask
        with clock.stage("prompt"):
            plan = build_messages(
                context.question,
                context.sources,
                context.history,
                context_tokens=model.context_tokens,
                reserve_tokens=answer_reserve(model.context_tokens, ask_config.max_tokens),
                count_tokens=model.count_tokens,
            )
            limit = answer_limit(
                model.context_tokens,
                model.count_message_tokens(plan.messages),
                ask_config.max_tokens,
            )
        if plan.dropped:
            answer.event(
                "context.dropped",
                "sources left out to fit the model's context: "
                + ", ".join(f"[{s.number}] {s.location()}" for s in plan.dropped),
            )

        decision = deps.budget.check_request(model, plan.messages, limit)
        if decision.fallback_model is not None:
            answer.event("budget.fallback", decision.reason)
            fallback = deps.models.get(decision.fallback_model)
            context = guard_context(
                answer.question,
                self._history,
                answer.sources,
                fallback,
                deps.config.privacy,
                deps.config.collections,
            )
            answer.guardrails.extend(e for e in context.events if e not in answer.guardrails)
            answer.model = decision.fallback_model
            yield from self._generate(answer, clock, fallback, context, cache_key)
            return
        if not decision.allowed:
            answer.model_id = model.model_id
            yield from self._finish(answer, clock, refusal=("budget", decision.reason))
            return

        answer.model_id = model.model_id
        self._reservation = decision.reservation
        if decision.reason:
            answer.event("budget.capped", decision.reason)
        if model.is_remote:
            profile = deps.config.models.get(model.profile)
            self._egress_id = deps.egress.record(
                interaction_id=None,
                profile=model.profile,
                endpoint_url=model.endpoint,
                messages=[{"role": m.role, "content": m.content} for m in plan.messages],
                redactions=context.redactions,
                policy=self._policy,
                region=profile.region if profile is not None else "",
            )
        answer.usage.max_tokens = decision.max_tokens
        options = GenerationOptions(
            max_tokens=decision.max_tokens, temperature=ask_config.temperature
        )
        tags = EchoedTagFilter()
        restorer = StreamRestorer(context.restore)
        text = SentenceStream(SupportChecker.of(plan.included))
        stream = model.stream(plan.messages, options)
        self._stream = stream
        if self._cancel.is_set():
            stream.cancel()
        try:
            for delta in stream:
                yield from text.feed(restorer.feed(tags.feed(delta)))
        except KeyboardInterrupt:  # Ctrl+C in a terminal: keep and log what came so far
            stream.cancel()
            stream.complete()
        except Exception:
            if not restorer.text and self._reservation is not None:  # nothing came: no cost
                deps.log.budget.release(self._reservation)
            raise
        yield from text.feed(restorer.feed(tags.flush()) + restorer.flush())
        completion = stream.completion
        assert completion is not None
        if completion.repetition is None:
            yield from text.finish()
        else:  # the repeats have streamed: the answer ends before them
            loop, raw = completion.repetition, completion.text
            # offsets in the text shown; a cut between words splits no placeholder
            text.cut(
                len(context.restore(shown_prefix(raw[: loop.repeats_at]))),
                not_before=len(context.restore(shown_prefix(raw[: loop.starts_at]))),
            )
            answer.guardrails.append(repeating_event(loop, completion.usage.completion_tokens))
        if tags.removed:
            answer.guardrails.append(echoed_tags_event(tags.removed))
        if completion.ttft_s is not None:
            clock.add("ttft", completion.ttft_s * 1000)
        clock.add("generate", completion.total_s * 1000)
        answer.cancelled = completion.finish_reason == "cancelled"
        answer.truncation = truncation_of(
            completion.finish_reason,
            given=decision.max_tokens,
            limit=limit,
            ceiling=ask_config.max_tokens,
        )
        answer.usage.prompt_tokens = completion.usage.prompt_tokens
        answer.usage.completion_tokens = completion.usage.completion_tokens
        answer.usage.estimated = completion.usage.estimated
        answer.usage.cost_usd = completion.cost_usd
        for note in completion.notes:  # the server ignored max_tokens, or lied about usage
            answer.event(note.kind, note.detail)

        with clock.stage("check_output"):
            support = self._check_output(answer, text, plan.included)
        if not answer.truncated and not self._history:
            with contextlib.suppress(LogWriteError):  # a cache that cannot grow is no loss
                deps.cache.put(cache_key, answer.to_json())
        self._replace_unsupported(answer, clock, support)
        yield from self._finish(answer, clock)

    def _quote(self, answer: Answer, clock: StageClock, retrieval: Retrieval) -> Iterator[AskEvent]:
        """Answer with the best evidence sentences, verbatim: no model, nothing leaves."""
        with clock.stage("quote"):
            retriever = self._deps.retriever
            quote = quote_answer(retrieval.evidence, retriever.following, retriever.preceding)
        assert quote is not None  # relevant evidence has a best window
        answer.model = "quote"
        self._use_quote(answer, quote)
        yield TextDelta(quote.text)
        yield from self._finish(answer, clock)

    def _replace_unsupported(
        self, answer: Answer, clock: StageClock, support: SupportReport
    ) -> None:
        """ask.mode = "auto": an answer the sources do not support well enough (less than
        `quote.FALLBACK_SHARE` of its sentences) becomes a quote of their own words; otherwise
        its unsupported sentences stay marked.
        The model's text has streamed by then: `fallback` and the `answer.replaced` event say
        what happened, so a CLI or chat can show the swap."""
        share = support.share
        if self._fallback is None or answer.cancelled or share is None:
            return
        if share >= FALLBACK_SHARE:
            return
        with clock.stage("quote"):
            retriever = self._deps.retriever
            quote = quote_answer(self._fallback, retriever.following, retriever.preceding)
        if quote is None:
            return
        answer.guardrails = [e for e in answer.guardrails if e.kind not in ANSWER_CHECKS]
        answer.guardrails.append(replaced_event(support))
        answer.fallback, answer.truncation = "unsupported", None  # the quote is whole
        self._use_quote(answer, quote)

    def _use_quote(self, answer: Answer, quote: Quote) -> None:
        answer.mode = "quote"
        answer.answer, answer.cited, answer.attributed = quote.text, quote.cited, []
        answer.sentences, answer.groundedness = quote.sentences, 1.0
        answer.sources = [quote.read_on.get(s.number, s) for s in answer.sources]
        quoted = [s for s in answer.sources if s.number in quote.cited]
        # quoted local-only text stays on this machine
        if any(s.local_only for s in quoted) and not answer.drew_on_local_only():
            answer.guardrails.append(local_only_used_event())

    def _recent_turns(self) -> Sequence[Turn]:
        turns = self._deps.config.ask.history_turns
        return self._options.history[-turns:] if turns > 0 else ()

    def _check_output(
        self, answer: Answer, text: SentenceStream, included: list[Source]
    ) -> SupportReport:
        """Citations must name given sources; every sentence is checked against them."""
        numbers = {s.number for s in included}
        citations = check_citations(text.text, numbers)
        answer.answer, answer.cited = citations.text, citations.cited
        if citations.invalid:
            answer.guardrails.append(citation_event(citations.invalid, numbers))
        if citations.text == text.text:  # each sentence was checked as it streamed
            support = SupportReport(text.checked)
        else:  # a removed marker moved the sentences
            support = text.checker.check_text(citations.text)
        answer.sentences, answer.attributed = support.sentences, support.attributed
        answer.groundedness = support.share
        if support.attributed:
            answer.guardrails.append(attribution_event(support.attributed))
        if support.unsupported:
            answer.guardrails.append(grounding_event(support))
        return support

    def _finish(
        self, answer: Answer, clock: StageClock, refusal: tuple[str, str] | None = None
    ) -> Iterator[AskEvent]:
        if refusal is not None:
            answer.refused = True
            answer.refusal_reason, answer.answer = refusal
            answer.mode = "refused"
            yield TextDelta(answer.answer)
        answer.locate_citations()
        answer.latency_ms = clock.finish()
        try:
            answer.interaction_id = self._deps.log.record(answer, reservation=self._reservation)
        except LogWriteError as error:  # the answer is shown; its budget hold stays and counts
            answer.event("log.not_written", str(error))
        if answer.interaction_id is not None and self._egress_id is not None:
            self._deps.egress.attach(self._egress_id, answer.interaction_id)
        self.answer = answer
        yield AnswerDone(answer)
