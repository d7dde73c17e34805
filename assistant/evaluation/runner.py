"""Run a golden set through an assistant: ranked sources from `search`, answers from `ask`.

Each question becomes one plain record (the form `eval --json` prints); the run's
aggregates are then computed from those records alone (see `summary.summarize`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from assistant.ask.types import Answer, Answering, AskOptions
from assistant.errors import MarginError
from assistant.evaluation import metrics as m
from assistant.evaluation.golden import GoldenQuestion, GoldenSet
from assistant.evaluation.summary import summarize

RetrievalMode = Literal["hybrid", "vector", "text"]
RETRIEVAL_MODES: tuple[RetrievalMode, ...] = ("hybrid", "vector", "text")
RANKING_DEPTH = 10  # MRR@10 and nDCG@10 need ten ranked documents


@dataclass(slots=True)
class EvalRun:
    setup: dict[str, Any]
    questions: list[dict[str, Any]]
    metrics: dict[str, float | int | None]
    started_at: str
    seconds: float
    run_id: int | None = None
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "started_at": self.started_at,
            "seconds": round(self.seconds, 3),
            "setup": self.setup,
            "metrics": self.metrics,
            "questions": self.questions,
        }


Progress = Callable[[int, int, dict[str, Any]], None]


def run_eval(
    assistant: Answering,
    golden: GoldenSet,
    *,
    retrieval_only: bool = False,
    model: str | None = None,
    k: int = 6,
    ask_k: int | None = None,
    retrieval_mode: RetrievalMode = "hybrid",
    setup: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> EvalRun:
    """Ask every question; `setup` (model, embedder, chunking, corpus) is stored with the run.

    `k` is the depth of recall@k over the search ranking; `ask_k` is how many sources the
    model is given (None: the assistant's own default). Timings are warm: one untimed search
    runs first. Load the chat model beforehand (for example `Assistant.warm_up`) for the same
    reason when answers are scored.

    The assistant is expected to retrieve in `retrieval_mode` already; the mode is recorded.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    began = time.monotonic()
    # One untimed search first, so loading the embedder and opening the store are not
    # counted in the first question's latency.
    assistant.search(golden.questions[0].question, k=1)
    records: list[dict[str, Any]] = []
    total = len(golden.questions)
    for index, question in enumerate(golden.questions, start=1):
        record = _run_question(assistant, question, retrieval_only, model, k, ask_k)
        records.append(record)
        if progress is not None:
            progress(index, total, record)
    described = {
        "golden": str(golden.path),
        "retrieval_only": retrieval_only,
        "retrieval_mode": retrieval_mode,
        "k": k,
        "ask_k": ask_k,
        "model": model,
        **(setup or {}),
    }
    return EvalRun(
        setup=described,
        questions=records,
        metrics=summarize(records),
        started_at=started_at,
        seconds=time.monotonic() - began,
    )


def _run_question(
    assistant: Answering,
    question: GoldenQuestion,
    retrieval_only: bool,
    model: str | None,
    k: int,
    ask_k: int | None,
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "line": question.line,
        "question": question.question,
        "answerable": question.answerable,
        "expected_sources": list(question.expected_sources),
        "expected_answer": question.expected_answer,
        "ranked_sources": [],
        "answer": None,
        "refused": None,
        "refusal_reason": None,
        "interaction_id": None,
        "model": None,
        "metrics": {},
        "latency_ms": {},
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "cost_usd": 0.0},
        "error": None,
    }
    try:
        began = time.monotonic()
        found = assistant.search(question.question, k=max(k, RANKING_DEPTH))
        record["latency_ms"]["search"] = (time.monotonic() - began) * 1000
        ranked = m.distinct(s.path for s in found)
        record["ranked_sources"] = ranked
        record["metrics"].update(retrieval_metrics(ranked, question, k))
        if not retrieval_only:
            answer = _ask(assistant, question.question, model, ask_k)
            _record_answer(record, answer, question)
    except MarginError as exc:
        record["error"] = str(exc)
    return record


def retrieval_metrics(
    ranked: Sequence[str], question: GoldenQuestion, k: int
) -> dict[str, float | None]:
    """Document-level metrics; None for an unanswerable question (nothing is relevant)."""
    relevant = set(question.expected_sources)
    if not relevant:
        return {name: None for name in ("hit@1", "hit@5", "recall@k", "mrr@10", "ndcg@10")}
    return {
        "hit@1": m.hit_at(ranked, relevant, 1),
        "hit@5": m.hit_at(ranked, relevant, 5),
        "recall@k": m.recall_at(ranked, relevant, k),
        "mrr@10": m.reciprocal_rank_at(ranked, relevant, 10),
        "ndcg@10": m.ndcg_at(ranked, relevant, 10),
    }


def answer_metrics(answer: Answer, question: GoldenQuestion) -> dict[str, float | None]:
    """Match with the expected answer, groundedness, citation validity, refusal correctness."""
    expected = question.expected_answer
    text = "" if answer.refused else answer.answer  # a refusal matches no expected answer
    generated = not answer.refused and answer.mode in ("model", "quote")
    invalid_citation = any(e.kind == "citation.invalid" for e in answer.guardrails)
    return {
        "containment": m.contains(text, expected) if expected else None,
        "token_f1": m.token_f1(text, expected) if expected else None,
        "groundedness": answer.groundedness if generated else None,
        "citation_validity": (0.0 if invalid_citation else 1.0) if generated else None,
        "refusal_correct": m.refusal_correct(answer.refused, question.answerable),
    }


def _ask(assistant: Answering, question: str, model: str | None, k: int | None) -> Answer:
    # Cached answers would hide the model's real latency and cost: every question is asked anew.
    run = assistant.ask(question, AskOptions(model=model, k=k, use_cache=False))
    try:
        for _ in run:
            pass
    finally:
        run.close()
    if run.answer is None:
        raise MarginError("the assistant finished without an answer")
    return run.answer


def _record_answer(record: dict[str, Any], answer: Answer, question: GoldenQuestion) -> None:
    record["answer"] = answer.answer
    record["refused"] = answer.refused
    record["refusal_reason"] = answer.refusal_reason
    record["interaction_id"] = answer.interaction_id
    record["model"] = answer.model_id or answer.model
    record["cached"] = answer.cached
    record["guardrails"] = sorted({e.kind for e in answer.guardrails})
    record["metrics"].update(answer_metrics(answer, question))
    record["latency_ms"].update({f"ask.{stage}": ms for stage, ms in answer.latency_ms.items()})
    record["usage"] = {
        "prompt_tokens": answer.usage.prompt_tokens,
        "completion_tokens": answer.usage.completion_tokens,
        "cost_usd": answer.usage.cost_usd,
    }
