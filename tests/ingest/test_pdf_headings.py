"""Headings judged from the type of a PDF's lines when it has no bookmarks, as in most papers:
numbered section headings at the body size, their depth from their number, a title set over
two lines as one heading, and the numbered lines that are no headings."""

from __future__ import annotations

from pathlib import Path

from ingest.loaders import load_document
from ingest.loaders.pdf_headings import Heading, find_title, font_headings
from ingest.loaders.pdf_pages import PageLine
from tests.fixtures.ingest import write_pdf

BODY = 10.0


def _body(text: str) -> PageLine:
    return PageLine(text, BODY)


def _bold(text: str, size: float = BODY) -> PageLine:
    return PageLine(text, size, bold=True)


PARAGRAPH = [
    _body("Otters hold hands while they sleep, so that they do not drift"),
    _body("apart; the survey counted them on three rivers in spring."),
]


def _titles(headings: list[Heading]) -> list[tuple[int, str]]:
    return [(heading.level, heading.title) for heading in headings]


def test_bold_numbered_headings_at_the_body_size_nest_by_their_number() -> None:
    page = [
        _bold("1. Introduction"),
        *PARAGRAPH,
        _bold("2. Methods"),
        *PARAGRAPH,
        _bold("2.1 Counting otters"),
        *PARAGRAPH,
        _bold("2.1.1 By night"),
        *PARAGRAPH,
        _bold("3. Results"),
        *PARAGRAPH,
    ]
    assert _titles(font_headings([page])) == [
        (1, "1. Introduction"),
        (1, "2. Methods"),
        (2, "2.1 Counting otters"),
        (3, "2.1.1 By night"),
        (1, "3. Results"),
    ]


def test_lettered_headings_sit_under_roman_ones_and_arabic_ones_under_those() -> None:
    # REVTeX and IEEE papers: I. / A. / 1., set in a bold font smaller than the body text
    page = [
        _bold("I. INTRODUCTION", 9.0),
        *PARAGRAPH,
        _bold("A. Background", 9.0),
        *PARAGRAPH,
        _bold("1. Detail", 9.0),
        *PARAGRAPH,
        _bold("II. MODEL", 9.0),
        *PARAGRAPH,
    ]
    assert _titles(font_headings([page])) == [
        (1, "I. INTRODUCTION"),
        (2, "A. Background"),
        (3, "1. Detail"),
        (1, "II. MODEL"),
    ]


def test_a_plain_numbered_line_that_stands_apart_is_a_heading_and_a_list_is_not() -> None:
    page = [
        _body("1 Introduction"),
        *PARAGRAPH,
        _body("The steps were these:"),
        _body("1. Unpack the archive."),  # a list item: a full stop, after a colon
        _body("2. Build it"),
        _body("3. Install it"),
        _body("2 Related work"),
        *PARAGRAPH,
        _body("1 Otters counted by night"),  # a list starting again, as a heading cannot
        *PARAGRAPH,
        _body("3 Results"),
        *PARAGRAPH,
    ]
    assert _titles(font_headings([page])) == [
        (1, "1 Introduction"),
        (1, "2 Related work"),
        (1, "3 Results"),
    ]


def test_numbered_lines_that_are_no_headings() -> None:
    page = [
        _bold("1. Introduction"),
        PageLine("1 Department of Physics, University of Otters, Sealand", 8.0),
        *PARAGRAPH,
        _body("E = mc^2 (3)"),
        _body("(3)"),
        _body("[12] A. Author, Otters at night, J. Rivers 3 (2001) 12."),
        _body("12"),
        _body("1 Apples 3.2 4.5 7.1"),
        *PARAGRAPH,
        _body("2 these are lower case words"),
        *PARAGRAPH,
    ]
    assert _titles(font_headings([page])) == [(1, "1. Introduction")]


def test_a_contents_entry_is_not_its_sections_heading() -> None:
    contents = [_bold("Contents", 14.0), _bold("1 Introduction 1"), _bold("2 Installation 2")]
    body = [_bold("1 Introduction"), *PARAGRAPH, _bold("2 Installation"), *PARAGRAPH]
    headings = font_headings([contents, body])
    assert [(h.page, h.title) for h in headings] == [
        (0, "Contents"),
        (1, "1 Introduction"),
        (1, "2 Installation"),
    ]


def test_a_title_set_over_two_lines_is_one_heading() -> None:
    page = [
        _bold("Manuscript Title:", 12.0),
        _bold("with Forced Linebreak", 12.0),
        _body("Ann Author and Second Author"),
        *PARAGRAPH,
        _bold("2. Evanescent vs. conventional quadrupole light-"),
        _bold("matter coupling"),
        *PARAGRAPH,
        _bold("3. Changes from older Ver-"),
        _bold("sions"),
        *PARAGRAPH,
    ]
    assert [h.title for h in font_headings([page])] == [
        "Manuscript Title: with Forced Linebreak",
        "2. Evanescent vs. conventional quadrupole light-matter coupling",
        "3. Changes from older Versions",
    ]


def test_a_title_is_found_on_its_page_whatever_punctuation_or_line_breaks_differ() -> None:
    page = "then use that type.\n2.13. Non-regular files\nSometimes it is useful to\n"
    # the outline of Debian's shared-mime-info spec leaves out the page's hyphen
    assert find_title(page, "2.13. Nonregular files", 0) == page.index("2.13.")
    wrapped = "Intro text.\nelsarticle.cls -- A better way to\nformat your document\n"
    title = "elsarticle.cls – A better way to format your document"
    assert find_title(wrapped, title, 0) == wrapped.index("elsarticle")
    assert find_title(page, "2.13. Regular files", 0) is None
    assert (
        find_title("Non-regular files are rare.", "Nonregular files", 1) is None
    )  # not a line's start


def test_a_title_is_found_after_punctuation_the_outline_leaves_out() -> None:
    # fontconfig's user manual: each element's bookmark is its tag without "<", so none on
    # a page was found and the page's text all went under its last element's heading
    page = (
        'fonts-conf\n<dir prefix="default" salt="">\nThis element contains a directory name\n'
        '<remap-dir prefix="default" as-path="" salt="">\nThis element contains\n'
    )
    assert find_title(page, 'dir prefix="default" salt=""', 0) == page.index("<dir")
    remap = 'remapdir prefix="default" aspath="" salt=""'
    assert find_title(page, remap, 0) == page.index("<remap-dir")
    assert find_title(page, "directory name", 0) is None  # still a line's start only


def test_a_running_header_in_heading_type_heads_no_section(tmp_path: Path) -> None:
    # a paper's title repeated atop every page in large type: its pages' text kept its
    # section's heading instead of the title's
    pages = [
        "# Otter Survey\n# 1. Diet\nOtters eat fish.",
        "# Otter Survey\nThey eat crabs too.\n# 2. Dens\nHolts are dens by rivers.",
        "# Otter Survey\nCubs stay in the holt.",
    ]
    document = load_document(write_pdf(tmp_path / "survey.pdf", pages))
    assert [(s.page, s.heading, s.text) for s in document.sections] == [
        (1, "1. Diet", "1. Diet\nOtters eat fish."),
        (2, "1. Diet", "They eat crabs too."),
        (2, "2. Dens", "2. Dens\nHolts are dens by rivers."),
        (3, "2. Dens", "Cubs stay in the holt."),
    ]
    assert document.title == "Otter Survey"
