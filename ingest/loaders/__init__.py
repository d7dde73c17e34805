"""Loaders: one small module per format, each turning a file into `Section`s.

`load_file` picks the loader by file name (the name without ".gz" for gzip-compressed
files). It runs inside the extraction worker (`ingest.extraction`), which bounds its time
and memory; it may also be called directly. E-mail loaders also return the attachments
they could read, as documents of their own.
"""

from __future__ import annotations

from pathlib import Path

from ingest.errors import NotADocumentError
from ingest.loaders import (
    code,
    compressed,
    delimited,
    docx,
    epub,
    html,
    mail,
    markdown,
    notebook,
    odt,
    pdf,
    pptx,
    rst,
    text,
)
from ingest.types import LoadedFile, Section

_BY_SUFFIX = {
    **dict.fromkeys(markdown.SUFFIXES, markdown.load),
    **dict.fromkeys(rst.SUFFIXES, rst.load),
    **dict.fromkeys(html.SUFFIXES, html.load),
    **dict.fromkeys(pdf.SUFFIXES, pdf.load),
    **dict.fromkeys(code.SUFFIXES, code.load),
    **dict.fromkeys(docx.SUFFIXES, docx.load),
    **dict.fromkeys(pptx.SUFFIXES, pptx.load),
    **dict.fromkeys(odt.SUFFIXES, odt.load),
    **dict.fromkeys(epub.SUFFIXES, epub.load),
    **dict.fromkeys(notebook.SUFFIXES, notebook.load),
    **dict.fromkeys(delimited.SUFFIXES, delimited.load),
    **dict.fromkeys(text.SUFFIXES, text.load),
}

# Formats margin does not read; skipped by name, without opening the file.
BINARY_SUFFIXES = frozenset(
    [
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".bmp",
        ".tiff",
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
        ".xls",
        ".xlsx",
        ".ppt",
        ".ods",
        ".odp",
        ".dmg",
        ".iso",
        ".img",
    ]
)


def is_supported(path: Path) -> bool:
    """False for file types that are never text (by name); the rest are tried."""
    suffix = path.suffix.lower()
    if suffix in compressed.SUFFIXES:
        return is_supported(Path(compressed.inner_name(path)))
    return suffix not in BINARY_SUFFIXES


def load_document(path: Path) -> list[Section]:
    """The sections of one file; raises LoadError (or NotADocumentError) with the reason."""
    return load_file(path).sections


def load_file(path: Path) -> LoadedFile:
    """The sections of one file and the documents inside it (e-mail attachments)."""
    if not is_supported(path):
        suffixes = (
            path.suffixes[-2:] if path.suffix.lower() in compressed.SUFFIXES else [path.suffix]
        )
        raise NotADocumentError(f"not a text format margin reads ({''.join(suffixes).lower()})")
    suffix = path.suffix.lower()
    if suffix in compressed.SUFFIXES:
        loaded = compressed.load(path, _read_compressed)
    elif suffix in mail.SUFFIXES:
        loaded = mail.load(path, _read_attachment)
    else:
        loaded = LoadedFile(_BY_SUFFIX.get(suffix, text.load)(path))
    sections = [s for s in loaded.sections if s.text.strip()]
    if not sections:
        raise NotADocumentError("no text in the file")
    return LoadedFile(sections, loaded.embedded)


def _is_known(name: str) -> bool:
    """True for names with the suffix of a format margin reads (not merely not binary)."""
    suffix = Path(name).suffix.lower()
    if suffix in compressed.SUFFIXES:
        return _is_known(compressed.inner_name(Path(name)))
    return suffix in _BY_SUFFIX or suffix in mail.SUFFIXES


def _read_compressed(name: str, data: bytes) -> LoadedFile | None:
    """The file inside a gzip file; like any file, an unknown suffix is tried as text."""
    return _read_bytes(name, data) if is_supported(Path(name)) else None


def _read_attachment(name: str, data: bytes) -> LoadedFile | None:
    """An e-mail attachment, when it is of a format margin reads (by its name)."""
    return _read_bytes(name, data) if _is_known(name) else None


def _read_bytes(name: str, data: bytes) -> LoadedFile:
    """Read bytes found inside another file as a file named `name`, which must be one plain
    file name (the callers make it safe)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="margin-extract-") as folder:
        inner = Path(folder) / name
        inner.write_bytes(data)
        return load_file(inner)
