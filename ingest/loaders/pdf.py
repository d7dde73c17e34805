"""PDF via PDFium (pypdfium2): normalised text, split by headings, scanned pages OCRed.

PDFium was chosen over pypdf by measurement (bench/pdf_extraction.py): on Debian's bash
manual it gives fewer wrong words per 1,000 and reads 5-20 times faster. Headings come from
the outline, or when there is none from the type of the lines: numbered, larger, bold.
Footnotes follow their page's body (`pdf_footnotes`) rather than cut a paragraph. Pages
without a text layer that draw an image are scanned pages: they are rendered at 300 dpi and
read by Tesseract.

This runs in the extraction worker, which bounds its time and memory.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from ingest.errors import LoadError, NotADocumentError
from ingest.loaders.pdf_footnotes import page_parts
from ingest.loaders.pdf_headings import (
    find_title,
    font_headings,
    outline_headings,
    split_pages,
)
from ingest.loaders.pdf_pages import (
    PageLine,
    body_size,
    page_draws,
    page_has_images,
    page_lines,
)
from ingest.loaders.pdf_references import with_reference_lists
from ingest.loaders.pdf_text import normalise_pages, plain_characters
from ingest.loaders.pdf_title import pdf_title
from ingest.ocr import DPI, INSTALL_HINT, Ocr, OcrUnavailableError
from ingest.types import LoadedDocument

SUFFIXES = (".pdf",)
_TAIL_BYTES = 2048
_MAX_OCR_PIXELS = 40_000_000  # a page larger than this is rendered at a lower resolution
_MIN_TEXT_CHARS = 8  # a page with less text than this, drawing an image, is a scan


def load(
    path: Path, ocr: Ocr | None = None, on_page: Callable[[int, int], None] | None = None
) -> LoadedDocument:
    """The PDF's text; `on_page(page, pages)` hears of each page once it is read."""
    import pypdfium2 as pdfium

    _check_complete(path)
    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise _open_error(exc) from exc
    except MemoryError as exc:
        raise LoadError("PDF needs more memory than allowed to read (malformed or a bomb)") from exc
    try:
        return _read(document, ocr or Ocr.find(), path.name, on_page)
    except MemoryError as exc:
        raise LoadError("PDF needs more memory than allowed to read (malformed or a bomb)") from exc
    finally:
        document.close()


def _read(
    document: Any, ocr: Ocr, file_name: str, on_page: Callable[[int, int], None] | None
) -> LoadedDocument:
    if len(document) == 0:
        raise LoadError("PDF has no pages")
    pages: list[list[PageLine]] = []
    scanned: list[int] = []
    draws = False  # a page draws something: a path, a form, an image
    for index in range(len(document)):
        page = document[index]
        try:
            draws = draws or page_draws(page)
            lines = page_lines(page)
            if sum(len(line.text.strip()) for line in lines) < _MIN_TEXT_CHARS and (
                page_has_images(page)
            ):
                scanned.append(index)
                lines = _ocr_lines(page, index + 1, ocr)
            pages.append(lines)
        finally:
            page.close()
        if on_page is not None:
            on_page(index + 1, len(document))
    body = body_size(pages)
    parts = [page_parts(lines, body) for lines in pages]
    texts = normalise_pages(
        [_joined(part.body) for part in parts], [_joined(part.notes) for part in parts]
    )
    if not any(texts) and (draws or scanned):  # a figure of a paper, a logo
        raise NotADocumentError("no text in the PDF: it draws pictures without words")
    if not any(texts):
        raise LoadError("PDF has no text layer and draws nothing (blank pages?)")
    outline = outline_headings(_outline(document))
    headings = [
        replace(h, title=plain_characters(h.title)) for h in outline or font_headings(pages)
    ]
    if not outline:  # a line in a heading's type that cleaning took off its page: a running header
        headings = [h for h in headings if find_title(texts[h.page], h.title, 0) is not None]
    headings = with_reference_lists(texts, headings)
    sections = split_pages(texts, headings)
    title = pdf_title(_metadata_title(document), pages[0], body)
    return LoadedDocument(sections=sections, title=title or file_name)


def _joined(lines: list[PageLine]) -> str:
    return "\n".join(line.text for line in lines)


def _ocr_lines(page: Any, number: int, ocr: Ocr) -> list[PageLine]:
    if not ocr.available:
        raise OcrUnavailableError(f"scanned PDF: {INSTALL_HINT}")
    ocr.starting(number)
    width, height = page.get_size()
    scale = min(DPI / 72, math.sqrt(_MAX_OCR_PIXELS / max(1.0, width * height)))
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        rows = bytes(bitmap.buffer)
        if bitmap.stride != bitmap.width:
            rows = b"".join(
                rows[y * bitmap.stride : y * bitmap.stride + bitmap.width]
                for y in range(bitmap.height)
            )
        text = ocr.read_grey(rows, bitmap.width, bitmap.height, number)
    finally:
        bitmap.close()
    return [PageLine(line, 0.0) for line in text.split("\n")]


def _outline(document: Any) -> list[tuple[int, str, int | None]]:
    items = []
    for bookmark in document.get_toc(max_depth=8):
        destination = bookmark.get_dest()
        page = destination.get_index() if destination is not None else None
        items.append((bookmark.level, bookmark.get_title() or "", page))
    return items


def _metadata_title(document: Any) -> str:
    try:
        return str(document.get_metadata_value("Title") or "")
    except Exception:  # a damaged Info dictionary is not worth failing the file for
        return ""


def _open_error(exc: Exception) -> LoadError:
    message = str(exc)
    if "password" in message.lower():
        return LoadError("encrypted PDF: it needs a password; save a copy without one")
    return LoadError(f"malformed PDF: {message}")


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
