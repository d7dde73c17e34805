"""Free heap pages go back to the system, measured on this process's own resident size."""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path

import pytest

from ingest.heap import release_free_memory

BLOCK = 100_000  # below glibc's mmap threshold: these come from the heap
BLOCKS = 800


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's heap")
def test_free_pages_in_the_middle_of_the_heap_go_back_to_the_system() -> None:
    libc = ctypes.CDLL(None)
    libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    blocks = [libc.malloc(BLOCK) for _ in range(BLOCKS)]
    for block in blocks:
        ctypes.memset(block, 1, BLOCK)
    above = libc.malloc(BLOCK)  # still in use above them: free() cannot shrink the heap
    ctypes.memset(above, 1, BLOCK)
    for block in blocks:
        libc.free(block)
    held = resident_mb()
    try:
        assert release_free_memory()
        returned = held - resident_mb()
    finally:
        libc.free(above)
    assert returned >= 0.5 * BLOCK * BLOCKS / 2**20, returned  # of 76 MB freed
