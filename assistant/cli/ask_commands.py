"""`margin ask`: sources first, then the answer streamed, then what it cost and took."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from assistant.cli.free_text import FreeTextCommand
from assistant.cli.output import EXIT_INTERRUPTED, emit_json, guarded, place, say
from assistant.config import ASK_MODES
from assistant.errors import INGEST_FIRST, UsageError
from assistant.terminal import sanitize

if TYPE_CHECKING:
    from assistant.ask.types import Answer, Source

EXIT_BUDGET = 4


@click.command(cls=FreeTextCommand)
@click.argument("question")
@click.option("--model", "model", metavar="PROFILE", help="Model profile from config.toml.")
@click.option(
    "--mode",
    type=click.Choice(ASK_MODES),
    help="quote: the documents' own sentences, no model; generate: a model writes the "
    "answer; auto: chosen per question (default: ask.mode).",
)
@click.option("--k", type=click.IntRange(1, 50), help="How many sources to retrieve.")
@click.option("--collection", metavar="NAME", help="Only search this collection.")
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
    from assistant.ask.types import AnswerDone, AskOptions, SourcesFound, TextDelta
    from assistant.service.client import open_ask

    verbose = bool(ctx.obj and ctx.obj.get("verbose"))
    options = AskOptions(model=model, k=k, collection=collection, use_cache=not no_cache, mode=mode)
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
                _print_sources(event.sources)
            elif isinstance(event, TextDelta):
                sys.stdout.write(sanitize(event.text))
                sys.stdout.flush()
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


def _print_sources(sources: list[Source]) -> None:
    if not sources:
        return
    click.secho("Sources", bold=True)
    for source in sources:
        click.echo(f"  [{source.number}] {place(source)}  ({source.score:.2f})")
    click.echo()


def _print_footer(answer: Answer) -> None:
    click.echo()
    if answer.refused and answer.refusal_reason == "not_found" and answer.sources:
        say("The sources above are the nearest matches; none was close enough to answer from.")
    if answer.refusal_reason == "no_documents":
        say(INGEST_FIRST)
    by_number = {source.number: source for source in answer.sources}
    for number in answer.cited:
        say(f"cited [{number}] {place(by_number[number])}")
    for event in answer.guardrails:
        say(f"! {event.kind}: {event.detail}")
    say(answer.summary())
