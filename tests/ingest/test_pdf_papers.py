"""Academic papers through the PDF loader: compounds broken at a line's end keep their hyphen,
a manuscript's line numbers go, running headers on left and right pages in turn go, numbered
section headings head their sections, footnotes follow their page's body, a sentence
broken by a page break is whole on its first page, also when the next page opens with a
figure. Real papers (elsarticle's and ascelike's test documents, LPPL) are in
tests/data/papers."""

from __future__ import annotations

from pathlib import Path

from ingest.chunking import chunk_document
from ingest.fakes import HashingEmbedder
from ingest.loaders import load_document
from ingest.loaders.pdf_line_numbers import without_line_numbers
from ingest.loaders.pdf_page_breaks import carried_over
from ingest.loaders.pdf_text import normalise_pages
from tests.fixtures.ingest import write_pdf

PAPERS = Path(__file__).resolve().parent.parent / "data" / "papers"


def _text(path: Path) -> str:
    return "\n".join(section.text for section in load_document(path).sections)


def _pages(path: Path) -> dict[int, str]:
    """Each page's text on one line, by page number."""
    pages: dict[int, list[str]] = {}
    for section in load_document(path).sections:
        pages.setdefault(section.page or 0, []).append(section.text)
    return {page: " ".join(" ".join(texts).split()) for page, texts in pages.items()}


def test_a_footnote_at_a_columns_foot_follows_its_page_and_the_paragraph_reads_on() -> None:
    # footnote 5 sat at the foot of the left column, between "the potential caused" and the
    # right column's "by dielectric mismatch": a chunk read the footnote mid-sentence
    pages = _pages(PAPERS / "elsarticle-5p.pdf")
    assert "the potential caused by dielectric mismatch on the PMS surface." in pages[2]
    assert pages[2].endswith(" comparing to the evanescent field penetration depth")
    assert pages[2].index("the initial state") < pages[2].index("comparing to the evanescent")
    # the title's and the authors' footnotes, kept together after the first page's body
    notes = pages[1].index("This document is the results of the research project")
    assert pages[1].index("of the WGM evanescent field.") < notes
    assert "3 Yet another author footnote. 4WGM occur at particular" in pages[1][notes:]


def test_a_sentence_broken_by_footnotes_and_a_page_break_is_whole_on_its_first_page() -> None:
    # the first page's footnotes sat between "Thus," and the next page's "the temporal ..."
    pages = _pages(PAPERS / "elstest-1p.pdf")
    sentence = "Thus, the temporal coherence of the condensate is effectively broken [4, 5]."
    assert f"tends to escape from the crystal. {sentence} ?This document is" in pages[1]
    assert pages[2].startswith("One proposed solution to this issue")


def test_a_word_hyphenated_across_a_page_break_is_joined_on_its_first_page() -> None:
    # "for-" ends ascelike's second page, "mat of the output manuscript." starts the third
    pages = _pages(PAPERS / "ascexmpl.pdf")
    assert pages[2].endswith("specify the overall format of the output manuscript.")
    assert pages[3].startswith("Journal produces double-spaced manuscripts")


def test_a_sentence_broken_by_a_page_that_opens_with_a_figure_is_whole_on_its_first_page() -> None:
    # "To improve the" ends the fourth page; the fifth opens with Figure 2's caption, and
    # "spatial coherence one has to sacrifice ..." follows the caption's last line
    pages = _pages(PAPERS / "elstest-3p.pdf")
    assert pages[4].endswith(
        "To improve the spatial coherence one has to sacrifice the temporal coherence "
        "slightly by delocalizing the corresponding WGM."
    )
    assert pages[5].startswith("Figure 2: Schematic of formation of the evanescent polariton")
    assert "WGM-WGM coupling between the microspheres. It can be done by using" in pages[5]


def test_only_a_float_that_opens_the_page_is_passed_over() -> None:
    ending = "The coupling grows as the spheres come closer, and the"
    figure = "(a) (b)\nFigure 3: Dispersion of the polariton on a chain\nof spheres."
    assert carried_over([ending, f"{figure}\nchain keeps it. It holds."]) == [
        f"{ending}\nchain keeps it.",
        f"{figure}\nIt holds.",
    ]
    prose = "Our model, unlike the earlier ones, is solved in closed form."
    for following in (
        f"{prose}\n{figure}\nchain keeps it.",  # the page opens with prose, not a float
        f"{figure}\nThe chain keeps it.",  # a sentence of its own follows the caption
        "Figure 3: Dispersion\n" + "\n".join(["x = 1"] * 8) + "\nchain.",  # no caption's end
    ):
        assert carried_over([ending, following]) == [ending, following]


def test_a_compound_hyphenated_across_a_page_break_keeps_its_hyphen() -> None:
    pages = [
        "A camera is ready; the team reads it.\nThey sent the camera-",
        "ready copy on time. It came.\nThe shell under-",
        "stands it; under the stands.\nThe end.",
        "of the pages: a page that starts so and follows a full stop stays",
    ]
    cleaned = normalise_pages(pages)
    assert cleaned[0].endswith("They sent the camera-ready copy on time.")
    assert cleaned[1] == "It came.\nThe shell understands it; under the stands."
    assert cleaned[2] == "The end."
    assert cleaned[3] == pages[3]


def test_a_running_footer_set_in_footnote_type_still_goes() -> None:
    footer = "J. ACM, Vol. 37, No. 4, Article 111. Publication date: August 2018."
    animals = ["otters", "owls", "newts", "voles"]
    pages = [f"This page tells of {animal}." for animal in animals]
    notes = [f"{n}Seen near the river by {animal}.\n{footer}" for n, animal in enumerate(animals)]
    cleaned = normalise_pages(pages, notes)
    assert cleaned[1] == "This page tells of owls.\n\n1 Seen near the river by owls."
    assert not any("J. ACM" in page for page in cleaned)


def test_a_real_two_column_paper_keeps_its_compounds_hyphenated_at_line_ends() -> None:
    # PDFium joins a word broken at a line's end and marks the join; dropping the mark read
    # "quasi-\nparticle" as "quasiparticle" and "micro-\ncavity" as "microcavity"
    text = " ".join(_text(PAPERS / "elsarticle-5p.pdf").split())
    assert "This quasi-particle is formed by the resonant interaction" in text
    assert "planar micro-cavity [6]" in text


def test_a_real_paper_without_bookmarks_is_split_by_its_numbered_section_headings() -> None:
    # its headings are bold at the body size, numbered; all it was split by was its title
    document = load_document(PAPERS / "elsarticle-5p.pdf")
    headings = list(dict.fromkeys(section.heading for section in document.sections))
    assert headings[-5:] == [
        "1. Introduction",
        "2. Evanescent vs. conventional quadrupole light-matter coupling",
        "3. Results and discussion",  # on a page with formulas, whose type was not read
        "4. Appendix",
        "References",
    ]
    chunks = chunk_document(
        document, "elsarticle-5p.pdf", HashingEmbedder(), chunk_tokens=120, overlap_tokens=0
    )
    results = [c for c in chunks if "utilize the above calculated WGM" in " ".join(c.text.split())]
    assert [(c.page, c.heading.split(" > ")[-1]) for c in results] == [
        (3, "3. Results and discussion")
    ]


def test_hyphenation_is_still_joined_and_a_syllable_is_no_compound() -> None:
    pages = [
        "The document uses infor-\nmation and never writes the word whole.",
        "A camera-\nready copy; the camera is ready. The parser re-\nceives it be-\ncause",
        "of the be and cause words. The shell under-\nstands it; under the stands.",
    ]
    text = "\n".join(normalise_pages(pages))
    assert "uses information and" in text  # halves at a line end are not words of their own
    assert "A camera-ready copy" in text  # both halves are words the document uses
    assert "receives it because" in text  # "re" and "be" are too short for a compound
    assert "The shell understands it" in text  # two words of its own, but one English word


def test_manuscript_line_numbers_go_and_a_numbered_list_stays() -> None:
    body = [f"{n} line {n} of the manuscript, set with lineno" for n in range(27, 45)]
    short_page = ["45 the last few lines", "46 of the manuscript", "47 end.", "Footnote 1"]
    listed = ["Steps:", "1 unpack", "2 build", "3 install", "4 test"]
    pages = ["\n".join(body), "\n".join(short_page), "\n".join(listed)]
    cleaned = without_line_numbers(pages)
    assert cleaned[0].split("\n")[0] == "line 27 of the manuscript, set with lineno"
    assert cleaned[1] == "the last few lines\nof the manuscript\nend.\nFootnote 1"
    assert without_line_numbers([pages[2]]) == [pages[2]]  # no page shows line numbering


def test_a_code_listings_numbers_leave_a_short_run_on_a_long_page_alone() -> None:
    # "Everything we know about CRC but afraid to forget" (zlib1g-dev's crc-doc): its code
    # listings number their lines, a page of them is line numbering, and the contents page's
    # chapters and a chapter's heading lost their numbers, the heading then found nowhere
    listing = [f"{n} crc ^= table[(crc ^ data[i]) & 0xff];" for n in range(1, 31)]
    contents = ["Contents", *(f"{n} Chapter {n} {n + 1}" for n in range(1, 5))]
    contents += [f"{n}.1 Part of chapter {n} . . . . {n + 1}" for n in range(1, 27)]
    chapter = ["1 Definition of CRC", *(f"Prose line {n} of the definition." for n in range(40))]
    chapter[20:23] = ["1 = CRC(M1, v)", "2 + x + 1) = x", "3 + 2x"]
    pages = ["\n".join(listing), "\n".join(contents), "\n".join(chapter)]
    cleaned = without_line_numbers(pages)
    assert cleaned[0].split("\n")[0] == "crc ^= table[(crc ^ data[i]) & 0xff];"
    assert cleaned[1:] == pages[1:]


def test_line_numbers_go_through_the_loader_and_hyphenation_is_joined_again(
    tmp_path: Path,
) -> None:
    lines = [f"{n} Otters hold hands while they sleep, said note {n}." for n in range(1, 20)]
    lines[5] = "6 The otters behaviour was docu-"
    lines[6] = "7 mented by the survey team."
    document = load_document(write_pdf(tmp_path / "draft.pdf", ["\n".join(lines)]))
    text = document.sections[0].text
    assert text.startswith("Otters hold hands while they sleep, said note 1.")
    assert "The otters behaviour was documented by the survey team." in text


def test_running_headers_on_left_and_right_pages_in_turn_go(tmp_path: Path) -> None:
    topics = ["otters", "owls", "newts", "voles", "hares", "moles"]
    pages = [
        ("Smith et al." if number % 2 == 0 else "A Field Guide to Small Animals")
        + f"\nThis page is about {topic}.\nThey live in burrows and rivers."
        for number, topic in enumerate(topics, start=1)
    ]
    document = load_document(write_pdf(tmp_path / "paper.pdf", pages))
    text = "\n".join(s.text for s in document.sections)
    assert "Smith et al." not in text and "Field Guide" not in text
    assert "This page is about newts." in text


def test_a_sidebar_repeated_at_every_pages_top_goes_however_many_lines_it_has() -> None:
    # elsarticle's manual opens each page with a 16-line sidebar: its version, date, contact,
    # and "QUICK LINKS" to its sections, which also cut the pages at false headings
    text = _text(PAPERS / "elsdoc-4pages.pdf")
    for furniture in ("Version: 3.3", "Contact: elsarticle@stmdocs.in", "QUICK LINKS"):
        assert furniture not in text
    assert "I Final print" not in text and "I Frontmatter I Floats" not in text
    assert "elsarticle.cls is a thoroughly re-written document class" in text


def test_lines_below_the_running_block_go_only_when_most_pages_have_them() -> None:
    # jmlr's manual: margin notes "11pt" ending one page and "12pt" opening the next, below
    # a two-line running header, count pages by chance; they are text, not a header
    header = "The jmlr class\nCode"
    body = "A line of code.\nAnother line.\nA third line."
    pages = [
        f"{header}\nThe first page.\n{body}",
        f"{header}\n{body}\nPass font sizes to jmlr\n11pt",
        f"{header}\n12pt\nSwitch on two-side mode.\n{body}",
        f"{header}\nThe last page.\n{body}",
    ]
    cleaned = normalise_pages(pages)
    assert cleaned[1].endswith("to jmlr\n11pt") and cleaned[2].startswith("12pt\n")
    assert not any("The jmlr class" in page for page in cleaned)


def test_accents_drawn_apart_from_their_letters_are_put_back_in_text_and_headings() -> None:
    # ecothesis's guide, in Computer Modern's old encoding: PDFium reads "Disserta¸c˜oes",
    # "Vin´ıcius", "Pre^ambulo"; no search for "utilização" found it, and its sections'
    # headings, cleaned apart from the page, were not found on it
    document = load_document(PAPERS / "ecothesis.pdf")
    text = "\n".join(section.text for section in document.sections)
    for word in ("Dissertações", "Vinícius", "necessários", "Preâmbulo", "Capítulos"):
        assert word in text
    assert not any(mark in text for mark in "¨´˜ˆ¸\u0301\u0303\u0327")
    headings = {section.heading for section in document.sections}
    assert "2 Guia de utilização > 2.3 Preâmbulo" in headings
    preamble = next(s for s in document.sections if s.heading.endswith("2.3 Preâmbulo"))
    assert preamble.text.startswith("2.3 Preâmbulo\n")


def test_a_papers_title_block_heads_no_section() -> None:
    # the author's name and the date under ecothesis's title, set alike and larger than the
    # body text, were headings of their own: "Guia de utilização > 13 de junho de 2018"
    document = load_document(PAPERS / "ecothesis.pdf")
    subtitle = document.sections[1]  # after the title's
    assert subtitle.heading == "Guia de utilização"
    assert subtitle.text == "Guia de utilização\nVinícius Barros Rodrigues\n13 de junho de 2018"
    assert document.sections[2].heading == "1 Organograma dos arquivos"
