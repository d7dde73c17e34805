"""Loaders: one small module per format, each turning a file into `Section`s.

A loader returns its sections, or a `LoadedDocument` when it also knows the document's title
or has warnings to report. `load_document` picks the loader by file name. It runs inside the
extraction worker (`ingest.extraction`), which bounds its time and memory; it may also be
called directly.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.errors import NotADocumentError
from ingest.loaders import code, html, image, markdown, pdf, rst, text
from ingest.ocr import Ocr
from ingest.types import LoadedDocument, Section

_BY_SUFFIX: dict[str, Callable[[Path], LoadedDocument | list[Section]]] = {
    **dict.fromkeys(markdown.SUFFIXES, markdown.load),
    **dict.fromkeys(rst.SUFFIXES, rst.load),
    **dict.fromkeys(html.SUFFIXES, html.load),
    **dict.fromkeys(code.SUFFIXES, code.load),
}
# Loaders that may need OCR take the Ocr the caller set up (limits, progress).
_WITH_OCR: dict[str, Callable[[Path, Ocr | None], LoadedDocument]] = {
    **dict.fromkeys(pdf.SUFFIXES, pdf.load),
    **dict.fromkeys(image.SUFFIXES, image.load),
}

# Formats margin does not read; skipped by name, without opening the file.
BINARY_SUFFIXES = frozenset(
    [
        ".gif",
        ".bmp",
        ".webp",
        ".ico",
        ".heic",
        ".svgz",
        ".mp3",
        ".mp4",
        ".m4a",
        ".wav",
        ".flac",
        ".ogg",
        ".mov",
        ".avi",
        ".mkv",
        ".webm",
        ".zip",
        ".gz",
        ".tgz",
        ".bz2",
        ".xz",
        ".zst",
        ".7z",
        ".rar",
        ".tar",
        ".jar",
        ".whl",
        ".exe",
        ".dll",
        ".so",
        ".dylib",
        ".o",
        ".a",
        ".pyc",
        ".pyo",
        ".class",
        ".bin",
        ".dat",
        ".db",
        ".sqlite",
        ".sqlite3",
        ".lance",
        ".parquet",
        ".arrow",
        ".npy",
        ".npz",
        ".pkl",
        ".pickle",
        ".pt",
        ".safetensors",
        ".gguf",
        ".onnx",
        ".woff",
        ".woff2",
        ".ttf",
        ".otf",
        ".eot",
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
        ".ppt",
        ".pptx",
        ".odt",
        ".ods",
        ".odp",
        ".epub",
        ".dmg",
        ".iso",
        ".img",
    ]
)


def is_supported(path: Path) -> bool:
    """False for file types that are never text (by name); the rest are tried."""
    return path.suffix.lower() not in BINARY_SUFFIXES


def load_document(path: Path, ocr: Ocr | None = None) -> LoadedDocument:
    """The sections of one file; raises LoadError (or NotADocumentError) with the reason."""
    suffix = path.suffix.lower()
    if not is_supported(path):
        raise NotADocumentError(f"not a text format margin reads ({suffix})")
    loaded: LoadedDocument | list[Section]
    if suffix in _WITH_OCR:
        loaded = _WITH_OCR[suffix](path, ocr)
    else:
        loaded = _BY_SUFFIX.get(suffix, text.load)(path)
    if isinstance(loaded, list):
        loaded = LoadedDocument(sections=loaded)
    sections = [s for s in loaded.sections if s.text.strip()]
    if not sections:
        raise NotADocumentError("no text in the file")
    return LoadedDocument(sections=sections, title=loaded.title, warnings=loaded.warnings)
