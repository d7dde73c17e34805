"""`margin eval` (run a golden set, compare runs, golden sets from feedback) and `margin report`.

Progress and messages go to stderr; stdout holds the tables, or the one `--json` object.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from assistant.cli.log_commands import DATE
from assistant.cli.output import emit_json, guarded, say
from assistant.config import ASK_MODES, AskMode
from assistant.errors import INGEST_FIRST, NOTHING_INGESTED, NoDocumentsError, UsageError
from assistant.terminal import display_path
from durable.private_files import write_private

if TYPE_CHECKING:
    from rich.console import Console

    from assistant.config import Config
    from assistant.core import Assistant
    from assistant.evaluation.runner import EvalRun, Progress, RetrievalMode
    from assistant.locations import Locations
    from assistant.log import InteractionLog

EXIT_BELOW_THRESHOLD = 1
RUNS_IN_REPORT = 100
RUNS_LISTED = 20
FEEDBACK_SCAN = 5000  # newest interactions read for --from-feedback


@click.command("eval")
@click.argument("golden", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--retrieval-only", is_flag=True, help="Score retrieval only; ask no model.")
@click.option("--model", metavar="PROFILE", help="Model profile from config.toml.")
@click.option(
    "--k",
    type=click.IntRange(1, 50),
    help="recall@k depth and sources given to the model (default: retrieval.k and ask.k).",
)
@click.option(
    "--retrieval-mode",
    type=click.Choice(["hybrid", "vector", "text"]),
    default="hybrid",
    show_default=True,
    help="Fused search, or the vector or full-text side alone.",
)
@click.option(
    "--answer-mode",
    type=click.Choice(ASK_MODES),
    help="Answer by quoting, by a model, or choosing per question (default: ask.mode).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--fail-under",
    "fail_under",
    multiple=True,
    metavar="METRIC=VALUE",
    help="Exit 1 if METRIC is below VALUE (above, for latency and cost). Repeatable.",
)
@click.option("--compare", nargs=2, type=int, metavar="RUN_A RUN_B", help="Compare two runs.")
@click.option(
    "--compare-last",
    is_flag=True,
    help="With GOLDEN: compare this run with the previous one; alone: the last two runs.",
)
@click.option("--from-feedback", is_flag=True, help="Write a golden set from rated answers.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="For --from-feedback.")
@click.pass_context
@guarded
def eval_command(
    ctx: click.Context,
    golden: Path | None,
    retrieval_only: bool,
    model: str | None,
    k: int | None,
    retrieval_mode: RetrievalMode,
    answer_mode: AskMode | None,
    as_json: bool,
    fail_under: tuple[str, ...],
    compare: tuple[int, int] | None,
    compare_last: bool,
    from_feedback: bool,
    out: Path | None,
) -> None:
    """Run the golden set GOLDEN (JSON Lines) and store the run; or compare stored runs.

    Without GOLDEN, lists the stored runs.

    Retrieval metrics (hit@1, hit@5, recall@k, mrr@10, ndcg@10) are per document, over the
    answerable questions. Answer metrics: containment, token_f1, groundedness,
    citation_validity, refusal_accuracy. Latency: latency_ms.STAGE.p50/p95/p99.
    """
    if from_feedback:
        _refuse_with(golden or compare or compare_last or fail_under, "--from-feedback")
        _from_feedback(out)
    elif compare:
        _refuse_with(golden or compare_last or fail_under, "--compare")
        _compare(*compare, as_json=as_json)
    elif golden is None:
        if compare_last:
            _compare_last_two(as_json=as_json)
        else:
            _list_runs(as_json=as_json)
    else:
        verbose = bool(ctx.obj and ctx.obj.get("verbose"))
        _run(
            golden,
            retrieval_only,
            model,
            k,
            retrieval_mode,
            answer_mode,
            as_json,
            fail_under,
            compare_last,
            verbose,
        )


def _refuse_with(other: object, option: str) -> None:
    if other:
        raise UsageError(f"{option} cannot be combined with a golden file or other run options.")


def _run(
    golden_path: Path,
    retrieval_only: bool,
    model: str | None,
    k: int | None,
    mode: RetrievalMode,
    answer_mode: AskMode | None,
    as_json: bool,
    fail_under: tuple[str, ...],
    compare_last: bool,
    verbose: bool,
) -> None:
    from assistant.core import build_assistant
    from assistant.evaluation.golden import load_golden
    from assistant.evaluation.runner import run_eval
    from assistant.evaluation.summary import Threshold, shortfalls

    golden = load_golden(golden_path)
    thresholds = [Threshold.parse(text) for text in fail_under]
    locations, config = _setting()
    config = _with_retrieval_mode(config, mode)
    if answer_mode is not None:
        config = replace(config, ask=replace(config.ask, mode=answer_mode))
    assistant = build_assistant(locations=locations, config=config, verbose=verbose)
    try:
        setup = _describe(assistant, config, model, golden_path)
        _warn_missing_sources(assistant, golden.questions)
        if not retrieval_only:
            assistant.warm_up(model)
        with _progress(len(golden.questions)) as advance:
            run = run_eval(
                assistant,
                golden,
                retrieval_only=retrieval_only,
                model=model,
                k=k or config.retrieval.k,
                ask_k=k,
                retrieval_mode=mode,
                setup=setup,
                progress=advance,
            )
    finally:
        assistant.close()
    with _open_log(locations, config) as log:
        previous = log.evals.last_eval_run() if compare_last else None
        run.run_id = log.evals.record_eval_run(
            {**run.setup, "started_at": run.started_at, "seconds": run.seconds},
            run.metrics,
            run.questions,
        )
    _show_run(run, previous.to_json() if previous else None, as_json)
    if compare_last and previous is None:
        say("No earlier run to compare with.")
    problems = shortfalls(run.metrics, thresholds)
    for problem in problems:
        say(f"margin: {problem}")
    if problems:
        sys.exit(EXIT_BELOW_THRESHOLD)


def _with_retrieval_mode(config: Config, mode: RetrievalMode) -> Config:
    weights = {"hybrid": config.retrieval.vector_weight, "vector": 1.0, "text": 0.0}
    return replace(config, retrieval=replace(config.retrieval, vector_weight=weights[mode]))


def _describe(
    assistant: Assistant, config: Config, model: str | None, golden: Path
) -> dict[str, Any]:
    """What produced the run: stored with it so runs can be told apart and compared."""
    from dataclasses import asdict

    documents = assistant.sources()
    if not documents:
        raise NoDocumentsError(f"{NOTHING_INGESTED} {INGEST_FIRST}")
    corpus = hashlib.sha256(
        "\n".join(f"{d.path}\0{d.content_hash}" for d in documents).encode()
    ).hexdigest()[:16]
    profile = config.profile(model)
    return {
        "model_profile": profile.name,
        "model_kind": profile.kind,
        "model_name": profile.model or profile.path,
        "embedding_model": _embedding_model(),
        "chunking": {
            "chunk_tokens": config.ingest.chunk_tokens,
            "overlap_tokens": config.ingest.overlap_tokens,
        },
        "retrieval": asdict(config.retrieval),
        "ask": {
            "mode": config.ask.mode,
            "k": config.ask.k,
            "max_tokens": config.ask.max_tokens,
            "temperature": config.ask.temperature,
        },
        "model_threads": profile.threads,
        "corpus": {"version": corpus, "documents": len(documents)},
        "golden_name": golden.name,
    }


def _embedding_model() -> str:
    from ingest.embedder import BUNDLED_MODEL_ID

    return BUNDLED_MODEL_ID


def _warn_missing_sources(assistant: Assistant, questions: Any) -> None:
    indexed = {d.path for d in assistant.sources()}
    missing = sorted({s for q in questions for s in q.expected_sources} - indexed)
    if missing:
        shown = ", ".join(map(display_path, missing[:5])) + (" ..." if len(missing) > 5 else "")
        say(f"Warning: {len(missing)} expected sources are not in the index: {shown}")


@contextmanager
def _progress(total: int) -> Iterator[Progress | None]:
    """A progress bar on stderr when it is a terminal; otherwise nothing."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TimeRemainingColumn
    from rich.progress import Progress as Bar

    with Bar(
        "{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("questions", total=total)
        yield lambda done, _total, _record: bar.update(task, completed=done)


def _show_run(run: EvalRun, previous: dict[str, Any] | None, as_json: bool) -> None:
    """The run, then its comparison with `previous` (a stored run) when there is one."""
    from assistant.evaluation.compare import compare_runs
    from assistant.evaluation.display import print_comparison, print_run

    comparison = compare_runs(_stored(previous), run.to_json()) if previous else None
    if as_json:
        payload = run.to_json()
        if comparison is not None:
            payload["comparison"] = comparison.to_json()
        emit_json(payload)
        return
    console = _console()
    print_run(run.to_json(), console)
    if comparison is not None:
        print_comparison(comparison, console)


def _list_runs(*, as_json: bool) -> None:
    from assistant.evaluation.display import print_runs

    locations, config = _setting()
    with _open_log(locations, config) as log:
        runs = [r.to_json() for r in log.evals.eval_runs(RUNS_LISTED)]
    if as_json:
        emit_json({"runs": [{k: v for k, v in r.items() if k != "questions"} for r in runs]})
    elif runs:
        print_runs(runs, _console())
    else:
        say("No stored eval runs yet; run `margin eval FILE.jsonl` (e.g. docs/golden.jsonl).")


def _compare(run_a: int, run_b: int, *, as_json: bool) -> None:
    locations, config = _setting()
    with _open_log(locations, config) as log:
        a, b = log.evals.eval_run(run_a), log.evals.eval_run(run_b)
    _show_comparison(_stored(a.to_json()), _stored(b.to_json()), as_json=as_json)


def _compare_last_two(*, as_json: bool) -> None:
    locations, config = _setting()
    with _open_log(locations, config) as log:
        runs = log.evals.eval_runs(2)
    if len(runs) < 2:
        raise UsageError("--compare-last needs two stored runs; run `margin eval FILE` first.")
    newer, older = runs
    _show_comparison(_stored(older.to_json()), _stored(newer.to_json()), as_json=as_json)


def _stored(run: dict[str, Any]) -> dict[str, Any]:
    """A stored run in the form `compare_runs` reads (its id as `run_id`)."""
    return {**run, "run_id": run["id"]}


def _show_comparison(a: dict[str, Any], b: dict[str, Any], *, as_json: bool) -> None:
    from assistant.evaluation.compare import compare_runs
    from assistant.evaluation.display import print_comparison

    comparison = compare_runs(a, b)
    if as_json:
        emit_json(comparison.to_json())
    else:
        print_comparison(comparison, _console())


def _from_feedback(out: Path | None) -> None:
    from assistant.evaluation.feedback import golden_from_feedback

    locations, config = _setting()
    with _open_log(locations, config) as log:
        result = golden_from_feedback(log.recent(FEEDBACK_SCAN))
    if result.without_text:
        say(f"{result.without_text} rated answers were logged without text and are left out.")
    say(f"{len(result.lines)} golden lines, {len(result.review)} answers to review.")
    if out is None:
        sys.stdout.write(result.to_jsonl())
    else:
        write_private(out.expanduser(), result.to_jsonl())  # owner-only: questions from the log
        say(f"Wrote {out}")


@click.command()
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a self-contained HTML report with charts to this file.",
)
@click.option("--since", type=DATE, help="Only interactions and eval runs from this UTC date on.")
@guarded
def report(html_path: Path | None, since: datetime | None) -> None:
    """Headline figures from the local log; with --html, a report with charts."""
    from datetime import UTC

    from assistant.evaluation.report import ReportData, print_report, render_html
    from assistant.log import compute_stats

    locations, config = _setting()
    with _open_log(locations, config) as log:
        stats = compute_stats(log, since)
        runs = [r.to_json() for r in reversed(log.evals.eval_runs(RUNS_IN_REPORT))]
    if since is not None:
        cutoff = since.replace(tzinfo=since.tzinfo or UTC)
        runs = [r for r in runs if datetime.fromisoformat(r["created_at"]) >= cutoff]
    data = ReportData(
        generated_at=datetime.now(UTC),
        since=since.date() if since else None,
        stats=stats.to_json(),
        eval_runs=runs,
    )
    print_report(data, _console())
    if html_path is not None:
        write_private(html_path.expanduser(), render_html(data))
        say(f"Wrote {html_path}")


def _setting() -> tuple[Locations, Config]:
    from assistant.config import load_config
    from assistant.locations import resolve_locations

    locations = resolve_locations().ensure()
    return locations, load_config(locations.config_file)


def _open_log(locations: Locations, config: Config) -> InteractionLog:
    """The log to read runs and figures from: a damaged one is reported, not replaced."""
    from assistant.log import InteractionLog

    return InteractionLog(locations.log_db, log_text=config.privacy.log_text, recover=False)


def _console() -> Console:
    from rich.console import Console

    return Console()
