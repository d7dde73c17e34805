"""Chunk line numbers against the files they point into: is each chunk's first text on its line?

    .venv/bin/python -m bench.chunk_lines [PATH ...]

The files under the given paths (default: the repository's docs/ and .eval-corpus/) are found,
loaded and chunked the way `margin ingest` does it (its walker, which honours .gitignore files
and leaves hidden ones out, and its size limit; bundled MiniLM tokenizer, 200-token chunks, 32
of overlap). For each chunk with a line, its first words (five at most, of its first line)
are looked for in the file (HTML without the markup the HTML loader's patterns match), and
the occurrence nearest the reported line counts: "exact" when it starts on that line (a chunk
may start mid-line), "near" within 3 lines, "off" further, and "unfound" when the words are
nowhere in the file (text a loader made up); "late" counts the chunks whose line is after the
one their text starts on. One line per format.

With `--every-line`, every text line of every chunk is placed instead, at the line its chunk's
line map gives it (`ingest.source_lines.line_at`): the line a quote starting there is cited at.
A line inside an HTML block joined from several file lines has the block's first line.
"""

from __future__ import annotations

import argparse
import html
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import DOCS, REPO, emit, note
from ingest.chunking import Tokenizes
from ingest.markdown_syntax import FENCE
from ingest.types import Chunk

BENCH = "chunk_lines"
FIRST_WORDS = 5
NEAR_LINES = 3
_WORD = re.compile(r"\w+")
_WORDED_LINE = re.compile(r"^.*\w.*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Placed:
    """Where a chunk's first words are in its file, against the line it reports."""

    reported: int
    found: int | None  # the nearest line an occurrence starts on; None: nowhere in the file
    opening: str

    @property
    def verdict(self) -> str:
        if self.found is None:
            return "unfound"
        distance = abs(self.found - self.reported)
        return "exact" if distance == 0 else "near" if distance <= NEAR_LINES else "off"


def source_words(text: str, markup: bool) -> list[tuple[str, int]]:
    """Every word of the file with the 1-based line it is on; tags and entities resolved in
    markup, keeping the lines tags span."""
    from ingest.loaders.html import INVISIBLE_MARKUP, TAG

    if markup:
        text = TAG.sub(_its_newlines, INVISIBLE_MARKUP.sub(_its_newlines, text))
    words = []
    for number, line in enumerate(text.split("\n"), start=1):
        plain = html.unescape(line) if markup else line
        words.extend((word, number) for word in _WORD.findall(plain.casefold()))
    return words


def place(chunk_text: str, reported: int, words: Sequence[tuple[str, int]]) -> Placed:
    """The occurrence of the chunk's first words nearest the line they should be on: the
    reported line, or a later one when the chunk opens with lines of no words ("***")."""
    folded = chunk_text.casefold()
    first = _WORD.search(folded)
    # from its first line only: the lines after it may follow lines the loader left out
    # (a table of contents' entries between a heading and the text under it)
    first_line = folded[first.start() :].split("\n", 1)[0] if first else ""
    opening = _WORD.findall(first_line)[:FIRST_WORDS]
    reported += folded.count("\n", 0, first.start()) if first else 0
    found: int | None = None
    if opening:
        size = len(opening)
        for index in range(len(words) - size + 1):
            if words[index][0] != opening[0]:
                continue
            if [word for word, _ in words[index : index + size]] != opening:
                continue
            line = words[index][1]
            if found is None or abs(line - reported) < abs(found - reported):
                found = line
    return Placed(reported, found, " ".join(opening))


def place_chunk(chunk: Chunk, words: Sequence[tuple[str, int]]) -> Placed:
    """`place` for a chunk with a line, from its first line that the next one follows in the
    file: the fence line the chunker repeats over a chunk that opens inside a code block is
    the block's, lines above the rest."""
    assert chunk.line is not None
    first, _, rest = chunk.text.partition("\n")
    if FENCE.match(first) and len(chunk.lines) > 1 and chunk.lines[1] != chunk.lines[0] + 1:
        return place(rest, chunk.lines[1], words)
    return place(chunk.text, chunk.line, words)


def _its_newlines(match: re.Match[str]) -> str:
    """Only the newlines of the markup left out, so that a word an inline tag cuts
    ("<b>ot</b>ters") stays one word, as in the text the HTML loader's parser gives (its
    fallback for pages the parser gives up on puts a space instead)."""
    return "\n" * match.group().count("\n")


def placements(path: Path, tokenizer: Tokenizes, *, every_line: bool = False) -> list[Placed]:
    """Each chunk of the file that has a line, placed in the file; or each of its text lines
    with a word in it."""
    from ingest.chunking import chunk_document
    from ingest.loaders import load_document
    from ingest.loaders.decoding import read_text
    from ingest.source_lines import line_at

    document = load_document(path)
    chunks = chunk_document(document, path.name, tokenizer, chunk_tokens=200, overlap_tokens=32)
    words = source_words(read_text(path), markup=_format(path) == "html")
    if not every_line:
        return [place_chunk(c, words) for c in chunks if c.line is not None]
    placed = []
    for chunk in chunks:
        for found in _WORDED_LINE.finditer(chunk.text):
            line = line_at(chunk.text, found.start(), chunk.line, chunk.lines)
            if line is not None:
                placed.append(place(found.group(), line, words))
    return placed


def files(paths: Iterable[Path]) -> Iterator[Path]:
    """The files `margin ingest` reads under `paths`; what it leaves out is noted."""
    from ingest.loaders import is_supported
    from ingest.pipeline import IngestOptions
    from ingest.types import SourceFile
    from ingest.walk import walk

    for item in walk(paths, max_bytes=IngestOptions().max_bytes):
        if not isinstance(item, SourceFile):
            note(f"{item.path}: {item.reason}")
        elif is_supported(item.path):
            yield item.path


def _format(path: Path) -> str:
    from ingest.loaders import manpage
    from ingest.loaders.decoding import read_text

    suffix = path.suffix.lower()
    named = {".htm": "html", ".html": "html", ".md": "markdown", ".rst": "rst", ".py": "code"}
    if suffix in named:
        return named[suffix]
    if suffix in (".csv", ".tsv"):
        return "delimited"
    if suffix in ("", ".txt") or path.name.startswith("README"):
        return "man" if manpage.parse(read_text(path)) is not None else "text"
    return suffix.lstrip(".")


def main(argv: Sequence[str] | None = None) -> None:
    from ingest.embedder import load_bundled_embedder
    from ingest.errors import LoadError

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[DOCS, REPO / ".eval-corpus"])
    parser.add_argument("--show", type=int, default=0, help="print this many misplaced chunks")
    parser.add_argument(
        "--every-line", action="store_true", help="place every text line of every chunk"
    )
    args = parser.parse_args(argv)
    tokenizer = load_bundled_embedder()
    counts: dict[str, Counter[str]] = {}
    shown = 0
    for path in files(args.paths):
        try:
            placed = placements(path, tokenizer, every_line=args.every_line)
        except LoadError:
            continue
        kind = _format(path)
        tally = counts.setdefault(kind, Counter())
        tally["files"] += 1
        for item in placed:
            tally[item.verdict] += 1
            tally["late"] += item.found is not None and item.found < item.reported
            if item.verdict != "exact" and shown < args.show:
                shown += 1
                note(f"{path}: line {item.reported}, found {item.found}: {item.opening!r}")
    for kind, tally in sorted(counts.items()):
        placed = sum(tally[v] for v in ("exact", "near", "off", "unfound"))
        counted = {"lines" if args.every_line else "chunks": placed}
        emit(BENCH, format=kind, **counted, **{k: tally[k] for k in sorted(tally)})


if __name__ == "__main__":
    main()
