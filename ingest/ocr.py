"""OCR with Tesseract (Debian `tesseract-ocr`, `tesseract-ocr-eng`), one page at a time.

Tesseract runs as a child of the extraction worker, so the worker's memory cap applies to
it too; each page also gets its own time limit. Pages are handed over as 8-bit grey PGM
images on stdin, so no imaging library is needed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import LoadError

INSTALL_HINT = "install tesseract-ocr (and tesseract-ocr-eng) to read it"
DEFAULT_LANGUAGE = "eng"
DPI = 300


class OcrUnavailableError(LoadError):
    """Tesseract (or its language data) is not installed."""


@dataclass(frozen=True, slots=True)
class Ocr:
    """Tesseract with a time limit per page; `on_page` hears of each page before it starts."""

    executable: str | None
    language: str = DEFAULT_LANGUAGE
    page_timeout_s: float = 60.0
    on_page: Callable[[int], None] | None = None

    @classmethod
    def find(
        cls, *, page_timeout_s: float = 60.0, on_page: Callable[[int], None] | None = None
    ) -> Ocr:
        return cls(shutil.which("tesseract"), page_timeout_s=page_timeout_s, on_page=on_page)

    @property
    def available(self) -> bool:
        return self.executable is not None

    def starting(self, page: int) -> None:
        """Say a page is about to be rendered and read (it gets its own time limit)."""
        if self.executable is None:
            raise OcrUnavailableError(INSTALL_HINT)
        if self.on_page is not None:
            self.on_page(page)

    def read_grey(self, pixels: bytes, width: int, height: int, page: int) -> str:
        """The text of one page given as 8-bit grey pixels, row by row."""
        header = f"P5\n{width} {height}\n255\n".encode("ascii")
        return self._run("stdin", header + pixels, page)

    def read_image_file(self, path: Path) -> str:
        """The text of an image file (PNG, JPEG, TIFF; pages of a TIFF end with a form feed)."""
        self.starting(1)
        return self._run(str(path), None, 1)

    def _run(self, source: str, data: bytes | None, page: int) -> str:
        if self.executable is None:
            raise OcrUnavailableError(INSTALL_HINT)
        command = [self.executable, source, "stdout", "-l", self.language, "--dpi", str(DPI)]
        try:
            done = subprocess.run(
                command,
                input=data,
                capture_output=True,
                timeout=self.page_timeout_s,
                env={**os.environ, "OMP_THREAD_LIMIT": "1"},
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise LoadError(
                f"OCR of page {page} took longer than {self.page_timeout_s:g} s (stopped)"
            ) from None
        except OSError as exc:
            raise OcrUnavailableError(f"tesseract could not start ({exc}); {INSTALL_HINT}") from exc
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            detail = message[-1] if message else f"exit code {done.returncode}"
            if "Failed loading language" in detail or "Error opening data file" in detail:
                raise OcrUnavailableError(
                    f"tesseract has no '{self.language}' data; {INSTALL_HINT}"
                )
            raise LoadError(f"OCR of page {page} failed: {detail}")
        return done.stdout.decode("utf-8", "replace")


def tesseract_status() -> tuple[bool, str]:
    """(usable, what was found), for `margin doctor`."""
    executable = shutil.which("tesseract")
    if executable is None:
        return False, "tesseract not found: scanned PDFs and images cannot be read"
    try:
        listed = subprocess.run(
            [executable, "--list-langs"], capture_output=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"tesseract at {executable} does not run ({exc})"
    languages = listed.stdout.decode("utf-8", "replace").split()
    if DEFAULT_LANGUAGE not in languages:
        return False, f"tesseract at {executable} has no English data (tesseract-ocr-eng)"
    return True, f"tesseract at {executable} (OCR for scanned PDFs and images)"
