"""PDFs through PDFium: normalised text, running headers gone, headings from the outline or
font sizes, spaces from glyph positions; Debian's bash manuals when installed."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from ingest.loaders import load_document
from ingest.loaders.pdf_text import normalise_pages
from tests.fixtures.ingest import write_pdf, write_pdf_drawing

BASH_DOCS = Path("/usr/share/doc/bash")


def test_normalising_fixes_glyphs_dashes_hyphenation_and_split_words() -> None:
    pages = [
        "The ﬁrst ﬂag is \u2212e; the shell exits. A com\u00admand was exe-\ncuted.",
        "Every command is executed once; executed twice by the shell.",
        "Use a command-line option; the command-\nline is parsed once.",
        "The variable was e xecuted and executed, in the ﬁle. Try cd \u02dc/src.",
    ]
    text = "\n".join(normalise_pages(pages))
    assert "first flag is -e;" in text and "ﬁ" not in text and "\u2212" not in text
    assert "A command was executed." in text  # soft hyphen and end-of-line hyphen joined
    assert "the command-line is parsed" in text  # the document hyphenates this word itself
    assert "The variable was executed and executed" in text  # "e xecuted" rejoined
    assert "cd ~/src" in text  # groff's spacing tilde


def test_running_headers_and_page_numbers_are_removed(tmp_path: Path) -> None:
    pages = [
        f"ACME Field Guide, 2nd edition\nThis page is about {animal}.\nPage {n} of 5"
        for n, animal in enumerate(["otters", "owls", "newts", "voles", "hares"], start=1)
    ]
    document = load_document(write_pdf(tmp_path / "guide.pdf", pages))
    text = "\n".join(s.text for s in document.sections)
    assert "ACME Field Guide" not in text and "of 5" not in text
    assert [s.text for s in document.sections][2] == "This page is about newts."


def test_one_chapters_running_header_contents_entries_and_bare_numbers_go() -> None:
    # pages as PDFium reads a texinfo manual (libtasn1's): contents, then each chapter's
    # pages under its running header with the page number, a page left with its number
    pages = [
        "Table of Contents\n1 Introduction . . . . . . . . . . . . . 1\n"
        "2.4 Library Notes. . . . . . . . . . . . . . 7\nAppendix A Copying . . . . . . . . iv",
        "Chapter 1: Introduction 1\n1 Introduction\nlibtasn1 is a library for ASN.1.",
        "Chapter 2: ASN.1 structure handling 2\nThe parser reads a definitions file.",
        "Chapter 2: ASN.1 structure handling 3\nAn element is named by its path.",
        "Chapter 2: ASN.1 structure handling 4\nThe maximum name size is 64.",
        "Chapter 2: ASN.1 structure handling 5\n2.4 Library Notes\nAll names are ASCII.",
        "6",
        "Chapter 3: Utilities 7\nasn1Parser turns a file into C.",
        "Chapter 3: Utilities 8\nasn1Coding makes DER.",
        "Step 1\nUnpack the sources.",  # a number at a page's edge that is not the page's
        "Step 1\nRun the tests.",
    ]
    cleaned = normalise_pages(pages)
    text = "\n".join(cleaned)
    assert ". . . ." not in text and "Table of Contents" in text  # the entries, not the title
    assert "ASN.1 structure handling" not in text  # four pages, numbered as pages: running
    assert "Utilities" not in text  # two pages are enough when the number counts the pages
    assert "Chapter 1: Introduction 1" in text  # one page: it cannot be told from a title
    assert "2.4 Library Notes\nAll names are ASCII." in text  # the section's own heading stays
    assert cleaned[6] == ""
    assert text.count("Step 1") == 2


def test_a_running_footer_read_between_two_columns_goes_wherever_it_is_on_the_page() -> None:
    # TUGboat's authors' guide: its footer, on left and right pages in turn, comes between
    # the left column and the right in the text layer, at no edge of the page
    topics = ["tags", "macros", "fonts", "figures", "tables", "references"]
    pages = []
    for number, topic in enumerate(topics, start=1):
        footer = f"TUGboat Authors' Guide, March 2022 {number}"
        if number % 2 == 0:
            footer = f"{number} TUGboat Authors' Guide, March 2022"
        steps = "In 2 steps, write them.\n" if number < 3 else ""
        pages.append(
            f"This page is about {topic}.\nAuthors write {topic} with care.\n{footer}\n"
            f"See Table 2 for the tags.\n{steps}The {topic} end here.\nAsk us about {topic}."
        )
    text = "\n".join(normalise_pages(pages))
    assert "Authors' Guide" not in text
    assert text.count("See Table 2 for the tags.") == 6  # on every page, its number no page's
    assert text.count("In 2 steps, write them.") == 2  # two pages of six: no running line
    assert "This page is about tables.\nAuthors write tables with care.\nSee Table 2" in text


@pytest.mark.skipif(
    not (BASH_DOCS / "bashref.pdf").exists(),
    reason="Debian's bash-doc is not installed (apt-get install bash-doc)",
)
def test_debian_bash_reference_loses_its_contents_index_and_chapter_headers() -> None:
    text = "\n".join(s.text for s in load_document(BASH_DOCS / "bashref.pdf").sections)
    assert not re.search(r"(?: ?\.){4,} ?\d+$", text, re.MULTILINE)  # contents and index
    assert len(re.findall(r"^Chapter \d+: ", text, re.MULTILINE)) <= 5  # was 156
    assert "1.1 What is Bash?" in text  # the section itself, with its heading line


def test_outline_gives_each_section_its_heading_path(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    path = write_pdf(
        tmp_path / "manual.pdf",
        [
            "Introduction\nThis manual covers otters.\nHabitat\nRivers and coasts.",
            "Diet\nFish, crabs and sea urchins.",
        ],
    )
    writer = PdfWriter(clone_from=PdfReader(path))
    intro = writer.add_outline_item("Introduction", 0)
    writer.add_outline_item("Habitat", 0, parent=intro)
    writer.add_outline_item("Diet", 1)
    with path.open("wb") as handle:
        writer.write(handle)
    sections = load_document(path).sections
    assert [(s.page, s.heading, s.text) for s in sections] == [
        (1, "Introduction", "Introduction\nThis manual covers otters."),
        (1, "Introduction > Habitat", "Habitat\nRivers and coasts."),
        (2, "Diet", "Diet\nFish, crabs and sea urchins."),
    ]


def test_an_outline_title_is_found_after_its_number_on_the_page(tmp_path: Path) -> None:
    # texinfo's outline says "Library Notes" where the page says "2.4 Library Notes": a title
    # not found used to start at the page's top, heading its every chunk with the last one
    from pypdf import PdfReader, PdfWriter

    path = write_pdf(
        tmp_path / "libtasn1.pdf",
        [
            "2.3 Simple parsing\nFor simple types the parser is enough.\n2.4 Library Notes\n"
            "Names are at most ASN1_MAX_NAME_SIZE long.\n2.5 Future developments\n"
            "Add functions for C code."
        ],
    )
    writer = PdfWriter(clone_from=PdfReader(path))
    chapter = writer.add_outline_item("2 ASN.1 structure handling", 0)
    for title in ("Simple parsing", "Library Notes", "Future developments"):
        writer.add_outline_item(title, 0, parent=chapter)
    with path.open("wb") as handle:
        writer.write(handle)
    sections = load_document(path).sections
    assert [(s.heading.split(" > ")[-1], s.text.split("\n")[1]) for s in sections] == [
        ("Simple parsing", "For simple types the parser is enough."),
        ("Library Notes", "Names are at most ASN1_MAX_NAME_SIZE long."),
        ("Future developments", "Add functions for C code."),
    ]


def test_larger_type_makes_headings_when_there_is_no_outline(tmp_path: Path) -> None:
    path = write_pdf(
        tmp_path / "notes.pdf",
        ["# Sea Otters\nThey hold hands while sleeping.\n# River Otters\nThey live in burrows."],
    )
    sections = load_document(path).sections
    assert [(s.heading, s.text.split("\n")[-1]) for s in sections] == [
        ("Sea Otters", "They hold hands while sleeping."),
        ("River Otters", "They live in burrows."),
    ]


def test_an_authors_line_set_large_with_an_address_is_no_heading(tmp_path: Path) -> None:
    # a manual's title block: the author and e-mail in large type under the title headed
    # every chunk of its first pages ("The MarVoSym Font Package > Thomas Henlich ... @...")
    path = write_pdf(
        tmp_path / "manual.pdf",
        [
            "# The Otter Package\nThe package typesets otters.\n"
            "# Jane Doe (jane.doe@example.org)\nIt needs no options.\n"
            "# Usage\nLoad it in the preamble."
        ],
    )
    sections = load_document(path).sections
    assert [s.heading for s in sections] == ["The Otter Package", "Usage"]
    assert "Jane Doe (jane.doe@example.org)\nIt needs no options." in sections[0].text


def test_gaps_between_glyphs_become_spaces(tmp_path: Path) -> None:
    # Words placed apart by positioning only, as groff and TeX often do: no space glyphs.
    drawing = b"BT /F1 11 Tf 72 720 Td [(they) -350 (are) -350 (here)] TJ ET"
    path = write_pdf_drawing(tmp_path / "kerned.pdf", [drawing])
    assert load_document(path).sections[0].text == "they are here"


def test_a_font_set_at_size_one_and_scaled_by_its_matrix_keeps_kerned_words_whole(
    tmp_path: Path,
) -> None:
    # Acrobat Distiller's way: every font at 1 pt, scaled to 11 by the text matrix. A kern of
    # a fortieth of an em inside "numbered" is a third of a point: a space at 1 pt, not at 11
    drawing = b"BT /F1 1 Tf 11 0 0 11 72 720 Tm [(they) -350 (are) -350 (numb) -25 (ered)] TJ ET"
    path = write_pdf_drawing(tmp_path / "distilled.pdf", [drawing])
    assert load_document(path).sections[0].text == "they are numbered"


def test_type_scaled_larger_by_its_matrix_makes_headings(tmp_path: Path) -> None:
    lines = [(20, "Sea Otters"), (11, "They hold hands."), (20, "River Otters"), (11, "Burrows.")]
    drawing = b"BT /F1 1 Tf " + b" ".join(
        f"{size} 0 0 {size} 72 {720 - 30 * row} Tm ({text}) Tj".encode()
        for row, (size, text) in enumerate(lines)
    )
    path = write_pdf_drawing(tmp_path / "distilled.pdf", [drawing + b" ET"])
    sections = load_document(path).sections
    assert [(s.heading, s.text.split("\n")[-1]) for s in sections] == [
        ("Sea Otters", "They hold hands."),
        ("River Otters", "Burrows."),
    ]


def test_text_turned_up_the_page_keeps_its_spaces(tmp_path: Path) -> None:
    # a rotated label's glyphs follow each other up the page: no gap across it is a space's
    # (confproc's manual turns its diagram's labels so, its font at 1 pt scaled by 6.27)
    drawing = b"BT /F1 1 Tf 0 6.27 -6.27 0 300 300 Tm (General structure of the volume) Tj ET"
    path = write_pdf_drawing(tmp_path / "rotated.pdf", [drawing])
    assert load_document(path).sections[0].text == "General structure of the volume"


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]+", text.lower())


@pytest.mark.skipif(
    not (BASH_DOCS / "bash.pdf").exists(),
    reason="Debian's bash-doc is not installed (apt-get install bash-doc)",
)
def test_debian_bash_manual_reads_cleanly() -> None:
    sections = load_document(BASH_DOCS / "bash.pdf").sections
    text = "\n".join(s.text for s in sections)
    assert not [c for c in set(text) if unicodedata.normalize("NFKC", c) != c]
    assert "\u2212" not in text
    words = _words(text)
    assert words.count("executed") > 20 and "xecuted" not in words
    assert "ifthe" not in words and "theyare" not in words
    # groff draws a space character inside some kerned words ("rev erts", "neg ative")
    assert "reverts" in words and words.count("negative") > 20
    assert not {"erts", "ative", "oked", "ev"} & set(words)
    assert "set [-abefhkmnptuvxBCEHPT]" in text.replace("\u2212", "-") or "-e" in text
    headed = [s for s in sections if s.heading]
    assert len(headed) > 0.9 * len(sections)
    assert any(s.heading.endswith("SHELL BUILTIN COMMANDS") for s in sections)


@pytest.mark.skipif(
    not (BASH_DOCS / "bashref.pdf").exists(),
    reason="Debian's bash-doc is not installed (apt-get install bash-doc)",
)
def test_debian_bash_reference_takes_headings_from_its_outline() -> None:
    sections = load_document(BASH_DOCS / "bashref.pdf").sections
    assert any(
        s.heading
        == "Basic Shell Features > Shell Commands > Compound Commands > Looping Constructs"
        for s in sections
    )
    words = _words("\n".join(s.text for s in sections))
    assert "tion" not in words and "mand" not in words  # hyphenated words joined
