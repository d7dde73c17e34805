"""`margin ask`: sources first, then the answer streamed, then what it cost and took.

Each sentence of the answer is checked against the sources as it ends: a sentence the model
did not cite but a source supports gets margin's match `[n]?`, one that no source supports
gets `[?]`, and a footnote under the answer says what each mark means.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from assistant.ask.places import place
from assistant.cli.free_text import FreeTextCommand
from assistant.cli.output import EXIT_INTERRUPTED, also_in, emit_json, guarded, say
from assistant.config import ASK_MODES
from assistant.errors import INGEST_FIRST, UsageError
from assistant.terminal import sanitize

if TYPE_CHECKING:
    from assistant.ask.types import Answer, PlainTurn, SentenceSupport, Source

EXIT_BUDGET = 4
MAX_FOOTNOTES = 5
QUOTE_CHARS = 90
CONVERSATION_ID_SHOWN = 8


@click.command(cls=FreeTextCommand)
@click.argument("question")
@click.option("--model", "model", metavar="PROFILE", help="Model profile from config.toml.")
@click.option(
    "--mode",
    type=click.Choice(ASK_MODES),
    help="quote: the documents' own sentences, no model; generate: a model writes the "
    "answer; auto: chosen per question (default: ask.mode).",
)
@click.option("-k", "--k", type=click.IntRange(1, 50), help="How many sources to retrieve.")
@click.option("--collection", metavar="NAME", help="Only search this collection.")
@click.option(
    "-c",
    "--continue",
    "continue_",
    is_flag=True,
    help="A follow-up: continue the most recent conversation (from ask or chat).",
)
@click.option(
    "--conversation",
    metavar="ID",
    help="A follow-up in the conversation with this id (or the start of it).",
)
@click.option("--no-cache", is_flag=True, help="Ignore cached answers to the same question.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object at the end.")
@click.pass_context
@guarded
def ask(
    ctx: click.Context,
    question: str,
    model: str | None,
    mode: str | None,
    k: int | None,
    collection: str | None,
    continue_: bool,
    conversation: str | None,
    no_cache: bool,
    as_json: bool,
) -> None:
    """Ask QUESTION; the answer comes from your documents, with its sources.

    \b
    A question that starts with '-' needs -- before it:
      margin ask -- "-v: what does it do?"
    """
    if not question.strip():  # before starting a service or loading anything
        from assistant.guardrails.input_check import EMPTY_QUESTION

        raise UsageError(EMPTY_QUESTION)
    from assistant.ask.types import AnswerDone, AskOptions, SentenceChecked, SourcesFound, TextDelta
    from assistant.service.client import open_ask

    if continue_ and conversation:
        raise UsageError("Use --continue or --conversation ID, not both.")
    verbose = bool(ctx.obj and ctx.obj.get("verbose"))
    conversation_id, history = _conversation(continue_, conversation)
    options = AskOptions(
        model=model,
        k=k,
        collection=collection,
        history=history,
        conversation_id=conversation_id,
        use_cache=not no_cache,
        mode=mode,
    )
    run = open_ask(question, options, verbose=verbose)
    interrupted = False
    events = iter(run)
    try:
        while True:
            try:
                event = next(events)
            except StopIteration:
                break
            except KeyboardInterrupt:
                interrupted = True
                run.cancel()
                continue
            if as_json:
                continue
            if isinstance(event, SourcesFound):
                if event.search_query is not None:
                    say(f"searching for: {' '.join(event.search_query.split())}")
                _print_sources(event.sources)
            elif isinstance(event, TextDelta):
                sys.stdout.write(sanitize(event.text))
                sys.stdout.flush()
            elif isinstance(event, SentenceChecked):
                _print_mark(event.support)
            elif isinstance(event, AnswerDone):
                _print_footer(event.answer)
    finally:
        run.close()
    answer = run.answer
    if answer is not None and as_json:
        emit_json(answer.to_json())
    if interrupted or answer is None or answer.cancelled:
        sys.exit(EXIT_INTERRUPTED)
    if answer.refusal_reason == "budget":
        sys.exit(EXIT_BUDGET)


def _conversation(continue_: bool, wanted: str | None) -> tuple[str, tuple[PlainTurn, ...]]:
    """The conversation this question is logged under, and the earlier turns it follows."""
    from assistant.ask.followup import recent_history
    from assistant.config import load_config
    from assistant.locations import resolve_locations
    from assistant.log import InteractionLog
    from assistant.log.conversations import new_conversation_id

    if not (continue_ or wanted):
        return new_conversation_id(), ()
    locations = resolve_locations().ensure()
    config = load_config(locations.config_file)
    with InteractionLog(locations.log_db, log_text=config.privacy.log_text) as log:
        found = log.find_conversation(wanted) if wanted else log.latest_conversation()
        if found is None:
            say("No earlier conversation to continue: this question starts one.")
            return new_conversation_id(), ()
        turns = log.turns(found)
    history = recent_history([turn.as_history() for turn in turns], config.ask.history_turns)
    if turns and not history and not config.privacy.log_text:
        say("The log keeps no text (privacy.log_text = false): earlier turns cannot shape this.")
    return found, history


def _print_sources(sources: list[Source]) -> None:
    if not sources:
        return
    click.secho("Sources", bold=True)
    for source in sources:
        click.echo(f"  [{source.number}] {place(source)}  ({source.score:.2f})")
        copies = also_in(source)
        if copies:
            click.echo(f"      {copies}")
    click.echo()


def _print_mark(sentence: SentenceSupport) -> None:
    """margin's mark right after a checked sentence: dim `[n]?` or yellow `[?]`."""
    from assistant.guardrails.support import mark

    shown = mark(sentence)
    if not shown:
        return
    unsupported = sentence.status == "unsupported"
    gap = "\n" if sentence.kind == "code" else " "
    click.echo(
        gap + click.style(shown, fg="yellow" if unsupported else None, dim=not unsupported),
        nl=False,
    )
    sys.stdout.flush()


def _print_footer(answer: Answer) -> None:
    from assistant.ask.answer_limits import describe_truncation
    from assistant.guardrails.events import CITATION_ATTRIBUTED, GROUNDING_UNSUPPORTED

    click.echo()
    if answer.fallback is not None:
        _print_replacement(answer)
    if answer.refused and answer.refusal_reason == "not_found" and answer.sources:
        say("The sources above are the nearest matches; none was close enough to answer from.")
    if answer.truncation is not None:
        say(f"… {describe_truncation(answer.truncation, answer.usage.max_tokens)}")
    if answer.refusal_reason == "no_documents":
        say(INGEST_FIRST)
    by_number = {source.number: source for source in answer.sources}
    for number in answer.cited:
        say(f"cited [{number}] {place(by_number[number])}")
    _print_support(answer, by_number)
    shown_apart = (CITATION_ATTRIBUTED, GROUNDING_UNSUPPORTED)
    for event in answer.guardrails:
        if event.kind not in shown_apart:
            say(f"! {event.kind}: {event.detail}")
    figures = answer.summary()
    if answer.conversation_id:
        figures += f" · conversation {answer.conversation_id[:CONVERSATION_ID_SHOWN]}"
    say(figures)


def _print_replacement(answer: Answer) -> None:
    """ask.mode = "auto" replaced the answer that streamed above with a quote: say so first,
    then show the quote, marked as the documents' own words."""
    click.echo()
    say(
        "! The model's answer above is not supported by your documents (its [?] sentences); "
        "do not rely on it. margin quotes them instead:"
    )
    click.secho("Your documents say:", bold=True)
    click.echo(sanitize(answer.answer))


def _print_support(answer: Answer, by_number: dict[int, Source]) -> None:
    """The footnote for margin's marks: what `[n]?` and `[?]` stand for in this answer."""
    for number in answer.attributed:
        where = place(by_number[number]) if number in by_number else ""
        say(f"[{number}]? {where}: margin's match for a sentence the model did not cite")
    unsupported = [s for s in answer.sentences if s.status == "unsupported"]
    for sentence in unsupported[:MAX_FOOTNOTES]:
        quoted = " ".join(answer.answer[sentence.start : sentence.end].split())
        if len(quoted) > QUOTE_CHARS:
            quoted = quoted[: QUOTE_CHARS - 1] + "…"
        why = (
            f"in no source: {', '.join(sentence.missing)}"
            if sentence.missing
            else "no source holds most of its words"
        )
        say(f'[?] "{quoted}" is not supported by the sources ({why})')
    if len(unsupported) > MAX_FOOTNOTES:
        say(f"[?] and {len(unsupported) - MAX_FOOTNOTES} more sentences no source supports")
