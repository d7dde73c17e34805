"""Sections made ready for chunking: context headings, dropped furniture, merged fragments."""

from __future__ import annotations

from ingest.sections import (
    after_opening_heading,
    context_heading,
    document_title,
    only_heading,
    prepare_sections,
)
from ingest.types import Section

LONG = "Sea otters hold hands while they sleep, so that they do not drift apart at night. " * 2


def test_every_heading_starts_with_the_title_once() -> None:
    assert context_heading("Otters", "Otters > Sleep") == "Otters > Sleep"
    assert context_heading("notes.txt", "") == "notes.txt"
    assert context_heading("manual.pdf", "Diet > Fish") == "manual.pdf > Diet > Fish"
    assert document_title("", [Section("x", heading="Guide > A")], "g.md") == "Guide"
    two_tops = [Section("x", heading="Install"), Section("y", heading="Usage")]
    assert document_title("", two_tops, "g.md") == "g.md"


def test_heading_only_and_furniture_sections_are_dropped() -> None:
    sections = [
        Section("Methods", heading="T > Methods"),
        Section("Previous topic\nNext topic\nShow Source", heading="T > Navigation"),
        Section(LONG, heading="T > Methods > sleep()"),
    ]
    assert [s.heading for s in prepare_sections(sections, "T")] == ["T > Methods > sleep()"]


def test_a_heading_with_nothing_under_it_is_kept_its_words_being_all_there_is() -> None:
    # an Org task list: "Home" has tasks under it, a task is a heading with no text
    sections = [
        Section("Home", heading="Home"),
        Section("TODO Call the insurance (claim no. 55-2026-1187)", heading="Home > TODO Call"),
        Section("DONE Replace the battery", heading="Home > DONE Replace the battery"),
        Section("Work", heading="Work"),
        Section(LONG, heading="Work > Talk"),
    ]
    ready = prepare_sections(sections, "Tasks")
    text = "\n".join(s.text for s in ready)
    assert "claim no. 55-2026-1187" in text and "DONE Replace the battery" in text
    assert "Home" not in text.split("\n") and "Work" not in text.split("\n")


def test_tiny_sections_are_packed_under_their_common_heading() -> None:
    sections = [
        Section("keys()\n\nReturn the keys.", heading="T > Context > keys()"),
        Section("values()\n\nReturn the values.", heading="T > Context > values()"),
        Section(LONG, heading="T > Context > run()"),
    ]
    packed, entry = prepare_sections(sections, "T")
    assert packed.heading == "T > Context"
    assert packed.text == "keys()\n\nReturn the keys.\n\nvalues()\n\nReturn the values."
    assert entry.heading == "T > Context > run()"


def test_a_packed_entry_whose_text_opens_with_its_wrapped_heading_is_not_led_by_it_again() -> None:
    # a paper's title over three lines, its bookmark in one: the chunk read the title twice
    title = "ecothesis - Um modelo em LATEX para Trabalhos de Conclusão de Curso, Teses"
    sections = [
        Section(
            "ecothesis - Um modelo em LATEX para\nTrabalhos de Conclusão de\nCurso, Teses",
            heading=f"T > {title}",
        ),
        Section("Vinícius Barros Rodrigues", heading="T > Guia > Vinícius Barros Rodrigues"),
        Section(LONG, heading="T > Organograma"),
    ]
    packed, _ = prepare_sections(sections, "T")
    assert packed.text.count("Trabalhos") == 1
    assert packed.text.startswith("ecothesis - Um modelo em LATEX para\nTrabalhos")


def test_packed_options_keep_their_term_lines_once() -> None:
    # git's manual pages as HTML: an option's terms are label lines over its description
    sections = [
        Section("-n:\n--dry-run:\nDo no harm.", heading="T > OPTIONS > -n / --dry-run"),
        Section("-v:\nRun verbosely.", heading="T > OPTIONS > -v"),
        Section(LONG, heading="T > OPTIONS > --all"),
    ]
    packed, _ = prepare_sections(sections, "T")
    assert packed.heading == "T > OPTIONS"
    assert packed.text == "-n:\n--dry-run:\nDo no harm.\n\n-v:\nRun verbosely."


def test_the_text_after_a_chunks_own_heading_lines() -> None:
    entry = "bytes.partition(sep)\nbytearray.partition(sep)\n\nSplit the sequence."
    heading = "T > bytes.partition(sep) / bytearray.partition(sep)"
    assert after_opening_heading(entry, heading) == entry.index("Split")
    assert after_opening_heading("## Diet\n\nLow salt.", "Log > Diet") == len("## Diet\n\n")
    assert after_opening_heading("Diet\nLow salt.", "Log > Diet") == len("Diet\n")
    # a label line is its entry's term, not a heading line over a blank one
    assert after_opening_heading("-v:\nRun verbosely.", "T > -v") is None
    assert after_opening_heading("Low salt.\n\nDiet", "Log > Diet") is None


def test_markdown_headings_count_as_their_words() -> None:
    sections = [
        Section("# Garden log", heading="Garden log"),
        Section("## Diet\n\nLow salt.", heading="Garden log > Diet"),
        Section("Tools\n-----\n\nShears.", heading="Garden log > Tools"),
        Section("## Seeds ##\n\nBeans.", heading="Garden log > Seeds"),
        Section("Beans #2\n\nLate.", heading="Garden log > Beans"),
        Section(LONG, heading="Garden log > Hydrangeas"),
    ]
    packed, _ = prepare_sections(sections, "Garden log")
    assert packed.heading == "Garden log"  # "# Garden log" alone is the heading, dropped
    assert packed.text == (
        "## Diet\n\nLow salt.\n\nTools\n-----\n\nShears.\n\n## Seeds ##\n\nBeans.\n\n"
        "Beans\nBeans #2\n\nLate."
    )


def test_a_tiny_introduction_joins_its_subsection() -> None:
    sections = [
        Section("The module defines:", heading="T > Errors", line=3),
        Section(LONG, heading="T > Errors > exception Error", line=5),
    ]
    [joined] = prepare_sections(sections, "T")
    assert joined.heading == "T > Errors > exception Error" and joined.line == 3
    assert joined.text.startswith("The module defines:\n\n")


def test_the_tail_of_a_section_cut_by_a_page_break_joins_it() -> None:
    sections = [
        Section(LONG + "A sample value", heading="PARAMETERS > CDPATH", page=4),
        Section('is ".:~:/usr".', heading="PARAMETERS > CDPATH", page=5),
        Section(LONG, heading="PARAMETERS > HOME", page=5),
        Section("Last words.", heading="PARAMETERS > HOME", page=6),
    ]
    first, second, third = prepare_sections(sections, "bash.pdf")
    assert first.page == 4 and first.text.endswith('A sample value\nis ".:~:/usr".')
    assert second.heading == "bash.pdf > PARAMETERS > HOME"
    assert third.page == 6  # a finished sentence before the break: the page stays its own


def test_the_title_carries_what_the_file_name_adds_and_a_heading_is_not_repeated() -> None:
    journal = [Section("# Tuesday\n\n" + LONG, heading="Tuesday")]
    [day] = prepare_sections(journal, "Tuesday", "2026-11-03.md")
    assert day.heading == "Tuesday (2026-11-03, 3 November 2026)"
    [note] = prepare_sections([Section(LONG, heading="Notes > Otters")], "Notes", "notes.md")
    assert note.heading == "Notes > Otters"  # a generic file name adds nothing
    # A DOCX's Title paragraph and its first heading, of the same words
    plan = [Section(LONG, heading="Kitchen plan > Kitchen plan > Budget")]
    assert prepare_sections(plan, "Kitchen plan")[0].heading == "Kitchen plan > Budget"
    assert context_heading("T", "A > A > B") == "T > A > B"


def test_front_matter_is_the_documents_not_its_first_subsections() -> None:
    front = "---\ntitle: Atlas kickoff\ndate: 2026-09-01\nattendees: [Mara, Jonas, Priya]\n---"
    sections = [
        Section(front + "\n\n# Atlas kickoff", heading="Atlas kickoff", line=1),
        Section("## Agreed\n\n" + LONG, heading="Atlas kickoff > Agreed", line=9),
    ]
    [kickoff] = prepare_sections(sections, "Atlas kickoff")
    assert kickoff.heading == "Atlas kickoff"
    assert kickoff.text.startswith(front + "\n\n# Atlas kickoff\n\n## Agreed")
    # Front matter over one line of text is tiny: it joins what follows.
    trip = [
        Section("---\ntitle: Lisbon trip\ntags: [travel]\n---\n\n# Lisbon trip\n\nTalk: PyData."),
        Section("## Documents\n\n" + LONG, heading="Lisbon trip > Documents"),
    ]
    [joined] = prepare_sections(
        [Section(s.text, heading=s.heading or "Lisbon trip") for s in trip], "Lisbon trip"
    )
    assert joined.heading == "Lisbon trip" and "## Documents" in joined.text


def test_a_titles_heading_line_is_its_heading_with_the_file_names_words_too() -> None:
    assert only_heading("# Tuesday", "Tuesday (2026-11-03, 3 November 2026)")
    assert not only_heading("# Monday", "Tuesday (2026-11-03, 3 November 2026)")
