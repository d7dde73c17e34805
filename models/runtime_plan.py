"""How to run a GGUF model on this machine: context size, threads and GPU layers.

- Threads: the physical cores this process may use (CPU affinity, a cgroup CPU quota);
  llama.cpp's own default, because a second hyper-thread on a core slows generation down.
  A `threads` set in config.toml wins.
- Context: the configured `context` (4096 unless set), lowered to the model's trained length
  (a longer context than the model was trained for only produces noise) and to what memory
  holds: the weights plus an f16 KV cache must fit in 3/4 of the memory available now.
- GPU: every layer is offloaded when llama.cpp was built with a GPU backend (CUDA, Metal,
  Vulkan...); a CPU-only build keeps them on the CPU.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from models.gguf_info import GGUFInfo

MEMORY_SHARE = 0.75  # of the memory available when the model loads
RUNTIME_OVERHEAD = 256 * 1024 * 1024  # llama.cpp's compute buffers and the process itself
MIN_CONTEXT = 1024  # below this no prompt with sources fits; let llama.cpp try
CONTEXT_STEP = 256
ALL_LAYERS = -1


@dataclass(frozen=True, slots=True)
class Machine:
    cpus: int  # logical CPUs this process may run on
    physical_cores: int  # distinct cores among them
    memory_available: int | None  # bytes; None when the system does not say
    gpu_offload: bool  # llama.cpp was built with a GPU backend


@dataclass(frozen=True, slots=True)
class RuntimePlan:
    context: int
    threads: int
    gpu_layers: int  # -1: all layers on the GPU; 0: CPU only
    notes: tuple[str, ...] = ()  # why, in words, for `margin models info` and --verbose


def plan_runtime(info: GGUFInfo, machine: Machine, *, context: int, threads: int) -> RuntimePlan:
    """The settings for `info` on `machine`; `context` is the most wanted, `threads` 0 = auto."""
    notes: list[str] = []
    chosen = context
    if info.context_length and chosen > info.context_length:
        notes.append(
            f"context {chosen} lowered to {info.context_length}, the length the model was "
            "trained for"
        )
        chosen = info.context_length
    gpu = machine.gpu_offload
    fits = _context_that_fits(info, machine, gpu)
    if fits is not None and fits < chosen:
        lowered = max(MIN_CONTEXT, fits)
        if lowered < chosen:
            notes.append(
                f"context {chosen} lowered to {lowered} to fit the memory available "
                f"({_gib(machine.memory_available)})"
            )
            chosen = lowered
    if machine.memory_available is not None and not gpu and info.size > machine.memory_available:
        notes.append(
            f"the model ({_gib(info.size)}) is larger than the memory available "
            f"({_gib(machine.memory_available)}): answers will be very slow"
        )
    if threads > 0:
        chosen_threads = threads
        notes.append(f"{threads} threads, as configured")
    else:
        chosen_threads = max(1, min(machine.physical_cores, machine.cpus))
        notes.append(f"{chosen_threads} threads: one per physical core available")
    notes.append("all layers on the GPU" if gpu else "CPU only (llama.cpp has no GPU backend)")
    return RuntimePlan(chosen, chosen_threads, ALL_LAYERS if gpu else 0, tuple(notes))


def _context_that_fits(info: GGUFInfo, machine: Machine, gpu: bool) -> int | None:
    per_token = info.kv_bytes_per_token
    if machine.memory_available is None or not per_token:
        return None
    weights = 0 if gpu else info.size
    room = machine.memory_available * MEMORY_SHARE - weights - RUNTIME_OVERHEAD
    return max(0, int(room // per_token) // CONTEXT_STEP * CONTEXT_STEP)


def _gib(size: int | None) -> str:
    return "unknown" if size is None else f"{size / 2**30:.1f} GiB"


# -- the machine -------------------------------------------------------------------------


def probe_machine(*, gpu_offload: bool | None = None) -> Machine:
    """This machine as llama.cpp will see it; `gpu_offload` None asks llama.cpp."""
    cpus = _usable_cpus()
    return Machine(
        cpus=len(cpus) if cpus else os.cpu_count() or 1,
        physical_cores=_physical_cores(cpus),
        memory_available=_memory_available(),
        gpu_offload=llama_supports_gpu() if gpu_offload is None else gpu_offload,
    )


def llama_supports_gpu() -> bool:
    try:
        import llama_cpp
    except ImportError:
        return False
    return bool(llama_cpp.llama_supports_gpu_offload())


def _usable_cpus() -> list[int]:
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return list(range(os.cpu_count() or 1))
    quota = _cgroup_cpu_quota()
    return cpus[:quota] if quota is not None else cpus


def _cgroup_cpu_quota() -> int | None:
    """CPUs a cgroup v2 quota allows (`cpu.max` "150000 100000" -> 2), None when unlimited."""
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        return max(1, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError):
        return None


def _physical_cores(cpus: list[int]) -> int:
    """Distinct (package, core) pairs among `cpus`, from sysfs; the CPU count if unknown."""
    cores = set()
    for cpu in cpus:
        topology = Path(f"/sys/devices/system/cpu/cpu{cpu}/topology")
        try:
            package = (topology / "physical_package_id").read_text().strip()
            core = (topology / "core_id").read_text().strip()
        except OSError:
            return len(cpus) or os.cpu_count() or 1
        cores.add((package, core))
    return len(cores) or os.cpu_count() or 1


def _memory_available() -> int | None:
    """MemAvailable, capped by a cgroup v2 memory limit; None when neither is known."""
    available: int | None = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                available = int(line.split()[1]) * 1024
                break
    except (OSError, ValueError):
        available = _sysconf_available()
    limit = _cgroup_memory_room()
    if limit is not None:
        available = limit if available is None else min(available, limit)
    return available


def _sysconf_available() -> int | None:
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _cgroup_memory_room() -> int | None:
    root = Path("/sys/fs/cgroup")
    try:
        limit = (root / "memory.max").read_text().strip()
        if limit == "max":
            return None
        return max(0, int(limit) - int((root / "memory.current").read_text().strip()))
    except (OSError, ValueError):
        return None
