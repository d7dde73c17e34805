"""What a file really is, from its first bytes: for messages about misnamed files."""

from __future__ import annotations

from pathlib import Path

from ingest.errors import LoadError, NotADocumentError
from ingest.gzip_size import GZIP_MAGIC

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: legacy Office, encrypted OOXML

_KINDS = (
    (b"%PDF-", "a PDF"),
    (GZIP_MAGIC, "gzip-compressed data"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"{\\rtf", "an RTF document"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (OLE_MAGIC, "a Microsoft Office 97-2003 file"),
    (ZIP_MAGIC[0], "a zip archive"),
)


def read_head(path: Path, size: int = 4096) -> bytes:
    """The first bytes of the file; an empty file is not a document."""
    try:
        with path.open("rb") as handle:
            head = handle.read(size)
    except OSError as exc:
        raise LoadError(f"cannot be read: {exc.strerror or exc}") from exc
    if not head:
        raise NotADocumentError("empty file")
    return head


def describe(head: bytes) -> str:
    """A short name for the kind of data `head` starts, e.g. "a PDF" or "text"."""
    for magic, kind in _KINDS:
        if head.startswith(magic):
            return kind
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<"):
        return "HTML or XML text"
    if b"\x00" not in head[:1024]:
        return "text"
    return "data of an unknown kind"
