"""A paper's list of references through the PDF loader: told from the body by its lines, and
given its own heading when no heading opens it. Real papers (LPPL) are in tests/data/papers:
qrbill's manual sets "References" like its body text, elsarticle's test document heads it."""

from __future__ import annotations

from pathlib import Path

from ingest.loaders import load_document
from ingest.reference_lists import reads_as_reference_list
from ingest.types import HEADING_SEPARATOR, Section

PAPERS = Path(__file__).resolve().parent.parent / "data" / "papers"


def _last_heading(section: Section) -> str:
    return section.heading.rsplit(HEADING_SEPARATOR, 1)[-1]


def test_a_reference_list_no_heading_opens_gets_its_own() -> None:
    # "References" in body type followed the last section, "9.2. Required data", whose
    # chunks then held the data fields and the first works listed at once
    sections = load_document(PAPERS / "qrbill.pdf").sections
    listing = [s for s in sections if "[1] Swiss Implementation Guidelines QR-bill" in s.text]
    assert [_last_heading(s) for s in listing] == ["References"]
    assert listing[0].text.startswith("References\n[1] Swiss Implementation Guidelines")
    before = sections[sections.index(listing[0]) - 1]
    assert _last_heading(before) == "Required data" and "[1]" not in before.text
    after = sections[sections.index(listing[0]) + 1]
    assert _last_heading(after) == "References" and after.text.startswith("[3] Luaqrcode")
    assert _last_heading(sections[sections.index(after) + 1]) == "Example of standalone qrbill"


def test_a_reference_list_its_heading_opens_keeps_that_one() -> None:
    sections = load_document(PAPERS / "elstest-1p.pdf").sections
    headed = [s for s in sections if _last_heading(s) == "References"]
    assert [s.page for s in headed] == [7, 8]
    assert headed[0].text.startswith("References\n[1] G. Kavoulakis and G. Baym")


def test_the_lists_read_as_references_and_no_body_page_does() -> None:
    for paper in ("qrbill.pdf", "elstest-1p.pdf", "ascexmpl.pdf"):
        for section in load_document(PAPERS / paper).sections:
            listed = _last_heading(section).casefold() == "references"
            assert reads_as_reference_list(section.text, section.heading) == listed, (
                paper,
                section.heading,
            )


def test_one_entry_reads_as_a_list_under_a_references_heading_only() -> None:
    entry = "[3] Luaqrcode – Pure Lua QR Code library. By Patrick Gundlach (SPEEDATA GMBH)."
    assert reads_as_reference_list(entry, "qrbill.pdf > References")
    assert not reads_as_reference_list(entry, "qrbill.pdf > Package options")
    authors = (
        "Glomm, G., and B. Ravikumar (1992) “Public versus private investment in human\n"
        "capital endogenous growth and income inequality,” Journal of Political\n"
        "Mendoza, E. G. (1991) “Real business cycles in a small open economy,” American\n"
    )
    assert reads_as_reference_list(authors)
    assert not reads_as_reference_list(authors.replace("(1992)", "").replace("(1991)", ""))
