"""Check every expected answer against the text of its expected sources.

`python -m eval.check_answers [GOLDEN...] [--json]` (default: the three real sets, tune,
report and fresh; the corpus must be built). For each answerable question it looks for the
expected answer in each expected source twice:

- in the text margin extracts today: `ingest.loaders.load_document`, then the section
  preparation chunking starts from (`ingest.sections.prepare_sections`: heading paths,
  furniture dropped), heading path and text of every section;
- in the raw text: the file itself for text, the HTML with tags dropped (Python's
  html.parser), `pdftotext` (poppler-utils) for PDF.

A match is case-insensitive after collapsing whitespace ("exact"). Where that fails, the
looser match `margin eval` scores containment with is tried too (Unicode NFKC, punctuation
dropped, see `assistant.evaluation.metrics.normalize`), so a miss caused by a glyph (a
ligature, U+2212 for "-") is told apart from a missing fact. Exit status 1 when an expected
answer is in none of its sources by either match in either text: that question is wrong.
Misses in the extracted text alone are reported, not failed: they measure extraction.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from html.parser import HTMLParser
from pathlib import Path

from assistant.evaluation.golden import GoldenQuestion, load_golden
from assistant.evaluation.metrics import normalize
from eval import CHECKED_SETS
from ingest.loaders import load_document
from ingest.sections import document_title, prepare_sections


@dataclass(frozen=True, slots=True)
class SourceCheck:
    source: str
    extracted: str  # "exact", "normalised" or "missing"
    raw: str  # "exact", "normalised", "missing", or why the raw text is not available


@dataclass(frozen=True, slots=True)
class AnswerCheck:
    golden: str
    line: int
    question: str
    expected_answer: str
    sources: tuple[SourceCheck, ...]

    @property
    def extracted(self) -> str:
        """The best match over the sources in the text margin extracts."""
        return _best(s.extracted for s in self.sources)

    @property
    def raw(self) -> str:
        return _best(s.raw for s in self.sources)

    @property
    def wrong(self) -> bool:
        """The answer is in no source at all: the question or its answer needs fixing."""
        return self.extracted == "missing" and self.raw not in ("exact", "normalised")


def _best(matches: Iterable[str]) -> str:
    """The best match of several sources; a reason (no raw text) only when there is no other."""
    found = list(matches)
    for level in ("exact", "normalised", "missing"):
        if level in found:
            return level
    return found[0] if found else "missing"


class Texts:
    """Extracted and raw text per file, read once."""

    def __init__(self) -> None:
        self._extracted: dict[str, str] = {}
        self._raw: dict[str, str | None] = {}
        self._raw_problem: dict[str, str] = {}

    def extracted(self, path: str) -> str:
        """Each section's heading path and text, as ingest hands them to chunking."""
        if path not in self._extracted:
            document = load_document(Path(path))
            title = document_title(document.title, document.sections, Path(path).name)
            sections = prepare_sections(document.sections, title, Path(path).name)
            self._extracted[path] = "\n".join(f"{s.heading}\n{s.text}" for s in sections)
        return self._extracted[path]

    def raw(self, path: str) -> str | None:
        """The raw text, or None (then `raw_problem` says why)."""
        if path not in self._raw:
            try:
                self._raw[path] = raw_text(Path(path))
            except RawTextUnavailable as exc:
                self._raw[path] = None
                self._raw_problem[path] = str(exc)
        return self._raw[path]

    def raw_problem(self, path: str) -> str:
        return self._raw_problem.get(path, "")


class RawTextUnavailable(Exception):
    pass


def raw_text(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        if shutil.which("pdftotext") is None:
            raise RawTextUnavailable("no pdftotext (install poppler-utils)")
        result = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
        )
        return result.stdout.decode("utf-8", errors="replace")
    text = path.read_text(encoding="utf-8", errors="replace")
    return _html_text(text) if suffix in (".html", ".htm") else text


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def _html_text(markup: str) -> str:
    parser = _TextOnly()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts)


def match(text: str, expected: str) -> str:
    """How `expected` occurs in `text`: "exact", "normalised" or "missing"."""
    if " ".join(expected.split()).casefold() in " ".join(text.split()).casefold():
        return "exact"
    if f" {normalize(expected)} " in f" {normalize(text)} ":
        return "normalised"
    return "missing"


def check_question(question: GoldenQuestion, golden: str, texts: Texts) -> AnswerCheck:
    assert question.expected_answer is not None
    checks = []
    for source in question.expected_sources:
        if not Path(source).is_file():
            checks.append(SourceCheck(source, "missing", "no such file (build the corpus)"))
            continue
        extracted = match(texts.extracted(source), question.expected_answer)
        raw = texts.raw(source)
        raw_match = match(raw, question.expected_answer) if raw is not None else None
        checks.append(SourceCheck(source, extracted, raw_match or texts.raw_problem(source)))
    return AnswerCheck(
        golden, question.line, question.question, question.expected_answer, tuple(checks)
    )


def check_sets(paths: Sequence[Path]) -> list[AnswerCheck]:
    texts = Texts()
    results = []
    for path in paths:
        golden = load_golden(path)
        for question in golden.questions:
            if question.answerable and question.expected_answer:
                results.append(check_question(question, path.name, texts))
    return results


def _show(results: Sequence[AnswerCheck]) -> None:
    pairs = [source for result in results for source in result.sources]
    for result in results:
        if all(s.extracted == s.raw == "exact" for s in result.sources):
            continue
        print(f"{result.golden}:{result.line}  {result.question}")
        print(f"    expected {result.expected_answer!r}")
        for source in result.sources:
            print(f"    extracted {source.extracted:<10} raw {source.raw:<10} {source.source}")
    print(f"\n{len(results)} expected answers, {len(pairs)} (answer, source) pairs.")
    for label, values in (
        ("answers, best source", [(r.extracted, r.raw) for r in results]),
        ("pairs", [(s.extracted, s.raw) for s in pairs]),
    ):
        print(f"{label}: " + "; ".join(_tally(values, side) for side in (0, 1)))
    print(f"wrong (in no text of any expected source): {sum(r.wrong for r in results)}")


def _tally(values: Sequence[tuple[str, str]], side: int) -> str:
    name = ("extracted", "raw")[side]
    counts: dict[str, int] = {}
    for pair in values:
        counts[pair[side]] = counts.get(pair[side], 0) + 1
    return f"{name} " + ", ".join(f"{n} {level}" for level, n in sorted(counts.items()))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("golden", nargs="*", type=Path, default=list(CHECKED_SETS))
    parser.add_argument("--json", action="store_true", help="Print one JSON object.")
    args = parser.parse_args(argv)
    results = check_sets(args.golden)
    if args.json:
        rows = [
            {**asdict(r), "extracted": r.extracted, "raw": r.raw, "wrong": r.wrong} for r in results
        ]
        print(json.dumps({"answers": rows}, indent=1, ensure_ascii=False))
    else:
        _show(results)
    return 1 if any(r.wrong for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
