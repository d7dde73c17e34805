"""How much text a gzip file holds, told by its trailer without unpacking it: what reading
it costs (progress counts it), and how far the loader reads one (a gzip bomb stops there)."""

from __future__ import annotations

from pathlib import Path

MAX_UNPACKED_BYTES = 64 * 1024 * 1024
_GZIP_SMALLEST = 18  # a 10-byte header and an 8-byte trailer
GZIP_MAGIC = b"\x1f\x8b"
GZIP_SUFFIX = ".gz"


def unpacked_size(path: Path, size: int) -> int | None:
    """What a gzip file expands to, from its trailer (the last member's size, modulo 4 GiB),
    at most the limit it is read up to; None when it is not a gzip file, or the trailer
    cannot tell: it cannot be read, or it says less than the file (several members, or more
    than 4 GiB). Reading fails later with its own message."""
    if not path.name.lower().endswith(GZIP_SUFFIX) or size < _GZIP_SMALLEST:
        return None
    try:
        with path.open("rb") as handle:
            if handle.read(len(GZIP_MAGIC)) != GZIP_MAGIC:
                return None
            handle.seek(-4, 2)
            unpacked = int.from_bytes(handle.read(4), "little")
    except OSError:
        return None
    return min(unpacked, MAX_UNPACKED_BYTES + 1) if unpacked >= size else None
