"""A PDF's title: its metadata's, else its first page's line in large type; Debian's PDFs have
no metadata title, so each was titled by its file name."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.embedder import SentenceTransformerEmbedder
from ingest.loaders import load_document
from ingest.loaders.pdf_pages import PageLine
from ingest.loaders.pdf_title import first_page_title, pdf_title
from tests.fixtures.cli import cli_json
from tests.fixtures.ingest import write_pdf

DEBIAN_PDFS = {
    Path("/usr/share/doc/bash/bashref.pdf"): "Bash Reference Manual",
    Path("/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf"): "Shared MIME-info Database",
}


def _lines(*lines: tuple[str, float]) -> list[PageLine]:
    return [PageLine(text, size) for text, size in lines]


def test_the_first_pages_largest_type_is_the_title_and_may_wrap() -> None:
    page = _lines(
        ("A Field Guide to", 24.8),
        ("River Otters", 24.8),
        ("Thomas Leonard", 17.2),
        ("Otters live in rivers.", 10.0),
    )
    assert first_page_title(page, body=10.0) == "A Field Guide to River Otters"


def test_a_heading_barely_larger_than_the_body_or_far_down_the_page_is_no_title() -> None:
    manual_page = _lines(("BASH(1) General Commands Manual BASH(1)", 10.0), ("NAME", 10.9))
    assert first_page_title(manual_page, body=10.0) == ""
    far_down = _lines(*[(f"line {n}", 10.0) for n in range(12)], ("Results", 20.0))
    assert first_page_title(far_down, body=10.0) == ""
    assert first_page_title([], body=None) == ""  # a scanned page read by OCR: no sizes


def test_the_metadata_title_wins_unless_it_is_a_file_name() -> None:
    page = _lines(("Style Files for ASCE-like Documents", 20.0), ("Body text.", 10.0))
    assert pdf_title("  The UWA  Form Class ", page, 10.0) == "The UWA Form Class"
    for file_name in ("ascexmpl.dvi", "Microsoft Word - report.docx", "paper.tex"):
        assert pdf_title(file_name, page, 10.0) == "Style Files for ASCE-like Documents"
    assert pdf_title("", _lines(("Body text.", 10.0)), 10.0) == ""


def test_a_title_that_runs_as_every_pages_header_titles_the_document(tmp_path: Path) -> None:
    # the first page's title is also the running header of the pages after it: the text loses
    # it as a header, the document keeps it as its title
    pages = ["# Otter Field Guide\nOtters live in rivers."] + [
        f"Otter Field Guide\nPage {n} is about {topic}."
        for n, topic in enumerate(["diet", "dens", "cubs"], start=2)
    ]
    document = load_document(write_pdf(tmp_path / "guide.pdf", pages))
    assert document.title == "Otter Field Guide"
    assert "Otter Field Guide" not in "\n".join(s.text for s in document.sections)


@pytest.mark.parametrize("path", DEBIAN_PDFS, ids=lambda path: path.name)
def test_debian_pdfs_are_titled_by_their_first_page(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path} is not installed (make system-deps)")
    assert load_document(path).title == DEBIAN_PDFS[path]


def test_a_search_finds_a_pdf_by_the_title_on_its_first_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, embedder: SentenceTransformerEmbedder
) -> None:
    monkeypatch.setattr("assistant.core.load_embedder", lambda config, locations: embedder)
    pages = ["# Otter Field Guide\nKeep a distance of ten metres from a holt."] + [
        f"Otter Field Guide\nNotes on page {n}." for n in range(2, 5)
    ]
    write_pdf(tmp_path / "og-2021-v3.pdf", pages)
    cli_json("ingest", str(tmp_path / "og-2021-v3.pdf"))
    found = cli_json("search", "otter field guide distance")
    assert found["results"][0]["heading"].startswith("Otter Field Guide")
    assert "og-2021-v3.pdf" not in found["results"][0]["heading"]
