"""PDF via pypdf: one section per page with its page number.

pypdf leaves error handling to its caller and has had hang and memory bugs, so this runs in
the extraction worker, which bounds its time and memory.
"""

from __future__ import annotations

from pathlib import Path

from ingest.errors import LoadError
from ingest.types import Section

SUFFIXES = (".pdf",)
_TAIL_BYTES = 2048


def load(path: Path) -> list[Section]:
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError

    _check_complete(path)
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except DependencyError as exc:
                raise LoadError(
                    f"encrypted PDF that needs the cryptography package: {exc}"
                ) from exc
            if opened == PasswordType.NOT_DECRYPTED:
                raise LoadError("encrypted PDF: it needs a password; save a copy without one")
        sections = [
            Section(text=(page.extract_text() or "").strip(), page=number)
            for number, page in enumerate(reader.pages, start=1)
        ]
    except LoadError:
        raise
    except MemoryError as exc:
        raise LoadError("PDF needs more memory than allowed to read (malformed or a bomb)") from exc
    except Exception as exc:
        raise LoadError(f"malformed PDF: {type(exc).__name__}: {exc}") from exc
    if not sections:
        raise LoadError("PDF has no pages")
    if not any(s.text for s in sections):
        raise LoadError("PDF has no text layer (scanned images?); run OCR on it first")
    return sections


def _check_complete(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
            handle.seek(max(0, path.stat().st_size - _TAIL_BYTES))
            tail = handle.read()
    except OSError as exc:
        raise LoadError(f"cannot be read: {exc.strerror or exc}") from exc
    if b"%PDF-" not in head:
        raise LoadError("not a PDF (no %PDF header); the file may be damaged or misnamed")
    if b"%%EOF" not in tail:
        raise LoadError("truncated PDF (no end-of-file marker); it may be an incomplete copy")
