"""Bytes to text: UTF-8 when it is, otherwise the encoding charset-normalizer detects."""

from __future__ import annotations

from pathlib import Path

from ingest.errors import LoadError, NotADocumentError

# Share of the text that may be control characters before it counts as binary.
_MAX_CONTROL_SHARE = 0.01
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v\x1f")  # and GNU Info's node separator
_WESTERN = ("cp1252", "latin_1", "iso8859_15")
_CHAOS_TOLERANCE = 0.1
# PostScript is a program that draws pages: its text is drawing commands and hex images, with
# the words in between cut at every change of font (gdb's 242 KB reference card: 1,133 chunks).
_POSTSCRIPT = b"%!PS"
# GNU Info marks an index node and an image with NULs: "\0\b[index\0\b]" is text, not binary.
_INFO_MARKERS = (b"\x00\x08[", b"\x00\x08]")


def read_text(path: Path) -> str:
    """The file's text, with newlines normalised; binary or undecodable files raise."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"cannot be read: {exc.strerror or exc}") from exc
    return decode(data)


def decode(data: bytes) -> str:
    if not data.strip():
        raise NotADocumentError("empty file")
    head = data[:65536]
    for marker in _INFO_MARKERS:
        head = head.replace(marker, b"")
    if b"\x00" in head and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise NotADocumentError("binary file (contains NUL bytes)")
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(_POSTSCRIPT):
        raise NotADocumentError(
            "PostScript, not text: convert it to PDF (ps2pdf FILE) to ingest it"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = _detected(data)
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise NotADocumentError("binary file (mostly control characters)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _detected(data: bytes) -> str:
    """Decode with the detected encoding, favouring Windows-1252 when it fits about as well.

    Short Western European texts fit several single-byte encodings equally well, and the
    detector's pick among them is arbitrary; Windows-1252 (a superset of Latin-1) is by far
    the most common of them in real files.
    """
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise NotADocumentError("not text: no character encoding fits its bytes")
    for match in matches:
        if match.encoding in _WESTERN and match.chaos <= best.chaos + _CHAOS_TOLERANCE:
            return str(match)
    return str(best)


def _control_share(text: str) -> float:
    sample = text[:65536]
    controls = sum(1 for c in sample if c < " " and c not in _ALLOWED_CONTROLS)
    return controls / max(1, len(sample))
