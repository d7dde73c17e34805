"""Images (PNG, JPEG, TIFF): the text Tesseract reads in them; one section per TIFF page.

Most pictures in a folder are photos, not documents: without Tesseract, or when OCR finds
hardly any words, an image is skipped (not failed).
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.errors import LoadError, NotADocumentError
from ingest.ocr import INSTALL_HINT, Ocr
from ingest.types import LoadedDocument, Section

SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
_MIN_WORDS = 3  # fewer words of three or more letters: a picture, not a document
_WORD = re.compile(r"[^\W\d_]{3,}")


def load(path: Path, ocr: Ocr | None = None) -> LoadedDocument:
    ocr = ocr or Ocr.find()
    if not ocr.available:
        raise NotADocumentError(f"image: {INSTALL_HINT}")
    try:
        read = ocr.read_image_file(path)
    except LoadError as exc:
        raise NotADocumentError(f"image not read: {exc}") from exc
    pages = [page.strip() for page in read.split("\f")]
    if len(_WORD.findall(" ".join(pages))) < _MIN_WORDS:
        raise NotADocumentError("image without readable text")
    numbered = len([p for p in pages if p]) > 1
    sections = [
        Section(text=text, page=number if numbered else None)
        for number, text in enumerate(pages, start=1)
        if text
    ]
    return LoadedDocument(sections=sections)
