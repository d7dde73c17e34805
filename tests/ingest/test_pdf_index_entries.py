"""A back-of-book index as makeindex sets it, a term and its pages with no dot leader, goes
from the PDF's text: a search for a term found the index, not the section explaining it.
Only a page most of whose lines are entries is an index; prose citing pages and tables of
numbers stay. The real index is ndsu-thesis-2022's manual (LPPL) in tests/data/papers."""

from __future__ import annotations

from pathlib import Path

from ingest.loaders import load_document
from ingest.loaders.pdf_text import normalise_pages

PAPERS = Path(__file__).resolve().parent.parent / "data" / "papers"
PROSE = "Otters hold hands while they sleep, and the survey counted them twice."
INDEX = "\n".join(
    [
        "Index",
        "A",
        "alias, 12, 45, 67",
        "\\alias, 3, 7–9",
        "arrays, xi, 2, 14ff.",
        "B",
        "BibLATEX",  # a term with sub-entries: kept, its sub-entries go
        "addbibresource, 11",
        "multiple bibliographies,",  # an entry PDFium broke after its comma
        "11",
        "bibliography, 10, see also BibLATEX",
        "bind, see builtins",
        "\\bigskip",  # ... and one broken before it
        ", 37",
        "builtins, 4, 16–18",
    ]
)


def _document(*pages: str) -> list[str]:
    """The pages cleaned as the last of a 70-page document: an index may cite pages up to 70."""
    return normalise_pages([*[""] * (70 - len(pages)), *pages])[-len(pages) :]


def test_an_index_pages_entries_go_and_its_heading_letters_and_sub_entries_terms_stay() -> None:
    assert _document(INDEX) == ["Index\nA\nB\nBibLATEX"]


def test_prose_citing_pages_and_a_table_of_numbers_on_an_ordinary_page_stay() -> None:
    prose = "\n".join(
        [
            "The shell reads its startup files first,",
            "see pages 3, 4 and 7",
            "see Sections 3, 4",
            "and the builtins, 12, 14",
            "are listed in the appendix.",
        ]
    )
    table = "\n".join(
        ["Table 2: runs per day", "day, run, minutes", "1, 2, 3", "2, 4, 6", "3, 6, 9"]
        + [f"{n}, {2 * n}, {3 * n}" for n in range(4, 12)]
    )
    code_index = "\n".join(  # numbers beyond the document's 70 pages are code lines
        ["Index", *[f"\\macro{letter}, 1{n}04, 2{n}17" for n, letter in enumerate("abcdefgh")]]
    )
    assert _document(prose, table, code_index) == [prose, table, code_index]


def test_a_page_where_only_a_minority_of_lines_look_like_entries_keeps_everything() -> None:
    lines = [
        "Options are read in order:",
        "alias, 12, 45",
        "bind, 3, 4",
        "cd, 7, 9",
        "declare, 11, 13",
        "echo, 2, 5",
        "enable, 6, 8",
        PROSE,
        "Each one may be given more than once; the last one read wins,",
        "and a wrong one stops the shell before it reads a command.",
        "The list above is the order in which the manual explains them.",
        "It is not sorted by how often they are used.",
        "Nor does it say which of them a script may change.",
        "That is the subject of the next chapter.",
    ]
    assert _document("\n".join(lines)) == ["\n".join(lines)]


def test_entries_out_of_order_are_no_index() -> None:
    rows = ["zebra, 3, 4", "apple, 5", "mango, 6, 7", "berry, 8", "yak, 9", "cherry, 2, 3"]
    page = "\n".join(["Fruit and where they grow", *rows, "kiwi, 3"])
    assert _document(page) == [page]


def test_a_real_index_goes_and_the_prose_on_its_first_page_stays() -> None:
    # ndsu-thesis-2022's manual: its index starts at the foot of page 23, under "15.9 Voice
    # of the developers!" and "Acknowledgements", and fills page 24
    sections = load_document(PAPERS / "ndsu-index.pdf").sections
    text = "\n".join(section.text for section in sections)
    assert "15.9 Voice of the developers!\nIt is interesting to know what" in text
    assert "is also highly appreciated." in text
    for entry in ("abovedisplayskip, 20", "acknowledgements, 6, 23", "BibTeX, 4, 10, 12", "11"):
        assert f"\n{entry}\n" not in f"\n{text}\n"
    assert "list of appendix figures" not in text and "multiple bibliographies" not in text
    index = [section for section in sections if section.heading == "Index"]
    assert [section.page for section in index] == [23, 24]
    assert index[0].text.startswith("Index\n")
