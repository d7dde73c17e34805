"""`margin ingest`, `watch`, `reindex`, `search`, `sources`, `move` and `forget`.

Progress and messages go to stderr; stdout carries only the `--json` object, which an
ingest or re-index stopped by Ctrl+C prints too (with its `interruption`).
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from assistant.ask.places import place
from assistant.cli.free_text import EMPTY_SEARCH, FreeTextCommand
from assistant.cli.ingest_display import ingest_progress
from assistant.cli.output import also_in, emit_json, guarded, say
from assistant.errors import INGEST_FIRST, NOTHING_CLOSE, NOTHING_INGESTED, UsageError
from assistant.terminal import counted, display_path, one_line
from ingest.interruption import IngestInterrupted, Interruption

if TYPE_CHECKING:
    from assistant.ask.types import Source
    from ingest.types import DocumentInfo, FileProblem, IngestReport, KeptDocument

EXIT_SOME_FAILED = 3
_COLLECTION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
_SNIPPET_CHARS = 240
_KEPT_LISTED = 10
# Skipped files listed on stderr: a manual in HTML by Texinfo brings a pointer page per node
# (144 of zsh's 186 pages), skipped at every run.
_SKIPPED_LISTED = 20
MOVE_HINT = "`margin move PATH --collection NAME [--local-only | --no-local-only]` changes that."


def _collection(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not _COLLECTION_NAME.match(value):
        raise click.BadParameter("use letters, digits, '.', '_' or '-' (at most 64)")
    return value


_paths_argument = click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path)
)
_json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


_collection_option = click.option(
    "--collection", callback=_collection, metavar="NAME",
    help="Collection for new documents (default: their folder's, else 'default').",
)  # fmt: skip


@click.command()
@_paths_argument
@_collection_option
@click.option("--local-only", is_flag=True, help="Never send these documents to a remote model.")
@_json_option
@guarded
def ingest(
    paths: tuple[Path, ...], collection: str | None, local_only: bool, as_json: bool
) -> None:
    """Add, update or remove the documents under PATHS; unchanged files are skipped.

    Documents already ingested keep their collection and local-only flag: an ingest never
    makes them public or moves them (it says so instead), except that --local-only makes
    them local-only. New files in a local-only folder are local-only too. `margin move`
    changes where documents are."""
    from assistant.core import open_index

    with _interruption_reported(as_json):
        index = open_index()
        with ingest_progress("Ingesting") as on_progress:
            report = index.ingestor().run(
                paths, collection=collection, local_only=local_only, progress=on_progress
            )
    _finish(report, as_json, index.terms.refresh)


@click.command()
@_json_option
@guarded
def reindex(as_json: bool) -> None:
    """Re-read, re-chunk and re-embed every ingested document, changed or not.

    Each file is extracted again with today's loaders and [ingest] settings and embedded
    with the current embedding model; a document stays searchable until its new version
    replaces it. Files that are gone are removed. An interrupted re-index resumes where it
    stopped the next time it runs. (`margin ingest` already re-processes documents whose
    settings changed; use this after changing the embedding model, or to rebuild it all.)
    """
    from assistant.core import open_index

    with _interruption_reported(as_json):
        index = open_index(check_model=False)
        with ingest_progress("Re-indexing") as on_progress:
            report = index.ingestor().reindex(progress=on_progress)
    _finish(report, as_json, index.terms.refresh)


@click.command()
@_paths_argument
@_collection_option
@click.option("--local-only", is_flag=True, help="Never send these documents to a remote model.")
@guarded
def watch(paths: tuple[Path, ...], collection: str | None, local_only: bool) -> None:
    """Keep the index in sync with PATHS as files change (Ctrl+C stops)."""
    from assistant.core import open_index
    from ingest.watch import watch_and_ingest

    index = open_index()
    say(f"Watching {', '.join(display_path(str(p)) for p in paths)}; Ctrl+C stops.")
    # Ctrl+C is how a watch ends, also in the middle of a run (its finished files are kept).
    with contextlib.suppress(KeyboardInterrupt):
        watch_and_ingest(
            index.ingestor(),
            list(paths),
            collection=collection,
            local_only=local_only,
            on_report=lambda report: _summarise(report, quiet_when_idle=True, each_file=True),
            on_busy=lambda message: say(message),
        )
    say("Stopped watching.")


@click.command(cls=FreeTextCommand)
@click.argument("query")
@click.option("-k", "--k", type=click.IntRange(1, 100), help="How many results.")
@click.option("--collection", metavar="NAME", help="Only search this collection.")
@_json_option
@guarded
def search(query: str, k: int | None, collection: str | None, as_json: bool) -> None:
    """Search your documents for QUERY (retrieval only, no model).

    \b
    Text that starts with '-' needs -- before it:
      margin search -- "-e option"
    """
    if not query.strip():
        raise UsageError(EMPTY_SEARCH)
    from assistant.service.client import run_search

    results = run_search(query, k=k, collection=collection)
    if results.searched is not None and not as_json:
        say(f"searching for: {' '.join(results.searched.split())}")
    if not results:
        say(f"{NOTHING_INGESTED} {INGEST_FIRST}" if not _documents() else "Nothing found.")
    elif not results.close:
        why = f" ({results.why})" if results.why else ""
        say(f"{NOTHING_CLOSE}{why}; the nearest passages:")
    if as_json:
        emit_json(
            {
                "query": query,
                "close": results.close,
                "why": results.why,
                "searched": results.searched or query,
                "results": [source.to_json() for source in results],
            }
        )
        return
    for source in results:
        _print_result(source)


def _documents() -> list[DocumentInfo]:
    """The stored documents, without loading the embedding model or the assistant."""
    from assistant.locations import resolve_locations
    from ingest.store_reader import read_documents

    try:
        return read_documents(resolve_locations().store_dir)
    except Exception:  # an older or damaged store: the full open upgrades or repairs it, or
        from assistant.core import open_index  # says what is wrong, in words

        return open_index(check_model=False).store.documents()


@click.command()
@_json_option
@guarded
def sources(as_json: bool) -> None:
    """List the ingested documents by path: collection, chunks and when ingested; the totals
    go to stderr."""
    from assistant.config import load_config
    from assistant.locations import resolve_locations

    documents = _documents()
    config = load_config(resolve_locations().config_file)
    if as_json:
        emit_json(
            {
                "sources": [
                    {
                        "path": d.path,
                        "collection": d.collection,
                        "local_only": d.local_only,
                        "chunks": d.chunks,
                        "ingested_at": d.ingested_at,
                    }
                    for d in documents
                ],
                "policies": {
                    name: config.policy(name).to_json()
                    for name in sorted({d.collection for d in documents})
                },
            }
        )
        return
    if not documents:
        say(f"{NOTHING_INGESTED} {INGEST_FIRST}")
    for d in documents:
        flag = " local-only" if d.local_only else ""
        click.echo(
            f"{display_path(d.path)}  [{one_line(d.collection)}{flag}]  "
            f"{d.chunks} chunks  {d.ingested_at}"
        )
    if documents:
        say(_totals(documents))
    for name in sorted({d.collection for d in documents}):
        say(f"collection {one_line(name)}: {one_line(config.policy(name).describe())}")


def _totals(documents: list[DocumentInfo]) -> str:
    """'297 documents, 1,312 chunks in 2 collections (default 290, papers 7)'."""
    per_collection = Counter(d.collection for d in documents)
    collections = ", ".join(f"{one_line(c)} {n:,}" for c, n in sorted(per_collection.items()))
    chunks = sum(d.chunks for d in documents)
    local = sum(d.local_only for d in documents)
    return (
        f"{counted(len(documents), 'document')}, {counted(chunks, 'chunk')} in "
        f"{counted(len(per_collection), 'collection')} ({collections})"
        + (f"; {local:,} local-only" if local else "")
    )


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--collection", callback=_collection, metavar="NAME", help="Move them here.")
@click.option(
    "--local-only/--no-local-only", "local_only", default=None,
    help="Make them local-only (never sent to a remote model), or not.",
)  # fmt: skip
@_json_option
@guarded
def move(
    paths: tuple[Path, ...], collection: str | None, local_only: bool | None, as_json: bool
) -> None:
    """Move the documents at or under PATHS to another collection, or make them local-only
    or not. The only way to make ingested documents less private; new files later found
    under PATHS follow the same setting."""
    from assistant.core import open_index

    if collection is None and local_only is None:
        raise UsageError("Say what changes: --collection NAME, --local-only or --no-local-only.")
    moved = (
        open_index(check_model=False)
        .ingestor()
        .move(paths, collection=collection, local_only=local_only)
    )
    if as_json:
        emit_json({"moved": moved, "collection": collection, "local_only": local_only})
        return
    where = [f"collection {one_line(collection)!r}"] if collection is not None else []
    if local_only is not None:
        where.append("local-only" if local_only else "not local-only")
    noun = "document" if len(moved) == 1 else "documents"
    say(f"Moved {len(moved)} {noun}: now {', '.join(where)}.")
    if not moved:
        say("Nothing needed moving; `margin sources` lists the documents and where they are.")


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@_json_option
@guarded
def forget(path: Path, as_json: bool) -> None:
    """Remove the documents at or under PATH from the index (the files stay)."""
    from assistant.core import open_index

    removed = open_index(check_model=False).ingestor().forget([path])
    if as_json:
        emit_json({"removed": removed})
        return
    noun = "document" if len(removed) == 1 else "documents"
    say(f"Removed {len(removed)} {noun} under {display_path(str(path))} from the index.")


def _say_kept(report: IngestReport, *, listed: int) -> None:
    """The documents this run left where they were, on stderr (also under `--json`)."""
    if not report.kept:
        return
    stays = (
        "document stays where it was" if len(report.kept) == 1 else "documents stay where they were"
    )
    say(
        f"{len(report.kept)} {stays}: an ingest never makes a document public or moves it "
        f"to another collection. {MOVE_HINT}"
    )
    _say_first(report.kept, "kept", listed, more="more")


def _say_first(
    problems: Sequence[FileProblem | KeptDocument], label: str, listed: int, *, more: str
) -> None:
    """The first `listed` files with their reasons, then how many more `--json` lists."""
    for problem in problems[:listed]:
        say(f"  {label}: {display_path(problem.path)}: {one_line(problem.reason)}")
    if len(problems) > listed:
        say(f"  and {len(problems) - listed} {more} (`--json` lists them all).")


@contextlib.contextmanager
def _interruption_reported(as_json: bool) -> Iterator[None]:
    """Ctrl+C in the block: `guarded` says on stderr what the run kept, and under `--json`
    the run's report so far, with its `interruption`, is the one object on stdout. Before
    the run began (opening the index, walking, waiting for the store) nothing was done."""
    try:
        yield
    except IngestInterrupted as exc:
        if as_json:
            emit_json(exc.report.to_json())
        raise
    except KeyboardInterrupt as exc:
        from ingest.types import IngestReport

        nothing = IngestInterrupted(Interruption(committed=0), IngestReport([], [], [], [], [], []))
        if as_json:
            emit_json(nothing.report.to_json())
        raise nothing from exc


def _finish(report: IngestReport, as_json: bool, refresh_terms: Callable[[], None]) -> None:
    """Print the report, then count terms for evidence (so the next question does not wait
    for it): a Ctrl+C while they are counted comes after the report."""
    if as_json:
        for problem in report.warnings:  # one line each on stderr, the object on stdout
            say(f"warning: {display_path(problem.path)}: {one_line(problem.reason)}")
        emit_json(report.to_json())
        _say_kept(report, listed=0)
    else:
        _summarise(report, quiet_when_idle=False)
    refresh_terms()
    if report.failed:
        sys.exit(EXIT_SOME_FAILED)


def _summarise(report: IngestReport, *, quiet_when_idle: bool, each_file: bool = False) -> None:
    """The run's figures on stderr, then what needs a look; `each_file` also names every file
    the run added, updated, re-processed, moved or removed (for `watch`)."""
    changed = (
        report.added or report.updated or report.reprocessed or report.removed or report.failed
    )
    if quiet_when_idle and not changed:
        return
    moved = f"{len(report.moved)} moved, " if report.moved else ""
    reprocessed = (
        f"{len(report.reprocessed)} re-processed (new extraction settings), "
        if report.reprocessed
        else ""
    )
    say(
        f"{len(report.added)} added, {len(report.updated)} updated, {reprocessed}"
        f"{len(report.unchanged)} unchanged, {len(report.removed)} removed, {moved}"
        f"{len(report.skipped)} skipped, {len(report.failed)} failed; "
        f"{report.chunks} chunks in {report.seconds:.1f} s."
    )
    if each_file:
        for label, paths in (
            ("added", report.added),
            ("updated", report.updated),
            ("re-processed", report.reprocessed),
            ("moved", report.moved),
            ("removed", report.removed),
        ):
            for path in paths:
                say(f"  {label}: {display_path(path)}")
    _say_kept(report, listed=_KEPT_LISTED)
    for problem in report.failed:
        say(f"  failed: {display_path(problem.path)}: {one_line(problem.reason)}")
    _say_first(report.skipped, "skipped", _SKIPPED_LISTED, more="more skipped")
    for problem in report.warnings:
        say(f"  warning: {display_path(problem.path)}: {one_line(problem.reason)}")
    if report.cancelled:
        say("Stopped early; finished files are kept and the next run picks up the rest.")


def _print_result(source: Source) -> None:
    text = one_line(source.text)
    snippet = text if len(text) <= _SNIPPET_CHARS else text[:_SNIPPET_CHARS].rstrip() + "…"
    click.echo(f"[{source.number}] {place(source)}  ({source.score:.2f})")
    click.echo(f"    {snippet}")
    copies = also_in(source)
    if copies:
        click.echo(f"    {copies}")
