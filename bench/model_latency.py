"""Latency of the bundled model through margin, and against a bare `llama_cpp.Llama` call.

    .venv/bin/python -m bench.model_latency [--threads N] [--runs N]

Prints one JSON object per line (medians of --runs runs, each run's figure alongside) and
asserts nothing about time. Figures: load time, prompt-processing and generation tokens/s, time
to first token for a ~1,000-token prompt with and without the cached system-prompt prefix, and
margin's time to first token over the bare call's on the same prompts.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from models.base import GenerationOptions, Message
from models.bundled import bundled_gguf_path
from models.llama_cpp import LlamaCppModel

FIRST_TOKEN = GenerationOptions(max_tokens=4, temperature=0.0)
QUESTIONS = [
    "Which note explains how keys are stored?",
    "What does the retry budget bound?",
    "Where is the interaction log kept?",
    "How are sources numbered in answers?",
    "What happens when the keyring is missing?",
    "Which model is bundled for offline use?",
    "How is the cost of a request computed?",
]


def system_prompt(run: str, paragraphs: int = 24) -> str:
    """About 900 tokens of instructions and numbered sources; `run` makes its start unique."""
    sources = "\n".join(
        f"[{n}] Note {n} ({run}): margin keeps the answer grounded in the person's own files; "
        f"chunk {n} describes ingestion, retrieval, and the guardrails around stage {n}."
        for n in range(1, paragraphs + 1)
    )
    return f"{run}. You are margin. Answer only from these numbered sources.\n{sources}"


def emit(metric: str, runs: list[float], **extra: Any) -> None:
    figure = {"metric": metric, "median": round(statistics.median(runs), 4)}
    print(json.dumps({**figure, "runs": [round(r, 4) for r in runs], **extra}), flush=True)


def margin_ttft(model: LlamaCppModel, messages: list[Message]) -> float:
    completion = model.stream(messages, FIRST_TOKEN).complete()
    assert completion.ttft_s is not None
    return completion.ttft_s


def bare_ttft(llama: Any, messages: list[Message]) -> float:
    started = time.monotonic()
    chunks = llama.create_chat_completion(
        [{"role": m.role, "content": m.content} for m in messages],
        max_tokens=FIRST_TOKEN.max_tokens,
        temperature=0.0,
        repeat_penalty=1.1,
        stream=True,
    )
    try:
        for chunk in chunks:
            if chunk["choices"][0]["delta"].get("content"):
                return time.monotonic() - started
    finally:
        chunks.close()
    raise RuntimeError("the bare call produced no text")


def timed(action: Callable[[], object]) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=0, help="0 = all cores (margin's default)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    path = bundled_gguf_path()
    threads = args.threads or os.cpu_count() or 1
    context = {"threads": threads, "cpus": os.cpu_count(), "loadavg_1m": os.getloadavg()[0]}

    loads = []
    for _ in range(args.runs):
        probe = LlamaCppModel("local", path, threads=threads)
        loads.append(timed(lambda m=probe: m.llama))  # type: ignore[misc]
        probe.close()
    emit("load_s", loads, **context)

    from llama_cpp import Llama

    model = LlamaCppModel("local", path, threads=threads)
    bare = Llama(
        model_path=str(path), n_ctx=4096, n_threads=threads, n_threads_batch=threads, verbose=False
    )
    cold_margin, cold_bare, ratios, prep, prompt_tokens = [], [], [], [], 0
    for run in range(args.runs):  # a new system prompt each run: nothing cached but its opener
        messages = {
            label: [
                Message("system", system_prompt(f"Run {run} {label}")),
                Message("user", QUESTIONS[run % len(QUESTIONS)]),
            ]
            for label in ("margin", "bare")
        }
        prompt_tokens = model.count_message_tokens(messages["margin"])
        prep.append(timed(lambda m=messages["margin"]: model.prompt_tokens(m)))  # type: ignore[misc]
        pair = {}
        for label in ("margin", "bare") if run % 2 == 0 else ("bare", "margin"):
            if label == "margin":
                pair[label] = margin_ttft(model, messages[label])
            else:
                pair[label] = bare_ttft(bare, messages[label])
        cold_margin.append(pair["margin"])
        cold_bare.append(pair["bare"])
        ratios.append(pair["margin"] / pair["bare"])
    emit("ttft_cold_s", cold_margin, prompt_tokens=prompt_tokens, **context)
    emit("ttft_cold_bare_llama_s", cold_bare, prompt_tokens=prompt_tokens, **context)
    emit("ttft_ratio_margin_over_bare", ratios, pairing="adjacent runs, order alternated")
    emit("margin_prompt_render_and_tokenize_s", prep, prompt_tokens=prompt_tokens)
    emit("prompt_tokens_per_s", [prompt_tokens / t for t in cold_margin], **context)

    shared = Message("system", system_prompt("Shared"))
    margin_ttft(model, [shared, Message("user", "Warm up the cache.")])
    warm = [
        margin_ttft(model, [shared, Message("user", QUESTIONS[run % len(QUESTIONS)])])
        for run in range(args.runs)
    ]
    emit("ttft_cached_prefix_s", warm, prompt_tokens=prompt_tokens, **context)

    rates = []
    for run in range(args.runs):
        story = [Message("user", f"Write a long story about dragon number {run}.")]
        done = model.stream(story, GenerationOptions(max_tokens=128, temperature=0.0)).complete()
        assert done.ttft_s is not None
        rates.append((done.usage.completion_tokens - 1) / (done.total_s - done.ttft_s))
    emit("generation_tokens_per_s", rates, **context)
    bare.close()
    model.close()


if __name__ == "__main__":
    main()
