"""Ask overhead (everything but the model) and time to first token, margin vs bare llama.cpp.

    .venv/bin/python -m bench.ask_overhead [--repeats 3] [--first-token 5]

Overhead: `build_assistant` over margin's docs/ with the real embedder and store and a
scripted chat model; per question, the wall time of `Assistant.ask(...).complete()` minus the
model's generate time (so retrieval, guardrails, prompt, output checks and the log write
count). p50/p95 over the golden questions, median of the repeats, with the bare
`embed_query` alongside (the largest part).

First token: the bundled SmolLM2 through `Assistant.ask` (time from the call to the first
streamed text, and the model's own ttft), against a bare `llama_cpp.Llama` streaming call
on the very messages margin sent. bench/model_latency.py covers the model in more depth.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence
from functools import partial
from typing import Any

from bench import DOCS, emit, golden_questions, latency_ms, margin_home, median, note, timed

BENCH = "ask_overhead"
REPLY = "The documents answer this [1]."


def overhead(assistant: Any, questions: list[str], repeats: int) -> dict[str, Any]:
    from assistant.ask.types import AskOptions

    passes, stages = [], []
    for _ in range(repeats):
        samples = []
        for question in questions:
            answer, wall_s = timed(assistant.ask(question, AskOptions(use_cache=False)).complete)
            samples.append(wall_s - answer.latency_ms.get("generate", 0.0) / 1000)
            stages.append(answer.latency_ms)
        passes.append(latency_ms(samples))
    figures: dict[str, Any] = {
        name: round(median([p[name] for p in passes]), 2) for name in passes[0]
    }
    names = sorted({name for stage in stages for name in stage} - {"ttft", "generate", "total"})
    figures["stage_p50_ms"] = {
        name: round(median([s.get(name, 0.0) for s in stages]), 2) for name in names
    }
    return figures


def recording_llama() -> Any:
    """The bundled model as margin runs it, keeping the messages of its latest call."""
    from models.bundled import bundled_gguf_path
    from models.llama_cpp import LlamaCppModel

    class RecordingLlamaCppModel(LlamaCppModel):
        last_messages: Sequence[Any] = ()

        def stream(self, messages: Any, options: Any = None) -> Any:
            self.last_messages = list(messages)
            return super().stream(messages, options)

    return RecordingLlamaCppModel("local", bundled_gguf_path(), threads=os.cpu_count() or 1)


def first_token(assistant: Any, model: Any, question: str) -> tuple[float, float, list[Any]]:
    """Seconds from `ask` to the first text, the model's ttft, and the messages it was sent.
    The model is made to answer (`mode="generate"`): under the default `auto`, the bundled
    model's direct questions are quoted, and no model call would be timed."""
    from assistant.ask.types import AskOptions, TextDelta

    started = time.perf_counter()
    run = assistant.ask(question, AskOptions(use_cache=False, mode="generate"))
    first = None
    for event in run:
        if first is None and isinstance(event, TextDelta):
            first = time.perf_counter() - started
            run.cancel()
    answer = run.answer
    assert first is not None and answer is not None, f"no text for {question!r}"
    return first, answer.latency_ms.get("ttft", float("nan")) / 1000, list(model.last_messages)


def bare_first_token(llama: Any, messages: list[Any]) -> float:
    started = time.perf_counter()
    stream = llama.create_chat_completion(
        [{"role": m.role, "content": m.content} for m in messages],
        max_tokens=8,
        temperature=0.0,
        stream=True,
    )
    try:
        for chunk in stream:
            if chunk["choices"][0]["delta"].get("content"):
                return time.perf_counter() - started
    finally:
        stream.close()
    return float("nan")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--first-token", type=int, default=3, help="questions for the TTFT run")
    args = parser.parse_args(argv)

    from assistant.core import build_assistant
    from ingest.embedder import load_bundled_embedder
    from models.fake import ScriptedModel

    questions = golden_questions()
    embedder = load_bundled_embedder()
    with margin_home("ask"):
        scripted = build_assistant(
            embedder=embedder, models={"local": ScriptedModel([REPLY], profile="local")}
        )
        scripted.ingest([DOCS])
        scripted.warm_up()
        for question in questions:  # a warm pass: first calls on new input sizes run slow
            scripted.search(question)
        note(f"{BENCH}: overhead over {len(questions)} questions x {args.repeats}")
        embed = latency_ms([timed(partial(embedder.embed_query, q))[1] for q in questions])
        emit(
            BENCH,
            case="overhead_scripted_model",
            questions=len(questions),
            repeats=args.repeats,
            margin_overhead=overhead(scripted, questions, args.repeats),
            bare_embed_query=embed,
        )
        scripted.close()

        note(f"{BENCH}: first token, bundled model vs bare llama.cpp")
        from llama_cpp import Llama

        local = recording_llama()
        assistant = build_assistant(embedder=embedder, models={"local": local})
        assistant.warm_up()
        bare = Llama(
            model_path=str(local.path),
            n_ctx=local.context_tokens,
            n_threads=local.threads,
            n_threads_batch=local.threads,
            verbose=False,
        )
        ask_first, model_ttft, bare_ttft = [], [], []
        for question in questions[: args.first_token]:
            first, ttft, messages = first_token(assistant, local, question)
            ask_first.append(first)
            model_ttft.append(ttft)
            bare_ttft.append(bare_first_token(bare, messages))
        emit(
            BENCH,
            case="first_token_bundled_model",
            questions=len(ask_first),
            margin_ask_to_first_text_s=round(median(ask_first), 3),
            margin_model_ttft_s=round(median(model_ttft), 3),
            bare_llama_ttft_same_messages_s=round(median(bare_ttft), 3),
            ratio_margin_ask_over_bare=round(median(ask_first) / median(bare_ttft), 3),
            runs_margin_s=[round(v, 3) for v in ask_first],
            runs_bare_s=[round(v, 3) for v in bare_ttft],
        )
        bare.close()
        assistant.close()


if __name__ == "__main__":
    main()
