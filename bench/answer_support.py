"""The support check on real answers: supported-sentence share, citations and cost, before -> after.

    .venv/bin/python -m bench.answer_support [--questions 56] [--repeats 5] [--before main]

The bundled SmolLM2 answers the golden questions over docs/ (real embedder, store and log)
with today's default limit (the room the context leaves; `--with-cap` adds a run with the old
`ask.max_tokens = 256`). Per run: cut-off answers, answer tokens (and how many answers the old
limit of 256 would have cut), the supported share of checked sentences (pooled), and answers
by whose citations (the model's, only margin's matches, none).
`before` judges the same answers with the output checks of the git revision `--before`
(`assess_grounding`'s share of supported claims, and how many answers margin wrote [n] into).

Overhead: per answer, the wall time of the output checks as the pipeline runs them now (a
`SentenceStream` fed the model's real token deltas, then `check_citations`) against those of
`--before` (`check_citations`, `assess_grounding`, `attribute_citations`) on the same text and
sources; p50/p95 over the answers, median of the repeats, and the difference.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from bench import DOCS, REPO, emit, golden_questions, margin_home, median, note, percentile

BENCH = "answer_support"
OLD_LIMIT = 256  # ask.max_tokens before answers were sized from the context


@dataclass
class Answered:
    text: str
    deltas: list[str]
    sources: dict[int, str]
    cited: list[int]
    attributed: list[int]
    checked: int
    supported: int
    truncation: str | None
    completion_tokens: int


def recording_llama() -> Any:
    """The bundled model as margin runs it, keeping the text deltas of its latest answer."""
    from models.bundled import bundled_gguf_path
    from models.llama_cpp import LlamaCppModel

    class RecordingLlamaCppModel(LlamaCppModel):
        deltas: Sequence[str] = ()

        def _generate(self, messages: Any, options: Any, cancel: Any) -> Iterator[Any]:
            deltas: list[str] = []
            self.deltas = deltas
            for item in super()._generate(messages, options, cancel):
                if isinstance(item, str):
                    deltas.append(item)
                yield item

    return RecordingLlamaCppModel("local", bundled_gguf_path(), threads=os.cpu_count() or 1)


def answer_all(assistant: Any, model: Any, questions: list[str]) -> list[Answered]:
    from assistant.ask.types import AskOptions

    answered = []
    for number, question in enumerate(questions, 1):
        answer = assistant.ask(question, AskOptions(use_cache=False)).complete()
        note(f"{BENCH}: {number}/{len(questions)} {answer.usage.completion_tokens} tokens")
        if answer.refused or answer.mode != "model":
            continue
        checked = [s for s in answer.sentences if s.status != "skipped"]
        answered.append(
            Answered(
                text=answer.answer,
                deltas=list(model.deltas),
                sources={s.number: s.text for s in answer.sources},
                cited=answer.cited,
                attributed=answer.attributed,
                checked=len(checked),
                supported=sum(s.status != "unsupported" for s in checked),
                truncation=answer.truncation,
                completion_tokens=answer.usage.completion_tokens,
            )
        )
    return answered


def old_checks(revision: str) -> ModuleType:
    """`assistant/guardrails/citations.py` as it was at `revision`, loaded on its own."""
    source = subprocess.run(
        ["git", "show", f"{revision}:assistant/guardrails/citations.py"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    folder = Path(tempfile.mkdtemp(prefix="margin-bench-before-"))
    path = folder / "citations_before.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("citations_before", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["citations_before"] = module
    spec.loader.exec_module(module)
    return module


def checks_now(item: Answered) -> None:
    from assistant.ask.sentence_stream import SentenceStream
    from assistant.guardrails.citations import check_citations
    from assistant.guardrails.support import SupportChecker

    stream = SentenceStream(SupportChecker(item.sources))
    for delta in item.deltas:
        stream.feed(delta)
    stream.finish()
    check_citations(stream.text, set(item.sources))


def checks_before(old: ModuleType, item: Answered) -> Any:
    citations = old.check_citations(item.text, set(item.sources))
    texts = [item.sources[n] for n in citations.cited if n in item.sources]
    grounding = old.assess_grounding(citations.text, texts, list(item.sources.values()))
    attributed = None
    if not citations.cited:
        attributed = old.attribute_citations(citations.text, item.sources)
    return grounding, attributed


def timing(answered: list[Answered], old: ModuleType, repeats: int) -> dict[str, Any]:
    now_runs, before_runs = [], []
    for item in answered[:1]:  # warm: imports and compiled patterns
        checks_now(item)
        checks_before(old, item)
    for _ in range(repeats):
        now, before = [], []
        for item in answered:
            started = time.perf_counter()
            checks_now(item)
            now.append(time.perf_counter() - started)
            started = time.perf_counter()
            checks_before(old, item)
            before.append(time.perf_counter() - started)
        now_runs.append(now)
        before_runs.append(before)

    def figures(runs: list[list[float]]) -> dict[str, float]:
        return {
            "p50_ms": round(median([percentile(r, 0.5) for r in runs]) * 1000, 3),
            "p95_ms": round(median([percentile(r, 0.95) for r in runs]) * 1000, 3),
        }

    now_f, before_f = figures(now_runs), figures(before_runs)
    return {
        "checks_now": now_f,
        "checks_before": before_f,
        "added_p50_ms": round(now_f["p50_ms"] - before_f["p50_ms"], 3),
        "added_p95_ms": round(now_f["p95_ms"] - before_f["p95_ms"], 3),
    }


def summary(answered: list[Answered], old: ModuleType) -> dict[str, Any]:
    checked = sum(a.checked for a in answered)
    before = [checks_before(old, a) for a in answered]
    claims_supported = [g.score for g, _ in before]
    tokens = sorted(a.completion_tokens for a in answered)
    return {
        "answers": len(answered),
        "cut_off": sum(a.truncation is not None for a in answered),
        "answer_tokens_p50": percentile(tokens, 0.5) if tokens else None,
        "answer_tokens_max": tokens[-1] if tokens else None,
        "would_be_cut_at_256": sum(t >= OLD_LIMIT for t in tokens),
        "supported_share_now": round(sum(a.supported for a in answered) / checked, 3)
        if checked
        else None,
        "sentences_checked": checked,
        "cited_by_model": sum(bool(a.cited) for a in answered),
        "margin_matches_only": sum(not a.cited and bool(a.attributed) for a in answered),
        "neither": sum(not a.cited and not a.attributed for a in answered),
        "before_groundedness_mean": round(sum(claims_supported) / len(claims_supported), 3)
        if claims_supported
        else None,
        "before_answers_margin_wrote_markers_into": sum(
            bool(attributed and attributed.cited) for _, attributed in before
        ),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=0, help="first N golden questions")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--before", default="main", help="git revision to compare with")
    parser.add_argument("--with-cap", action="store_true", help="also run with max_tokens 256")
    parser.add_argument(
        "--max-tokens", type=int, default=0, help="ask.max_tokens of the default run (0: none)"
    )
    args = parser.parse_args(argv)

    from assistant.config import parse_config
    from assistant.core import build_assistant
    from assistant.locations import resolve_locations
    from ingest.embedder import load_bundled_embedder

    questions = golden_questions()[: args.questions or None]
    old = old_checks(args.before)
    embedder = load_bundled_embedder()
    model = recording_llama()
    with margin_home("support"):
        locations = resolve_locations().ensure()
        builder = build_assistant(locations=locations, embedder=embedder)
        builder.ingest([DOCS])
        builder.close()
        label = f"max_tokens_{args.max_tokens}" if args.max_tokens else "default"
        runs = [(label, f"[ask]\nmax_tokens = {args.max_tokens}\n")]
        if args.with_cap:
            runs.insert(0, ("max_tokens_256", f"[ask]\nmax_tokens = {OLD_LIMIT}\n"))
        for label, text in runs:
            config = parse_config(text, locations.config_file)
            assistant = build_assistant(
                locations=locations, config=config, embedder=embedder, models={"local": model}
            )
            note(f"{BENCH}: {label}, {len(questions)} questions")
            answered = answer_all(assistant, model, questions)
            emit(
                BENCH,
                case=label,
                questions=len(questions),
                **summary(answered, old),
                overhead=timing(answered, old, args.repeats),
            )
            assistant.close()


if __name__ == "__main__":
    main()
