"""The bundled GGUF through llama-cpp-python, in process (one model loaded per session)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from models.base import GenerationOptions, Message
from models.errors import ContextOverflowError, ModelLoadError
from models.llama_cpp import LlamaCppModel
from models.runtime_plan import Machine, probe_machine

pytestmark = pytest.mark.slow

SYSTEM = Message(
    "system",
    "You are margin, an assistant that answers questions from the person's own notes. "
    "Answer in one or two sentences, in plain English, and cite sources by number. "
    "If the sources do not hold the answer, say so instead of guessing.",
)
STORY = [SYSTEM, Message("user", "Write a long story about a dragon who learns to read.")]
GREEDY = GenerationOptions(max_tokens=48, temperature=0.0)


def test_uses_every_physical_core_and_the_configured_context(bundled_gguf: Path) -> None:
    model = LlamaCppModel("local", bundled_gguf, context=4096)
    llama = model.llama
    cores = probe_machine().physical_cores
    assert llama.n_ctx() == 4096
    assert llama.context_params.n_threads == llama.context_params.n_threads_batch == cores
    assert model.template_plan.fixes == ()  # SmolLM2's template takes margin's prompt as is
    model.close()


def test_streams_deltas_with_exact_usage(local_model: LlamaCppModel) -> None:
    stream = local_model.stream(STORY, GREEDY)
    deltas = list(stream)
    completion = stream.completion
    assert completion is not None
    assert len(deltas) > 5
    assert "".join(deltas) == completion.text
    assert completion.ttft_s is not None and completion.ttft_s <= completion.total_s
    assert completion.cost_usd == 0.0
    assert completion.usage.estimated is False

    # llama-cpp-python's own (non-streaming) chat path counts the same prompt and answer length.
    bare: Any = local_model.llama.create_chat_completion(
        [{"role": m.role, "content": m.content} for m in STORY],
        max_tokens=GREEDY.max_tokens,
        temperature=0.0,
        repeat_penalty=1.1,
    )
    assert completion.usage.prompt_tokens == bare["usage"]["prompt_tokens"]
    assert completion.usage.completion_tokens == bare["usage"]["completion_tokens"] == 48
    assert completion.finish_reason == bare["choices"][0]["finish_reason"] == "length"
    assert local_model.count_message_tokens(STORY) == completion.usage.prompt_tokens


def test_stop_sequence_ends_the_answer_before_it(local_model: LlamaCppModel) -> None:
    full = local_model.stream(STORY, GREEDY).complete().text
    stop = " ".join(full.split()[3:5])  # a pair of words from the middle of the answer
    assert stop and stop in full
    stopped = local_model.stream(
        STORY, GenerationOptions(max_tokens=48, temperature=0.0, stop=(stop,))
    ).complete()
    assert stopped.text == full[: full.index(stop)]
    assert stopped.finish_reason == "stop"


def test_cancel_from_another_thread_stops_promptly(local_model: LlamaCppModel) -> None:
    options = GenerationOptions(max_tokens=96, temperature=0.0)
    uncancelled = local_model.stream(STORY, options).complete()
    assert uncancelled.usage.completion_tokens == 96  # the control: it would run to the end

    stream = local_model.stream(STORY, options)
    first_delta = threading.Event()
    deltas: list[str] = []

    def consume() -> None:
        for delta in stream:
            deltas.append(delta)
            first_delta.set()

    consumer = threading.Thread(target=consume)
    consumer.start()
    assert first_delta.wait(60)
    stream.cancel()
    consumer.join(60)
    completion = stream.completion
    assert completion is not None
    assert completion.finish_reason == "cancelled"
    assert completion.usage.completion_tokens < 24
    assert "".join(deltas) == completion.text


def test_same_system_prompt_reuses_the_cached_prefix(
    local_model: LlamaCppModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    llama = local_model.llama
    evaluated: list[int] = []
    real_eval = llama.eval

    def counting_eval(tokens: Any) -> None:
        evaluated.append(len(tokens))
        real_eval(tokens)

    monkeypatch.setattr(llama, "eval", counting_eval)
    once = GenerationOptions(max_tokens=1, temperature=0.0)

    def prompt_evaluated(messages: list[Message]) -> tuple[int, int]:
        evaluated.clear()
        local_model.stream(messages, once).complete()
        return evaluated[0], local_model.count_message_tokens(messages)

    first = [SYSTEM, Message("user", "Where did I put the notes on tides?")]
    second = [SYSTEM, Message("user", "Which paper mentions lunar cycles?")]
    other_system = [Message("system", "Talk like a pirate."), second[1]]

    prompt_evaluated(first)
    reused, total = prompt_evaluated(second)
    system_only = local_model.count_message_tokens([SYSTEM]) - 3  # minus "assistant" opener
    assert reused <= total - system_only  # the system turn came from the KV cache
    fresh, fresh_total = prompt_evaluated(other_system)
    assert fresh >= fresh_total - 3  # only "<|im_start|>system\n" can be shared


def test_two_threads_take_turns(local_model: LlamaCppModel) -> None:
    options = GenerationOptions(max_tokens=12, temperature=0.0)
    expected = local_model.stream(STORY, options).complete().text
    results: list[str] = []

    def ask() -> None:
        results.append(local_model.stream(STORY, options).complete().text)

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results == [expected, expected]


def test_prompt_longer_than_the_context_is_a_clear_error(bundled_gguf: Path) -> None:
    small = LlamaCppModel("tiny", bundled_gguf, context=64)
    with pytest.raises(ContextOverflowError, match=r"raise `context` in \[models.tiny\]"):
        small.stream([Message("user", "word " * 200)]).complete()
    small.close()


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.gguf"
    with pytest.raises(ModelLoadError, match="Model file not found: " + str(path)):
        LlamaCppModel("mine", path).stream([Message("user", "hi")]).complete()


def test_not_a_gguf_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "notes.gguf"
    path.write_text("just some text, not a model")
    with pytest.raises(ModelLoadError, match=f"{path} is not a GGUF model file"):
        LlamaCppModel("mine", path).count_tokens("hi")


@pytest.mark.parametrize(("cut", "reason"), [(4096, "header runs past"), (2, "its tensors need")])
def test_truncated_gguf_names_the_path(
    tmp_path: Path, bundled_gguf: Path, cut: int, reason: str
) -> None:
    path = tmp_path / "truncated.gguf"
    data = bundled_gguf.read_bytes()
    path.write_bytes(data[:cut] if cut > 100 else data[: len(data) // cut])
    with pytest.raises(ModelLoadError) as caught:
        LlamaCppModel("mine", path).count_tokens("hi")
    assert f"{path} is truncated: its" in str(caught.value) and reason in str(caught.value)
    assert "margin models info mine" in str(caught.value)


def test_context_is_lowered_to_the_trained_length_and_to_memory(bundled_gguf: Path) -> None:
    roomy = Machine(cpus=2, physical_cores=2, memory_available=16 * 2**30, gpu_offload=False)
    model = LlamaCppModel("big", bundled_gguf, context=32768, machine=lambda: roomy)
    assert model.context_tokens == 8192  # SmolLM2 was trained for 8k
    assert "the length the model was trained for" in model.runtime.notes[0]
    tight = Machine(cpus=2, physical_cores=2, memory_available=600 * 2**20, gpu_offload=False)
    squeezed = LlamaCppModel("small", bundled_gguf, context=8192, threads=1, machine=lambda: tight)
    # 3/4 of 600 MiB, less the 98 MB file and 256 MiB overhead, at 23,040 bytes a token
    assert squeezed.context_tokens == 4352  # 4,559 tokens, in steps of 256
    assert squeezed.llama.n_ctx() == 4352
    squeezed.close()


def test_a_failed_gpu_offload_falls_back_to_the_cpu(
    bundled_gguf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """This llama.cpp has no GPU backend: a Llama that refuses GPU layers stands in for a GPU
    without enough memory. margin asks for every layer on the GPU, then runs on the CPU."""
    import llama_cpp

    gpu = Machine(cpus=2, physical_cores=2, memory_available=None, gpu_offload=True)
    model = LlamaCppModel("gpu", bundled_gguf, context=512, threads=1, machine=lambda: gpu)
    assert model.runtime.gpu_layers == -1
    calls: list[int] = []
    real = llama_cpp.Llama

    def no_gpu_memory(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["n_gpu_layers"])
        if kwargs["n_gpu_layers"]:
            raise ValueError("Failed to load model from file (out of GPU memory)")
        return real(*args, **kwargs)

    monkeypatch.setattr(llama_cpp, "Llama", no_gpu_memory)
    assert model.count_tokens("hello") > 0
    assert calls == [-1, 0]
    assert model.runtime.gpu_layers == 0 and "GPU offload failed" in model.runtime.notes[-1]
    model.close()


QUIET_RUN = """
import sys
from models.base import GenerationOptions, Message
from models.bundled import bundled_gguf_path
from models.llama_cpp import LlamaCppModel
from models.runtime_plan import Machine, probe_machine
model = LlamaCppModel(
    "local", bundled_gguf_path(), context=512, threads=1, verbose=sys.argv[1] == "1"
)
print(model.stream([Message("user", "Hi")], GenerationOptions(max_tokens=4)).complete().text)
"""


@pytest.mark.parametrize("verbose", [False, True])
def test_llama_cpp_chatter_only_when_verbose(verbose: bool) -> None:
    run = subprocess.run(
        [sys.executable, "-c", QUIET_RUN, "1" if verbose else "0"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip()
    assert ("llama" in run.stderr) is verbose, run.stderr[-2000:]
