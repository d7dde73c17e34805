"""Document readers: margin's loaders vs the usual libraries, on documents nobody here wrote.

    .venv/bin/python -m bench.format_readers [--repeats 5]

Corpus: Python 3.11's reST sources (python3.11-doc) turned into DOCX, ODT, PPTX and EPUB by
pandoc, Debian's EPUB manuals (live-manual-epub), Jupyter's example notebooks
(python-notebook-doc), the e-mail messages of Python's test suite (libpython3.11-testsuite)
and gzip-compressed READMEs under /usr/share/doc. Missing pieces are skipped with a note.

For each format: the median time to read each file in process (margin's loader, and the
library a reader would reach for: python-docx, python-pptx, odfpy, ebooklib with lxml's
HTML parser), the characters each extracts, and the words one finds that the other does
not (distinct words of 3+ letters, as a share of the other's). Then margin's real path:
the same files through the bounded extraction worker, and the time the bundled model takes
to embed the chunks they make (scaled from a sample of 128), so extraction can be weighed
against embedding. Prints one JSON line per format.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bench import emit, median, note, timed

if TYPE_CHECKING:
    from ingest.embedder import SentenceTransformerEmbedder

BENCH = "format_readers"
RST = Path("/usr/share/doc/python3.11/html/_sources")
RST_PAGES = (
    "library/stdtypes",
    "library/functions",
    "library/argparse",
    "library/re",
    "reference/datamodel",
)
EPUBS = Path("/usr/share/doc/live-manual/epub")
NOTEBOOKS = Path("/usr/share/doc/python-notebook-doc/html/_sources/examples/Notebook")
MAILS = Path("/usr/lib/python3.11/test/test_email/data")
WORD = re.compile(r"[A-Za-z]{3,}")
EMBED_SAMPLE = 128  # chunks embedded per format; the time for all of them is scaled from it

Reader = Callable[[Path], str]


def margin_reader(path: Path) -> str:
    from ingest.loaders import load_document

    loaded = load_document(path)
    texts = [s.text for s in loaded.sections]
    texts += [s.text for inner in loaded.embedded for s in inner.document.sections]
    return "\n".join(texts)


def python_docx(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    texts = []
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):
            texts += [cell.text for row in block.rows for cell in row.cells]
        else:
            texts.append(block.text)
    return "\n".join(texts)


def python_pptx(path: Path) -> str:
    import pptx

    texts = []
    for slide in pptx.Presentation(str(path)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            texts.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(texts)


def odfpy(path: Path) -> str:
    from odf import opendocument, teletype, text

    document = opendocument.load(str(path))
    return "\n".join(
        teletype.extractText(element)
        for kind in (text.H, text.P)
        for element in document.getElementsByType(kind)
    )


def ebooklib_lxml(path: Path) -> str:
    import ebooklib
    import lxml.html
    from ebooklib import epub

    book = epub.read_epub(str(path), options={"ignore_ncx": True})
    return "\n".join(
        "\n".join(lxml.html.fromstring(item.get_content()).itertext())
        for item in book.get_items_of_type(ebooklib.ITEM_DOCUMENT)
        if item.get_content().strip()
    )


LIBRARIES: dict[str, tuple[str, Reader]] = {
    ".docx": ("python-docx", python_docx),
    ".pptx": ("python-pptx", python_pptx),
    ".odt": ("odfpy", odfpy),
    ".epub": ("ebooklib+lxml", ebooklib_lxml),
}


def corpus(folder: Path) -> dict[str, list[Path]]:
    files: dict[str, list[Path]] = {}
    pandoc = shutil.which("pandoc")
    if pandoc and RST.is_dir():
        for page in RST_PAGES:
            source = RST / f"{page}.rst.txt"
            for suffix in (".docx", ".odt", ".pptx", ".epub"):
                target = folder / f"{Path(page).name}{suffix}"
                subprocess.run(
                    [pandoc, "-f", "rst", "-o", str(target), str(source)],
                    check=False,
                    capture_output=True,
                )
                if target.exists():
                    files.setdefault(suffix, []).append(target)
    else:
        note("pandoc or python3.11-doc missing: no DOCX/ODT/PPTX files (apt-get install pandoc)")
    files.setdefault(".epub", []).extend(sorted(EPUBS.glob("*.epub"))[:4])
    for index, notebook in enumerate(sorted(NOTEBOOKS.glob("*.ipynb.txt"))):
        copy = folder / f"notebook{index}.ipynb"
        shutil.copy(notebook, copy)
        files.setdefault(".ipynb", []).append(copy)
    for message in sorted(MAILS.glob("msg_*.txt")):
        copy = folder / f"{message.stem}.eml"
        shutil.copy(message, copy)
        files.setdefault(".eml", []).append(copy)
    readmes = sorted(Path("/usr/share/doc").glob("*/README*.gz"))[:60]
    files[".gz"] = readmes
    return {suffix: paths for suffix, paths in files.items() if paths}


def words(text: str) -> set[str]:
    return {word.lower() for word in WORD.findall(text)}


def measure(
    paths: Sequence[Path], reader: Reader, repeats: int
) -> tuple[float, int, set[str], list[Path]]:
    """(median seconds per pass over all files, characters, words, files that failed)."""
    passes: list[float] = []
    characters, vocabulary, failed = 0, set(), []
    for repeat in range(repeats):
        total = 0.0
        for path in paths:
            try:
                with contextlib.redirect_stdout(sys.stderr):  # odfpy prints while it loads
                    text, seconds = timed(lambda path=path: reader(path))
            except Exception:
                if repeat == 0:
                    failed.append(path)
                continue
            total += seconds
            if repeat == 0:
                characters += len(text)
                vocabulary |= words(text)
        passes.append(total)
    return median(passes), characters, vocabulary, failed


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="margin-bench-formats-") as folder:
        for suffix, paths in corpus(Path(folder)).items():
            margin_reader(paths[0])  # imports and caches, outside the timing
            seconds, characters, _, failed = measure(paths, margin_reader, args.repeats)
            figures: dict[str, object] = {
                "format": suffix,
                "files": len(paths),
                "megabytes": round(sum(p.stat().st_size for p in paths) / 1e6, 2),
                "margin_s": round(seconds, 4),
                "margin_chars": characters,
                "margin_failed": [p.name for p in failed],
            }
            if suffix in LIBRARIES:
                figures.update(compare(suffix, paths, failed, args.repeats))
            figures.update(pipeline_cost([p for p in paths if p not in failed], args.repeats))
            emit(BENCH, **figures)


def pipeline_cost(paths: Sequence[Path], repeats: int) -> dict[str, object]:
    """Reading through the extraction worker vs embedding what it read, same run."""
    from ingest.chunking import chunk_document, embedding_text
    from ingest.extraction import Extractor

    embedder = _embedder()
    worker_runs, texts = [], []
    with Extractor() as extractor:
        extractor.load(paths[0])  # the worker's start-up, outside the timing
        for repeat in range(repeats):
            total = 0.0
            for path in paths:
                loaded, seconds = timed(lambda path=path: extractor.load(path))
                total += seconds
                if repeat == 0:
                    inside = [(inner.name, inner.document) for inner in loaded.embedded]
                    for name, document in [(path.name, loaded), *inside]:
                        chunks = chunk_document(
                            document,
                            Path(name).name,
                            embedder,
                            chunk_tokens=200,
                            overlap_tokens=32,
                        )
                        texts += [embedding_text(chunk) for chunk in chunks]
            worker_runs.append(total)
    sample = texts[:EMBED_SAMPLE]
    _, sample_s = timed(lambda: embedder.embed_documents(sample))
    embed_s = sample_s / max(1, len(sample)) * len(texts)
    worker_s = median(worker_runs)
    return {
        "worker_s": round(worker_s, 4),
        "chunks": len(texts),
        "embed_s_estimated": round(embed_s, 2),
        "extract_share_of_extract_plus_embed": round(worker_s / (worker_s + embed_s), 4),
    }


@functools.cache
def _embedder() -> SentenceTransformerEmbedder:
    """The bundled model, loaded (and warmed up) once for the whole run."""
    from ingest.embedder import load_bundled_embedder

    embedder = load_bundled_embedder()
    embedder.embed_documents(["warm up"])
    return embedder


def compare(
    suffix: str, paths: Sequence[Path], margin_failed: list[Path], repeats: int
) -> dict[str, object]:
    """The library's figures, and margin's again on the files both read."""
    name, reader = LIBRARIES[suffix]
    try:
        with contextlib.redirect_stdout(sys.stderr):
            reader(paths[0])
    except ImportError:
        note(f"{name} is not installed: no comparison for {suffix}")
        return {}
    except Exception:
        pass
    _, _, _, failed = measure(paths, reader, 1)
    both = [p for p in paths if p not in failed and p not in margin_failed]
    mine_s, mine_chars, mine_words, _ = measure(both, margin_reader, repeats)
    other_s, other_chars, other_words, _ = measure(both, reader, repeats)
    return {
        "library": name,
        "library_failed": [p.name for p in failed],
        "both_read": len(both),
        "both_margin_s": round(mine_s, 4),
        "both_library_s": round(other_s, 4),
        "library_over_margin_time": round(other_s / mine_s, 2) if mine_s else None,
        "both_margin_chars": mine_chars,
        "both_library_chars": other_chars,
        "words_margin_misses": _share(other_words - mine_words, other_words),
        "words_library_misses": _share(mine_words - other_words, mine_words),
    }


def _share(part: set[str], whole: set[str]) -> float:
    return round(len(part) / len(whole), 4) if whole else 0.0


if __name__ == "__main__":
    main()
