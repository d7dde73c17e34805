"""Gzip-compressed files ("README.md.gz", as Debian ships its documentation): read as the
file inside, chosen by the name without ".gz"; a file that would expand past the limit (a
gzip bomb) is not read."""

from __future__ import annotations

from pathlib import Path

from ingest.errors import LoadError, NotADocumentError
from ingest.gzip_size import GZIP_SUFFIX, MAX_UNPACKED_BYTES
from ingest.loaders.nested import ReadNamed
from ingest.loaders.sniffing import GZIP_MAGIC, describe, read_head
from ingest.types import LoadedDocument

SUFFIXES = (GZIP_SUFFIX,)


def inner_name(path: Path) -> str:
    """The name of the file inside: "README.md" for "README.md.gz"."""
    return path.name[: -len(GZIP_SUFFIX)] if path.name.lower().endswith(GZIP_SUFFIX) else path.name


def load(path: Path, read: ReadNamed) -> LoadedDocument:
    head = read_head(path)
    if not head.startswith(GZIP_MAGIC):
        raise LoadError(f"not gzip-compressed: the file is {describe(head)}")
    loaded = read(inner_name(path), _decompress(path))
    if loaded is None:
        raise NotADocumentError(f"not a text format margin reads ({Path(inner_name(path)).suffix})")
    return loaded


def _decompress(path: Path) -> bytes:
    import gzip
    import zlib

    try:
        with gzip.open(path, "rb") as handle:
            data = handle.read(MAX_UNPACKED_BYTES + 1)
    except EOFError as exc:
        raise LoadError("truncated gzip file: it ends early; it may be an incomplete copy") from exc
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise LoadError(f"damaged gzip file: {exc}") from exc
    except OSError as exc:
        raise LoadError(f"cannot be read: {exc.strerror or exc}") from exc
    if len(data) > MAX_UNPACKED_BYTES:
        raise LoadError(
            f"gzip file expands past {MAX_UNPACKED_BYTES // (1024 * 1024)} MB "
            "(a gzip bomb?); not read"
        )
    return data
