"""The extraction worker process: reads file paths on stdin, writes sections as JSON lines.

Started by `ingest.extraction.Extractor` with a memory cap; it only ever reads files.
"""

from __future__ import annotations

import json
import resource
import signal
import sys
from pathlib import Path
from typing import Any

from ingest.errors import LoadError, NotADocumentError
from ingest.loaders import load_file
from ingest.types import Section


def handle(request: dict[str, Any]) -> dict[str, Any]:
    try:
        loaded = load_file(Path(request["path"]))
    except NotADocumentError as exc:
        return {"error": str(exc), "skip": True}
    except LoadError as exc:
        return {"error": str(exc), "skip": False}
    except MemoryError:
        return {"error": "needs more memory than allowed to read", "skip": False}
    except Exception as exc:
        return {"error": f"could not be read: {type(exc).__name__}: {exc}", "skip": False}
    return {
        "sections": _rows(loaded.sections),
        "embedded": [
            {
                "name": document.name,
                "hash": document.content_hash,
                "size": document.size,
                "sections": _rows(document.sections),
                "problem": document.problem,
                "skipped": document.skipped,
            }
            for document in loaded.embedded
        ],
    }


def _rows(sections: list[Section]) -> list[list[Any]]:
    return [[s.text, s.page, s.heading, s.line] for s in sections]


def main(argv: list[str]) -> None:
    memory_mb = int(argv[0]) if argv else 0
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # Ctrl+C reaches the whole process group; the parent decides when this worker stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for line in sys.stdin:
        reply = handle(json.loads(line))
        sys.stdout.write(json.dumps(reply, ensure_ascii=False) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
