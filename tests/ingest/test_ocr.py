"""OCR with the real Tesseract: scanned PDFs and images rendered at 300 dpi from known text,
inside the bounded extraction worker; clear messages when Tesseract is missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.errors import LoadError, NotADocumentError
from ingest.extraction import Extractor
from ingest.loaders import load_document
from ingest.ocr import Ocr
from tests.fixtures.ingest import render_text_image, write_scanned_pdf

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="tesseract-ocr is not installed (make test installs it: apt-get install "
    "tesseract-ocr tesseract-ocr-eng)",
)

PAGES = [
    "Sea otters hold hands while they sleep so that they do not drift apart.\n"
    "A raft of otters can number more than one hundred animals.\n"
    "Invoice 2024-117: total due 1,250.00 EUR by 31 March.",
    "River otters dig burrows close to the water's edge.\n"
    "They eat fish, frogs, crayfish and the occasional bird.",
]


def character_accuracy(expected: str, found: str) -> float:
    """1 - (edit distance / length of the expected text), spaces folded."""
    a, b = " ".join(expected.split()), " ".join(found.split())
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i]
        for j, y in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return 1 - previous[-1] / max(1, len(a))


@needs_tesseract
def test_scanned_pdf_is_read_in_the_worker_page_by_page(tmp_path: Path) -> None:
    path = write_scanned_pdf(tmp_path / "scan.pdf", PAGES)
    # Each OCR page gets its own 120 s, whatever the file's own (short) limit.
    with Extractor(timeout_s=2.0, ocr_page_timeout_s=120.0) as extractor:
        document = extractor.load(path)
    assert [s.page for s in document.sections] == [1, 2]
    for page, section in zip(PAGES, document.sections, strict=True):
        assert character_accuracy(page, section.text) >= 0.98, section.text


@needs_tesseract
@pytest.mark.parametrize("suffix", [".png", ".jpg", ".tiff"])
def test_images_are_read(tmp_path: Path, suffix: str) -> None:
    path = render_text_image(tmp_path / f"note{suffix}", PAGES[0])
    [section] = load_document(path).sections
    assert character_accuracy(PAGES[0], section.text) >= 0.98, section.text


@needs_tesseract
def test_a_picture_without_text_is_skipped(tmp_path: Path) -> None:
    path = render_text_image(tmp_path / "blank.png", " ")
    with pytest.raises(NotADocumentError, match="without readable text"):
        load_document(path)


def test_without_tesseract_a_scan_fails_and_an_image_is_skipped(tmp_path: Path) -> None:
    missing = Ocr(executable=None)
    scan = write_scanned_pdf(tmp_path / "scan.pdf", PAGES[:1])
    with pytest.raises(LoadError, match="scanned PDF: install tesseract-ocr"):
        load_document(scan, missing)
    image = render_text_image(tmp_path / "note.png", PAGES[0])
    with pytest.raises(NotADocumentError, match="install tesseract-ocr"):
        load_document(image, missing)


@needs_tesseract
def test_a_page_that_takes_too_long_is_stopped(tmp_path: Path) -> None:
    scan = write_scanned_pdf(tmp_path / "scan.pdf", PAGES[:1])
    with pytest.raises(LoadError, match="OCR of page 1 took longer than"):
        load_document(scan, Ocr.find(page_timeout_s=0.01))


def test_doctor_says_when_tesseract_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.cli.doctor import check_ocr

    monkeypatch.setenv("PATH", "/nonexistent")
    check = check_ocr()
    assert not check.ok and "tesseract not found" in check.detail
    assert "apt-get install tesseract-ocr" in check.fix
