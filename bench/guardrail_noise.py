"""What the guardrails flag in ordinary documents nobody here wrote: masked spans and
injection findings per MB, by kind.

    .venv/bin/python -m bench.guardrail_noise [--man-pages 400] [--max-mb 20] [--examples 8]

Corpora from the Debian install, the first `--max-mb` of each in sorted order. Tuned on:
the Python 3.11 docs (reST sources), section-1 man pages rendered to text, and the READMEs
and Debian changelogs in /usr/share/doc. Held out (looked at only to report): the NEWS files
in /usr/share/doc and the man pages of sections 5 and 8. Every corpus is cut into chunk-sized
pieces (about 2,000 characters, at blank lines) and each piece goes through a fresh
`Redactor` and through `scan_injection`, as a source does before a remote call. Printed per
corpus: MB, spans masked and injection findings per MB for each kind, a few of the flagged
values of each kind (so a person can judge which are real: changelogs hold maintainers'
e-mail addresses), and the redactor's throughput in MB/s. Flagged values are public text
from these packages.

To compare with another version of the guardrails, run the same file with that version first
on the path: `PYTHONPATH=/path/to/other/checkout python bench/guardrail_noise.py`.
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a file, so another checkout can come first on the path
    sys.path.append(str(Path(__file__).resolve().parents[1]))

from bench import emit, note

BENCH = "guardrail_noise"
PIECE_CHARS = 2_000
PYTHON_DOCS = Path("/usr/share/doc/python3.11/html/_sources")
DOC_ROOT = Path("/usr/share/doc")
MAN_ROOT = Path("/usr/share/man")


def pieces(text: str) -> Iterator[str]:
    """`text` in pieces of about PIECE_CHARS characters, cut at blank lines."""
    buffer: list[str] = []
    size = 0
    for paragraph in text.split("\n\n"):
        if size + len(paragraph) > PIECE_CHARS and buffer:
            yield "\n\n".join(buffer)
            buffer, size = [], 0
        buffer.append(paragraph)
        size += len(paragraph) + 2
    if buffer:
        yield "\n\n".join(buffer)


def python_docs() -> Iterator[str]:
    for path in sorted(PYTHON_DOCS.rglob("*.txt")):
        yield path.read_text(encoding="utf-8", errors="replace")


def debian_docs() -> Iterator[str]:
    for path in sorted(DOC_ROOT.glob("*/README*")) + sorted(DOC_ROOT.glob("*/changelog*.gz")):
        if path.is_file() and "python3.11" not in str(path):
            raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
            yield raw.decode("utf-8", errors="replace")


def news() -> Iterator[str]:
    for path in sorted(DOC_ROOT.glob("*/NEWS*")):
        if path.is_file():
            raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
            yield raw.decode("utf-8", errors="replace")


def man_pages(count: int, sections: Sequence[str]) -> Iterator[str]:
    """The first `count` man pages of `sections`, rendered as plain text."""
    environment = {**os.environ, "MANWIDTH": "80", "MAN_KEEP_FORMATTING": "0"}
    paths = [p for section in sections for p in sorted((MAN_ROOT / f"man{section}").glob("*.gz"))]
    for path in paths[:count]:
        rendered = subprocess.run(
            ["man", "-l", str(path)], capture_output=True, env=environment, timeout=30
        )
        plain = subprocess.run(["col", "-b"], input=rendered.stdout, capture_output=True)
        yield plain.stdout.decode("utf-8", errors="replace")


def capped(documents: Iterator[str], max_mb: float) -> list[str]:
    """The pieces of `documents` up to `max_mb` of UTF-8."""
    texts: list[str] = []
    size = 0
    for document in documents:
        for piece in pieces(document):
            texts.append(piece)
            size += len(piece.encode("utf-8"))
            if size >= max_mb * 1e6:
                return texts
    return texts


def measure(name: str, texts: list[str], examples: int) -> None:
    from assistant.guardrails.injection import scan_injection
    from assistant.guardrails.pii import Redactor

    size_mb = sum(len(text.encode("utf-8")) for text in texts) / 1e6
    counts: Counter[str] = Counter()
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    started = time.perf_counter()
    for text in texts:
        redactor = Redactor()
        redactor.redact(text)
        for finding in redactor.findings:
            counts[finding.kind] += 1
            seen[finding.kind][redactor.restore(finding.placeholder)] += 1
    seconds = time.perf_counter() - started
    flags: Counter[str] = Counter()
    flagged: dict[str, Counter[str]] = defaultdict(Counter)
    for text in texts:
        for finding in scan_injection(text):
            flags[finding.kind] += 1
            flagged[finding.kind][finding.excerpt[:60]] += 1
    emit(
        BENCH,
        corpus=name,
        mb=round(size_mb, 2),
        pieces=len(texts),
        spans=sum(counts.values()),
        spans_per_mb=round(sum(counts.values()) / size_mb, 2),
        per_mb_by_kind={kind: round(n / size_mb, 2) for kind, n in counts.most_common()},
        examples={
            kind: [" ".join(value.split())[:60] for value, _ in values.most_common(examples)]
            for kind, values in seen.items()
        },
        mb_per_s=round(size_mb / seconds, 3),
        injection_per_mb={kind: round(n / size_mb, 2) for kind, n in flags.most_common()},
        injection_examples={
            kind: [value for value, _ in values.most_common(examples)]
            for kind, values in flagged.items()
        },
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--man-pages", type=int, default=400, help="Section-1 pages to render.")
    parser.add_argument("--max-mb", type=float, default=20.0, help="Of each corpus, at most.")
    parser.add_argument("--examples", type=int, default=8, help="Values shown per kind.")
    parser.add_argument("--only", choices=("python", "man", "debian", "news", "man58"), nargs="+")
    args = parser.parse_args(argv)
    corpora = {
        "python": lambda: python_docs(),
        "man": lambda: man_pages(args.man_pages, ["1"]),
        "debian": lambda: debian_docs(),
        "news": lambda: news(),
        "man58": lambda: man_pages(args.man_pages, ["5", "8"]),
    }
    for name, documents in corpora.items():
        if args.only and name not in args.only:
            continue
        note(f"{BENCH}: {name}")
        measure(name, capped(documents(), args.max_mb), args.examples)


if __name__ == "__main__":
    main()
