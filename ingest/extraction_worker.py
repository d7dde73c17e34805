"""The extraction worker process: reads file paths on stdin, writes each document as JSON lines.

Started by `ingest.extraction.Extractor` with a memory cap; it only ever reads files.
"""

from __future__ import annotations

import json
import resource
import signal
import sys
import time
from pathlib import Path
from typing import Any

from ingest.errors import LoadError, NotADocumentError
from ingest.loaders import load_document
from ingest.ocr import Ocr
from ingest.types import LoadedDocument

PAGE_EVERY_S = 0.5  # at most this often a "page" line, and always for the last page


def handle(request: dict[str, Any], ocr: Ocr) -> dict[str, Any]:
    try:
        document = load_document(Path(request["path"]), ocr, on_page=_PageLines().page)
    except NotADocumentError as exc:
        return {"error": str(exc), "skip": True}
    except LoadError as exc:
        return {"error": str(exc), "skip": False}
    except MemoryError:
        return {"error": "needs more memory than allowed to read", "skip": False}
    except Exception as exc:
        return {"error": f"could not be read: {type(exc).__name__}: {exc}", "skip": False}
    return {
        **_document(document),
        "embedded": [
            {
                "name": embedded.name,
                "hash": embedded.content_hash,
                "size": embedded.size,
                "problem": embedded.problem,
                "skipped": embedded.skipped,
                **_document(embedded.document),
            }
            for embedded in document.embedded
        ],
    }


def _document(document: LoadedDocument) -> dict[str, Any]:
    return {
        "sections": [[s.text, s.page, s.heading, s.line, s.lines] for s in document.sections],
        "title": document.title,
        "warnings": list(document.warnings),
    }


class _PageLines:
    """Tells the parent how far into a PDF the reading is, one line at a time."""

    def __init__(self) -> None:
        self.last = 0.0

    def page(self, page: int, pages: int) -> None:
        now = time.monotonic()
        if now - self.last >= PAGE_EVERY_S or page == pages:
            self.last = now
            sys.stdout.write(json.dumps({"page": page, "pages": pages}) + "\n")
            sys.stdout.flush()


def _heartbeat(page: int) -> None:
    """Tell the parent a page is about to be OCRed: it gives that page its own time limit."""
    sys.stdout.write(json.dumps({"ocr_page": page}) + "\n")
    sys.stdout.flush()


def _exit(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str]) -> None:
    memory_mb = int(argv[0]) if argv else 0
    ocr = Ocr.find(page_timeout_s=float(argv[1]) if len(argv) > 1 else 60.0, on_page=_heartbeat)
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # Ctrl+C reaches the whole process group; the parent decides when this worker stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # It says so with SIGTERM, also in the middle of a file: exiting by an exception ends the
    # Tesseract being waited for too (subprocess.run kills its child on the way out).
    signal.signal(signal.SIGTERM, _exit)
    sys.stdout.write(json.dumps({"ready": True}) + "\n")
    sys.stdout.flush()
    for line in sys.stdin:
        reply = handle(json.loads(line), ocr)
        sys.stdout.write(json.dumps(reply, ensure_ascii=False) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
