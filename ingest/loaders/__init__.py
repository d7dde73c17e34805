"""Loaders: one small module per format, each turning a file into `Section`s.

A loader returns its sections, or a `LoadedDocument` when it also knows the document's title,
has warnings to report or holds documents of its own (e-mail attachments). `load_document`
picks the loader by file name (the name without ".gz" for gzip-compressed files). It runs
inside the extraction worker (`ingest.extraction`), which bounds its time and memory; it may
also be called directly. Files inside files (a gzip member, an attachment) are read by the
same registry, with the same OCR (and so the same per-page time limits).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from ingest.errors import NotADocumentError
from ingest.loaders import (
    code,
    compressed,
    delimited,
    docx,
    epub,
    html,
    image,
    latex,
    mail,
    markdown,
    notebook,
    odt,
    org,
    pdf,
    pptx,
    rst,
    svg,
    text,
)
from ingest.ocr import Ocr
from ingest.types import LoadedDocument, Section

_BY_SUFFIX: dict[str, Callable[[Path], LoadedDocument | list[Section]]] = {
    **dict.fromkeys(markdown.SUFFIXES, markdown.load),
    **dict.fromkeys(rst.SUFFIXES, rst.load),
    **dict.fromkeys(org.SUFFIXES, org.load),
    **dict.fromkeys(latex.SUFFIXES, latex.load),
    **dict.fromkeys(html.SUFFIXES, html.load),
    **dict.fromkeys(code.SUFFIXES, code.load),
    **dict.fromkeys(docx.SUFFIXES, docx.load),
    **dict.fromkeys(pptx.SUFFIXES, pptx.load),
    **dict.fromkeys(odt.SUFFIXES, odt.load),
    **dict.fromkeys(epub.SUFFIXES, epub.load),
    **dict.fromkeys(notebook.SUFFIXES, notebook.load),
    **dict.fromkeys(delimited.SUFFIXES, delimited.load),
    **dict.fromkeys(svg.SUFFIXES, svg.load),
    **dict.fromkeys(text.SUFFIXES, text.load),
}
# Loaders that may need OCR take the Ocr the caller set up (limits, progress).
_WITH_OCR: dict[str, Callable[[Path, Ocr | None], LoadedDocument]] = {
    **dict.fromkeys(pdf.SUFFIXES, pdf.load),
    **dict.fromkeys(image.SUFFIXES, image.load),
}

# A page's source kept as text beside the built page, as Sphinx's `_sources` keep
# `library/glob.rst.txt` and MyST's `guide.md.txt`: read in its own markup.
_SAVED_AS_TEXT = (*rst.SUFFIXES, *markdown.SUFFIXES)

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


# Files that only list the pages beside them by name and link: Devhelp's book index, which
# gtk-doc writes for every library it documents, held each function's name and was found
# before the function's own entry ("What does xsltParseStylesheetFile do?").
INDEX_SUFFIXES = frozenset([".devhelp", ".devhelp2"])
_NOT_TEXT = "not a text format margin reads"
_INDEX_OF_PAGES = "an index of the pages beside it (Devhelp's), which are read themselves"


def is_supported(path: Path) -> bool:
    """False for files never read (by name): binary types and indexes of other pages; the
    rest are tried."""
    return skip_reason(path) is None


def skip_reason(path: Path) -> str | None:
    """Why a file is never read, judged by its name alone; None: it is tried."""
    suffix = path.suffix.lower()
    if suffix in compressed.SUFFIXES:
        return skip_reason(Path(compressed.inner_name(path)))
    if suffix in BINARY_SUFFIXES:
        return _NOT_TEXT
    return _INDEX_OF_PAGES if suffix in INDEX_SUFFIXES else None


def load_document(
    path: Path, ocr: Ocr | None = None, on_page: Callable[[int, int], None] | None = None
) -> LoadedDocument:
    """The document in one file (and the documents inside it); raises LoadError (or
    NotADocumentError) with the reason. `on_page(page, pages)` hears of each page of a PDF
    read (not of files inside it)."""
    suffix = path.suffix.lower()
    skipped = skip_reason(path)
    if skipped is not None:
        suffixes = path.suffixes[-2:] if suffix in compressed.SUFFIXES else [suffix]
        raise NotADocumentError(f"{skipped} ({''.join(suffixes).lower()})")
    loaded: LoadedDocument | list[Section]
    if suffix in pdf.SUFFIXES:
        loaded = pdf.load(path, ocr, on_page)
    elif suffix in _WITH_OCR:
        loaded = _WITH_OCR[suffix](path, ocr)
    elif suffix in compressed.SUFFIXES:
        loaded = compressed.load(path, partial(_read_compressed, ocr))
    elif suffix in mail.SUFFIXES:
        loaded = mail.load(path, partial(_read_attachment, ocr))
    elif suffix == ".txt" and path.stem.lower().endswith(_SAVED_AS_TEXT):
        loaded = _BY_SUFFIX[Path(path.stem.lower()).suffix](path)
    else:
        loaded = _BY_SUFFIX.get(suffix, text.load)(path)
    if isinstance(loaded, list):
        loaded = LoadedDocument(sections=loaded)
    sections = [s for s in loaded.sections if s.text.strip()]
    if not sections:
        raise NotADocumentError("no text in the file")
    return replace(loaded, sections=sections)


def _is_known(name: str) -> bool:
    """True for names with the suffix of a format margin reads (not merely not binary).
    Images are left out: in e-mail they are mostly logos and photos, each an OCR run."""
    suffix = Path(name).suffix.lower()
    if suffix in compressed.SUFFIXES:
        return _is_known(compressed.inner_name(Path(name)))
    return suffix in _BY_SUFFIX or suffix in pdf.SUFFIXES or suffix in mail.SUFFIXES


def _read_compressed(ocr: Ocr | None, name: str, data: bytes) -> LoadedDocument | None:
    """The file inside a gzip file; like any file, an unknown suffix is tried as text."""
    return _read_bytes(name, data, ocr) if is_supported(Path(name)) else None


def _read_attachment(ocr: Ocr | None, name: str, data: bytes) -> LoadedDocument | None:
    """An e-mail attachment, when it is of a format margin reads (by its name)."""
    return _read_bytes(name, data, ocr) if _is_known(name) else None


def _read_bytes(name: str, data: bytes, ocr: Ocr | None) -> LoadedDocument:
    """Read bytes found inside another file as a file named `name`, which must be one plain
    file name (the callers make it safe)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="margin-extract-") as folder:
        inner = Path(folder) / name
        inner.write_bytes(data)
        return load_document(inner, ocr)
