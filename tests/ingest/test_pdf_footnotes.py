"""Footnote blocks told apart from a page's body by type and place: what a two-column page
gives PDFium, line by line (a real paper's footnotes are in test_pdf_papers)."""

from __future__ import annotations

import pytest

from ingest.loaders.pdf_footnotes import page_parts, with_markers_apart
from ingest.loaders.pdf_pages import PageLine

BODY, SMALL = 10.0, 8.0
LEADING = 12.0
TOP = 700.0


def _column(texts: list[str], size: float, top: float) -> list[PageLine]:
    return [
        PageLine(text, size, top=top - index * LEADING, bottom=top - index * LEADING - size)
        for index, text in enumerate(texts)
    ]


def _left_column_body() -> list[PageLine]:
    return _column([f"Body line {n} of the left column" for n in range(40)], BODY, TOP)


def test_a_footnote_at_the_foot_of_the_left_column_is_taken_out_of_the_body() -> None:
    footnote = _column(["1A footnote set smaller, under a rule."], SMALL, 200.0)
    right = _column(["goes on at the top of the right column."], BODY, TOP)
    lines = [*_left_column_body(), *footnote, *right]
    parts = page_parts(lines, BODY)
    assert parts.notes == footnote
    assert parts.body[-2:] == [lines[39], right[0]]


def test_a_reference_list_going_on_in_the_next_column_stays_in_the_body() -> None:
    heading = _column(["Related reading"], BODY, 300.0)
    left = _column(
        [f"[{n}] A. Author, A reference, set small (2001)." for n in range(8)], SMALL, 280.0
    )
    right = _column([f"[{n}] B. Author, Another one (2002)." for n in range(8, 30)], SMALL, TOP)
    lines = [*heading, *left, *right]
    assert page_parts(lines, BODY).notes == []


def test_a_reference_list_under_its_heading_at_the_foot_of_a_page_stays() -> None:
    # a heading in capitals at the body size (ACM's "REFERENCES"): the next page's text may
    # go on with the list, and would be carried up between the heading and it
    heading = _column(["REFERENCES"], BODY, 300.0)
    listed = _column(
        [f"[{n}] A. Author, A reference, set small (2001)." for n in range(9)], SMALL, 280.0
    )
    assert page_parts([*_left_column_body()[:30], *heading, *listed], BODY).notes == []


def test_a_small_table_with_body_text_under_it_stays() -> None:
    table = _column(["Otters 3 4 5", "Newts 1 2 3 and more cells"], SMALL, 250.0)
    under = _column(
        ["The table shows how many", "were seen, and where:", "by the river."], BODY, 220.0
    )
    assert page_parts([*_left_column_body()[:30], *table, *under], BODY).notes == []


def test_lines_without_a_place_are_all_body() -> None:
    lines = [PageLine("read by OCR", 0.0), PageLine("1 no type or place", 0.0)]
    assert page_parts(lines, BODY).body == lines


@pytest.mark.parametrize(
    ("read", "apart"),
    [
        ("3Yet another author footnote.", "3 Yet another author footnote."),
        (
            "The first ends. 2Disney World is the second.",
            "The first ends. 2 Disney World is the second.",
        ),
        ("∗Corresponding author", "∗ Corresponding author"),
        ("†Version 4.2e of the class.", "† Version 4.2e of the class."),
    ],
)
def test_a_notes_marker_glued_to_its_first_word_is_set_apart(read: str, apart: str) -> None:
    assert with_markers_apart(read) == apart


@pytest.mark.parametrize(
    "note",
    ["See 3D printing in 2Dx.", "An 8MB limit applies.", "x 12Apples", "4WGM occur at particular"],
)
def test_numbers_that_are_no_markers_stay_with_their_words(note: str) -> None:
    assert with_markers_apart(note) == note
