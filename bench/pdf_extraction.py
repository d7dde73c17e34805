"""PDF text extractors on Debian's bash manuals, judged against the same manual's other rendering.

    .venv/bin/python -m bench.pdf_extraction [--repeats 3]

For bash.pdf the reference is the man page (`man bash | col -b`), for bashref.pdf the HTML
manual (bashref.html). A word of the PDF's text that never occurs in the reference is a
wrong word (a split "e xecuted", a glued "ifthe", a ligature "ﬁle"). Candidates: pypdf
(with fontTools when installed), PDFium's own text (pypdfium2), and margin's loader (PDFium
with spaces from glyph positions, then normalised). Also: compatibility glyphs (ligatures,
U+2212 minus) left in the text, and seconds (median of the repeats).
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import subprocess
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from bench import emit, median, note, timed

BENCH = "pdf_extraction"
BASH_DOCS = Path("/usr/share/doc/bash")
_WORD = re.compile(r"[A-Za-z]+")


def pypdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def pdfium_text(path: Path) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    finally:
        document.close()


def margin_text(path: Path) -> str:
    from ingest.loaders.pdf import load

    return "\n".join(section.text for section in load(path).sections)


def references() -> dict[Path, str]:
    """Each manual's PDF and the text of its other rendering (skipped when not installed)."""
    found: dict[Path, str] = {}
    if (BASH_DOCS / "bash.pdf").exists():
        man = subprocess.run(
            "man bash | col -b", shell=True, capture_output=True, text=True, check=False
        )
        if man.stdout.strip():
            found[BASH_DOCS / "bash.pdf"] = man.stdout
    if (BASH_DOCS / "bashref.pdf").exists() and (BASH_DOCS / "bashref.html").exists():
        import lxml.html

        page = lxml.html.document_fromstring((BASH_DOCS / "bashref.html").read_bytes())
        found[BASH_DOCS / "bashref.pdf"] = page.text_content()
    return found


def wrong_words(text: str, reference: str) -> tuple[float, int, list[tuple[str, int]]]:
    """Wrong words per 1,000, the word count, and the commonest wrong words."""
    known = {w.lower() for w in _WORD.findall(unicodedata.normalize("NFKC", reference))}
    words = [w.lower() for w in _WORD.findall(text)]
    wrong = [w for w in words if w not in known]
    return 1000 * len(wrong) / max(1, len(words)), len(words), Counter(wrong).most_common(8)


def compatibility_glyphs(text: str) -> int:
    return sum(1 for c in text if c == "\u2212" or unicodedata.normalize("NFKC", c) != c)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    found = references()
    if not found:
        note("bash-doc (or man) is not installed: nothing to measure (apt-get install bash-doc)")
        emit(BENCH, skipped="bash-doc not installed")
        return
    extractors: dict[str, Callable[[Path], str]] = {
        "pypdf": pypdf_text,
        "pypdfium2": pdfium_text,
        "margin": margin_text,
    }
    fonttools = importlib.util.find_spec("fontTools") is not None
    for pdf, reference in found.items():
        for name, extract in extractors.items():
            runs = [timed(partial(extract, pdf)) for _ in range(args.repeats)]
            text = runs[0][0]
            rate, words, commonest = wrong_words(text, reference)
            emit(
                BENCH,
                file=pdf.name,
                extractor=name,
                fonttools=fonttools if name == "pypdf" else None,
                words=words,
                wrong_per_1000=round(rate, 2),
                compatibility_glyphs=compatibility_glyphs(text),
                seconds=round(median([seconds for _, seconds in runs]), 2),
                commonest_wrong=commonest,
            )


if __name__ == "__main__":
    main()
