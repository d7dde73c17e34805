"""Context size, threads and GPU layers chosen from the GGUF header and the machine."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from models.gguf_info import GGUFInfo, read_gguf_info
from models.runtime_plan import MIN_CONTEXT, Machine, plan_runtime, probe_machine

GIB = 2**30


@pytest.fixture(scope="module")
def smol(bundled_gguf: Path) -> GGUFInfo:
    return read_gguf_info(bundled_gguf)


def machine(memory: int | None = 16 * GIB, *, cores: int = 4, cpus: int = 8) -> Machine:
    return Machine(cpus=cpus, physical_cores=cores, memory_available=memory, gpu_offload=False)


def test_a_roomy_machine_gets_the_configured_context_and_a_thread_per_core(
    smol: GGUFInfo,
) -> None:
    plan = plan_runtime(smol, machine(), context=4096, threads=0)
    assert (plan.context, plan.threads, plan.gpu_layers) == (4096, 4, 0)
    assert "one per physical core" in plan.notes[0]


def test_the_context_never_passes_the_trained_length(smol: GGUFInfo) -> None:
    plan = plan_runtime(smol, machine(), context=65536, threads=0)
    assert plan.context == 8192 and "trained for" in plan.notes[0]


def test_a_large_model_on_a_small_machine_gets_a_smaller_context(smol: GGUFInfo) -> None:
    eight_b = replace(smol, size=4_900_000_000, block_count=32, embedding_length=4096,
                      head_count=32, head_count_kv=8, context_length=131072)  # fmt: skip
    assert eight_b.kv_bytes_per_token == 131072  # 128 KiB a token, as Llama-3-8B
    plan = plan_runtime(eight_b, machine(8 * GIB), context=32768, threads=0)
    # 6 GiB usable, less 4.9 GB of weights and 256 MiB: 9,720 tokens, in steps of 256
    assert plan.context == 9472 and "to fit the memory available (8.0 GiB)" in plan.notes[0]
    starved = plan_runtime(eight_b, machine(4 * GIB), context=32768, threads=0)
    assert starved.context == MIN_CONTEXT
    assert any("larger than the memory available" in note for note in starved.notes)


def test_with_a_gpu_every_layer_is_offloaded_and_the_weights_leave_ram(smol: GGUFInfo) -> None:
    big = replace(smol, size=12 * GIB)
    gpu = replace(machine(4 * GIB), gpu_offload=True)
    plan = plan_runtime(big, gpu, context=4096, threads=0)
    assert (plan.gpu_layers, plan.context) == (-1, 4096)
    assert plan.notes[-1] == "all layers on the GPU"


def test_configured_threads_win_and_unknown_memory_changes_nothing(smol: GGUFInfo) -> None:
    plan = plan_runtime(smol, machine(None), context=4096, threads=3)
    assert (plan.context, plan.threads) == (4096, 3)
    assert plan_runtime(smol, machine(cores=8, cpus=2), context=4096, threads=0).threads == 2


def test_this_machine_is_probed_sensibly() -> None:
    found = probe_machine(gpu_offload=False)
    assert 1 <= found.physical_cores <= found.cpus <= (os.cpu_count() or 1)
    assert found.memory_available is not None and found.memory_available > 100 * 2**20
    assert probe_machine().gpu_offload is False  # this llama.cpp is a CPU build
