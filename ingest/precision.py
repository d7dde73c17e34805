"""What this CPU runs natively, and the bfloat16 autocast block for torch.

On x86 cores with AVX512-BF16 or AMX-BF16, MiniLM under `torch.autocast("cpu", bfloat16)`
encodes about 1.5-1.9x as fast as fp32, and its vectors keep a cosine similarity above
0.9999 to the fp32 ones, so an index keeps one model id whichever precision embedded it.
Cores without those instructions emulate bfloat16 at about a sixth of fp32's speed, so
`ingest.embed_backends` only tries bf16 where `cpu_supports_bf16()`.
"""

from __future__ import annotations

import functools
import platform
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

Precision = Literal["fp32", "bf16"]

BF16_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})
_X86 = frozenset({"x86_64", "amd64", "i686", "i386"})
CPUINFO = Path("/proc/cpuinfo")


def cpu_field(name: str, cpuinfo: Path = CPUINFO) -> str:
    """The value of `name` for the first CPU listed in `cpuinfo` ("" where it cannot be read)."""
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == name:
            return value.strip()
    return ""


def cpu_flags(cpuinfo: Path = CPUINFO) -> frozenset[str]:
    """The feature flags of the first CPU listed in `cpuinfo` (empty where it cannot be read)."""
    return frozenset(cpu_field("flags", cpuinfo).split())


def bf16_native(flags: frozenset[str], machine: str) -> bool:
    """True for x86 cores that run bfloat16 matrix work natively (AVX512-BF16 or AMX-BF16)."""
    return machine.lower() in _X86 and not BF16_FLAGS.isdisjoint(flags)


@functools.cache
def cpu_supports_bf16() -> bool:
    """`bf16_native` for this machine (read once)."""
    return bf16_native(cpu_flags(), platform.machine())


@contextmanager
def embedding_precision(precision: Precision) -> Iterator[None]:
    """Run the model calls inside the block at `precision`: bf16 CPU autocast, or plain fp32
    (autocast switched off, even inside an outer autocast block)."""
    import torch

    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
        yield
