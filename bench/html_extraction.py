"""HTML main-content extractors on Debian's Python 3.11 docs, judged against their sources.

    .venv/bin/python -m bench.html_extraction [--limit N] [--extractors margin,trafilatura]

Every page of python3.11-doc that has its reStructuredText source under `_sources/` is
extracted; recall is the share of the source's distinct words (4+ letters) that the
extracted text keeps (median and 10th percentile over pages). Boilerplate: lines that are
page furniture (`ingest.boilerplate`: "Navigation", "Next topic", "Show Source", "index",
copyright lines...), and permalink glyphs (¶). Code: the share of the sources' doctest lines
(">>> ...") found as whole lines. Candidates besides margin's loader are measured when
installed: trafilatura and readability-lxml (`pip install trafilatura readability-lxml`).
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from bench import emit, note, percentile

BENCH = "html_extraction"
PYTHON_DOCS = Path("/usr/share/doc/python3.11/html")
_WORD = re.compile(r"[A-Za-z][A-Za-z_]{3,}")


def margin_text(markup: str) -> str:
    from ingest.loaders.html import parse

    return "\n\n".join(f"{s.heading}\n{s.text}" for s in parse(markup).sections)


def trafilatura_text(markup: str) -> str:
    import trafilatura

    extracted = trafilatura.extract(
        markup,
        output_format="markdown",
        include_tables=True,
        include_formatting=True,
        favor_recall=True,
    )
    return extracted or ""


def readability_text(markup: str) -> str:
    import lxml.html
    from readability import Document

    summary = Document(markup).summary(html_partial=True)
    return str(lxml.html.fromstring(summary).text_content())


CANDIDATES: dict[str, tuple[str, Callable[[str], str]]] = {
    "margin": ("lxml", margin_text),
    "trafilatura": ("trafilatura", trafilatura_text),
    "readability": ("readability", readability_text),
}


def pages(limit: int | None) -> Iterator[tuple[Path, Path]]:
    sources = sorted((PYTHON_DOCS / "_sources").rglob("*.rst.txt"))
    count = 0
    for source in sources:
        relative = source.relative_to(PYTHON_DOCS / "_sources").as_posix()
        page = PYTHON_DOCS / (relative.removesuffix(".rst.txt") + ".html")
        if page.exists():
            yield page, source
            count += 1
            if limit is not None and count >= limit:
                return


def measure(name: str, extract: Callable[[str], str], limit: int | None) -> None:
    from ingest.boilerplate import is_furniture_line

    seconds, recalls = 0.0, []
    furniture = lines = pilcrows = doctests = doctests_kept = 0
    for page, source in pages(limit):
        markup = page.read_text(encoding="utf-8", errors="replace")
        started = time.perf_counter()
        text = extract(markup)
        seconds += time.perf_counter() - started
        original = source.read_text(encoding="utf-8", errors="replace")
        wanted = {w.lower() for w in _WORD.findall(original)}
        kept = {w.lower() for w in _WORD.findall(text)}
        if wanted:
            recalls.append(len(wanted & kept) / len(wanted))
        stripped = [line.strip() for line in text.split("\n") if line.strip()]
        lines += len(stripped)
        furniture += sum(1 for line in stripped if is_furniture_line(line))
        pilcrows += text.count("¶")
        whole_lines = set(stripped)
        for line in original.split("\n"):
            if line.strip().startswith(">>> ") and len(line.strip()) > 8:
                doctests += 1
                doctests_kept += line.strip() in whole_lines
    emit(
        BENCH,
        extractor=name,
        pages=len(recalls),
        seconds=round(seconds, 1),
        recall_median=round(percentile(recalls, 50), 3),
        recall_p10=round(percentile(recalls, 10), 3),
        furniture_lines=furniture,
        lines=lines,
        pilcrows=pilcrows,
        doctest_lines_kept=round(doctests_kept / max(1, doctests), 3),
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--extractors", default=",".join(CANDIDATES))
    args = parser.parse_args(argv)
    if not (PYTHON_DOCS / "_sources").is_dir():
        note("python3.11-doc is not installed: nothing to measure (apt-get install python3.11-doc)")
        emit(BENCH, skipped="python3.11-doc not installed")
        return
    for name in args.extractors.split(","):
        module, extract = CANDIDATES[name]
        if importlib.util.find_spec(module) is None:
            note(f"{name} is not installed; skipped (pip install {name})")
            continue
        measure(name, extract, args.limit)


if __name__ == "__main__":
    main()
