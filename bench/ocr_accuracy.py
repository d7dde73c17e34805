"""OCR of scanned pages: character accuracy and pages per second, through margin's PDF loader.

    .venv/bin/python -m bench.ocr_accuracy [--pages 3] [--dpi 300]

Pages of a text nobody here wrote (Debian's GPL-3 licence text, in /usr/share/common-licenses)
are printed to PDF, rasterised at DPI and put back as images only (a scan without a text
layer, as the tests make them), then read by `ingest.loaders.pdf.load`, which renders each
page and runs Tesseract. Character accuracy = 1 - edit distance / length (spaces folded).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import textwrap
from collections.abc import Sequence
from pathlib import Path

from bench import emit, note, timed

BENCH = "ocr_accuracy"
SOURCE = Path("/usr/share/common-licenses/GPL-3")
LINES_PER_PAGE = 40
_BAND = 60  # edit distance within this many characters of the diagonal


def pages_of(text: str, count: int) -> list[str]:
    lines = textwrap.wrap(" ".join(text.split()), width=85)
    return ["\n".join(lines[i * LINES_PER_PAGE : (i + 1) * LINES_PER_PAGE]) for i in range(count)]


def character_accuracy(expected: str, found: str) -> float:
    """1 - banded edit distance / len(expected), on texts with whitespace folded."""
    a, b = " ".join(expected.split()), " ".join(found.split())
    far = len(a) + len(b)
    previous = {j: j for j in range(min(len(b), _BAND) + 1)}
    for i in range(1, len(a) + 1):
        current: dict[int, int] = {}
        for j in range(max(0, i - _BAND), min(len(b), i + _BAND) + 1):
            if j == 0:
                current[j] = i
                continue
            current[j] = min(
                previous.get(j, far) + 1,
                current.get(j - 1, far) + 1,
                previous.get(j - 1, far) + (a[i - 1] != b[j - 1]),
            )
        previous = current
    return 1 - previous.get(len(b), far) / max(1, len(a))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=3)
    parser.add_argument("--dpi", type=int, default=300)
    args = parser.parse_args(argv)
    if shutil.which("tesseract") is None or not SOURCE.exists():
        note("tesseract-ocr or the GPL-3 text is missing; nothing to measure")
        emit(BENCH, skipped="tesseract-ocr not installed")
        return
    from ingest.loaders.pdf import load
    from tests.fixtures.ingest import write_scanned_pdf

    pages = pages_of(SOURCE.read_text(encoding="utf-8"), args.pages)
    with tempfile.TemporaryDirectory(prefix="margin-bench-ocr-") as folder:
        scan = write_scanned_pdf(Path(folder) / "scan.pdf", pages, dpi=args.dpi)
        document, seconds = timed(lambda: load(scan))
    found: dict[int | None, str] = {}
    for section in document.sections:
        found[section.page] = (found.get(section.page, "") + "\n" + section.text).strip()
    accuracies = [character_accuracy(page, found.get(n, "")) for n, page in enumerate(pages, 1)]
    emit(
        BENCH,
        pages=len(pages),
        dpi=args.dpi,
        characters=sum(len(page) for page in pages),
        accuracy_min=round(min(accuracies), 4),
        accuracy_mean=round(sum(accuracies) / len(accuracies), 4),
        pages_per_s=round(len(pages) / seconds, 3),
        seconds=round(seconds, 1),
    )


if __name__ == "__main__":
    main()
