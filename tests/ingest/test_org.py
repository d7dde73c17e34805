"""Org mode files: headings with their TODO keywords, keywords, drawers, blocks and inline
markup read as words, line numbers kept; real Org files from Debian through the pipeline."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.ask.types import AskOptions
from assistant.config import parse_config
from assistant.core import build_assistant, open_index
from assistant.locations import Locations
from ingest.embedder import SentenceTransformerEmbedder
from ingest.errors import NotADocumentError
from ingest.loaders import load_document
from ingest.loaders.org import parse
from ingest.loaders.org_inline import plain
from ingest.types import LoadedDocument
from tests.fixtures.ingest import write_files

# Whole files from Debian's elpa-org-appear and elpa-org-make-toc (README.md beside them).
REAL_ORG = Path(__file__).parents[1] / "data" / "org"

TASKS = """\
#+TITLE: Home and /work/
#+AUTHOR: Ada Lovelace
#+STARTUP: overview
#+FILETAGS: :personal:
#+TODO: TODO NEXT WAIT(w@/!) | DONE CANCELLED(c)

* Home
** TODO [#A] Call the plumber about the tap   :house:urgent:
   SCHEDULED: <2026-11-03 Tue 10:00> DEADLINE: <2026-11-05 Thu>
   :PROPERTIES:
   :ID:       3f2a9c1e-5b7d-4e0f-9a61-0c8d2b7e4f10
   :CREATED:  [2026-10-30 Fri 09:12]
   :END:
   :LOGBOOK:
   - State "TODO"       from "NEXT"       [2026-10-31 Sat 08:00]
   CLOCK: [2026-10-31 Sat 08:00]--[2026-10-31 Sat 08:30] =>  0:30
   :END:
   His number is in =contacts.org=.
** NEXT Buy paint
** WAIT [#B] Hear back from the landlord
* Work
"""


def _text(document: LoadedDocument) -> str:
    return "\n".join(section.text for section in document.sections)


def test_heading_paths_keep_todo_keywords_and_leave_priority_and_tags_to_the_text() -> None:
    document = parse(TASKS)
    assert [(s.heading, s.line) for s in document.sections] == [
        ("", 2),
        ("Home", 7),
        ("Home > TODO Call the plumber about the tap", 8),
        ("Home > NEXT Buy paint", 19),
        ("Home > WAIT Hear back from the landlord", 20),  # a keyword of the file's own
        ("Work", 21),
    ]
    plumber = document.sections[2].text.split("\n")
    assert plumber[:5] == [
        "TODO Call the plumber about the tap",
        "",
        "Priority: A",
        "",
        "Tags: house, urgent",
    ]
    assert document.sections[2].lines[:3] == (8, 8, 8)  # the heading's attributes: its line


def test_title_and_keywords_are_readable_lines_and_setup_is_left_out() -> None:
    document = parse(TASKS)
    assert document.title == "Home and work"
    assert document.sections[0].text == "Author: Ada Lovelace\nTags: personal"
    for markup in ("#+", "STARTUP", "overview", "CANCELLED"):
        assert markup not in _text(document)


def test_planning_properties_and_logbook_are_readable_lines() -> None:
    text = parse(TASKS).sections[2].text
    assert "Scheduled: 2026-11-03 Tue 10:00; Deadline: 2026-11-05 Thu" in text
    assert "CREATED: 2026-10-30 Fri 09:12" in text
    assert '- State "TODO"       from "NEXT"       2026-10-31 Sat 08:00' in text
    assert "His number is in `contacts.org`." in text
    for left_out in (":PROPERTIES:", ":END:", ":LOGBOOK:", "3f2a9c1e", "CLOCK", "=>"):
        assert left_out not in text


def test_source_and_example_blocks_are_fenced_code_and_quotes_are_quotations() -> None:
    org = (
        "* Code\n"
        "#+begin_src emacs-lisp :results silent\n"
        "  (setq org-log-done 'time)\n"
        "  ,* not a heading\n"
        "#+end_src\n"
        "#+BEGIN_EXAMPLE\n"
        "$ make\n"
        "#+END_EXAMPLE\n"
        "#+Begin_Quote\n"
        "Simplicity is /prerequisite/ for reliability.\n"
        "#+End_Quote\n"
        "#+begin_comment\nprivate\n#+end_comment\n"
        ": fixed width\n"
    )
    [section] = parse(org).sections
    assert section.text == (
        "Code\n\n```emacs-lisp\n(setq org-log-done 'time)\n* not a heading\n```\n"
        "```\n$ make\n```\n> Simplicity is prerequisite for reliability.\n```\nfixed width\n```"
    )
    assert section.lines == (1, 1, 2, 3, 4, 5, 6, 7, 8, 10, 15, 15, 15)


def test_a_block_without_its_end_is_text_and_reported() -> None:
    document = parse("* Notes\n#+BEGIN_SRC sh\nls -l\n* Next\nMore.\n")
    assert document.warnings == (
        "line 2: #+BEGIN_SRC has no #+END_SRC; what follows it was read as text",
    )
    assert [s.text for s in document.sections] == ["Notes\n\nls -l", "Next\n\nMore."]


def test_a_heading_written_inside_an_example_block_stays_in_it() -> None:
    """Real READMEs (org-drill's) show Org syntax in examples without Org's comma escapes."""
    document = parse("* Cards\n#+BEGIN_EXAMPLE\n* Item  :drill:\nQuestion?\n#+END_EXAMPLE\n")
    assert [s.heading for s in document.sections] == ["Cards"]
    assert "```\n* Item  :drill:\nQuestion?\n```" in document.sections[0].text


@pytest.mark.parametrize(
    ("org", "read"),
    [
        (
            "See [[https://orgmode.org][the manual]] and [[file:notes.org]].",
            "See the manual and file:notes.org.",
        ),
        ("A [[*Setup][link]] to [[*Setup]].", "A link to Setup."),
        ("*bold*, /italic/, _underlined_", "bold, italic, underlined"),
        ("=org-log-done= and ~(setq x 1)~", "`org-log-done` and `(setq x 1)`"),
        (
            "Docs in /usr/share/doc/ and /usr/share/doc here",
            "Docs in /usr/share/doc/ and /usr/share/doc here",
        ),
        ("a*b*c = 6, 1/2/3, snake_case_name", "a*b*c = 6, 1/2/3, snake_case_name"),
        ("=a*b*c= stays code", "`a*b*c` stays code"),
        (
            "Due <2026-11-03 Tue 10:00>, seen [2026-10-01 Thu].",
            "Due 2026-11-03 Tue 10:00, seen 2026-10-01 Thu.",
        ),
        ("<2026-11-03 Tue>--<2026-11-05 Thu>", "2026-11-03 Tue to 2026-11-05 Thu"),
        ("Noted[fn:1], inline[fn::as said].", "Noted[^1], inline(as said)."),
    ],
)
def test_inline_markup_is_read_as_words(org: str, read: str) -> None:
    assert plain(org) == read


def test_lists_checkboxes_tables_and_footnotes() -> None:
    org = (
        "* Shopping\n"
        "- [ ] white paint\n"
        "- [X] brushes\n"
        "- colour :: off-white\n"
        "\n"
        "| Tool | Price |\n"
        "|------+-------|\n"
        "| saw  | 12    |\n"
        "|------+-------|\n"
        "| sum  | 12    |\n"
        "#+TBLFM: @>$2=vsum(@2..@-1)\n"
        "\n"
        "[fn:1] Bought at the market.\n"
    )
    [section] = parse(org).sections
    assert section.text == (
        "Shopping\n\n- [ ] white paint\n- [x] brushes\n- colour: off-white\n\n"
        "| Tool | Price |\n| --- | --- |\n| saw  | 12    |\n| sum  | 12    |\n\n"
        "[^1]: Bought at the market."
    )
    assert section.lines == (1, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 13)


def test_org_files_are_found_by_suffix_and_bad_ones_are_reported(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "tasks.org_archive": "* DONE Paint the shed\n  CLOSED: [2025-06-01 Sun 18:00]\n",
            "latin.org": "* Café\nCrème brûlée à la carte.\n".encode("latin-1"),
            "binary.org": b"\x00\x01\x02 not text",
            "empty.org": "#+STARTUP: overview\n# only a comment\n",
        },
    )
    archived = load_document(tmp_path / "tasks.org_archive")
    assert archived.sections[0].heading == "DONE Paint the shed"
    assert "Closed: 2025-06-01 Sun 18:00" in archived.sections[0].text
    assert "Crème brûlée" in load_document(tmp_path / "latin.org").sections[0].text
    with pytest.raises(NotADocumentError, match="binary file"):
        load_document(tmp_path / "binary.org")
    with pytest.raises(NotADocumentError, match="no text in the file"):
        load_document(tmp_path / "empty.org")


def test_real_org_files_keep_no_markup() -> None:
    appear = load_document(REAL_ORG / "org-appear-README.org")
    assert [s.heading for s in appear.sections][1:4] == [
        "`org-appear`",
        "`org-appear` > About",
        "`org-appear` > Installation",
    ]
    toc = load_document(REAL_ORG / "org-make-toc-example.org")
    assert "Document top-level heading > Chapter 1: Inline TOC > Section 1a" in {
        s.heading for s in toc.sections
    }
    for document in (appear, toc):
        assert not document.warnings
        text = _text(document)
        for markup in ("#+", ":PROPERTIES:", ":END:", ":CONTENTS:", "[["):
            assert markup not in text, markup


@pytest.fixture(scope="module")
def org_home(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Locations:
    """The real Org files ingested as `margin ingest` does: MiniLM, LanceDB."""
    home = tmp_path_factory.mktemp("org-home")
    shutil.copytree(REAL_ORG, home / "notes", ignore=shutil.ignore_patterns("*.md"))
    locations = Locations(config_dir=home / "config", data_dir=home / "data").ensure()
    assistant = build_assistant(
        locations=locations, config=parse_config("", locations.config_file), embedder=embedder
    )
    try:
        report = assistant.ingest([home / "notes"])
    finally:
        assistant.close()
    assert not report.failed and not report.warnings and len(report.added) == 2
    return locations


def test_real_org_files_are_stored_without_markup_under_their_headings(
    org_home: Locations, embedder: SentenceTransformerEmbedder
) -> None:
    store = open_index(org_home, embedder=embedder).store
    paths = sorted(str(path) for path in (org_home.data_dir.parent / "notes").iterdir())
    chunks = store.document_chunks(paths)
    assert len({chunk.path for chunk in chunks}) == 2
    for chunk in chunks:
        for markup in ("#+BEGIN_SRC", "#+begin_src", ":PROPERTIES:", "#+TITLE", ":END:"):
            assert markup not in chunk.text, (chunk.heading, markup)
        assert chunk.line is not None
    headings = {chunk.heading for chunk in chunks}
    assert {
        "`org-appear` > Usage",
        "Document top-level heading > Chapter 1: Inline TOC",
    } <= headings
    usage = next(c for c in chunks if c.heading == "`org-appear` > Usage")
    assert "```emacs-lisp\n(add-hook 'org-mode-hook 'org-appear-mode)\n```" in usage.text
    assert usage.line == 30  # "** Usage"
    hook = usage.text.split("\n").index("(add-hook 'org-mode-hook 'org-appear-mode)")
    assert usage.lines is not None and usage.lines[hook] == 36  # its line in the file


def test_a_quote_answer_from_a_real_org_file(
    org_home: Locations, embedder: SentenceTransformerEmbedder
) -> None:
    assistant = build_assistant(
        locations=org_home, config=parse_config("", org_home.config_file), embedder=embedder
    )
    try:
        answer = assistant.ask(
            "How do I enable org-appear automatically on org-mode start-up?",
            AskOptions(mode="quote"),
        ).complete()
    finally:
        assistant.close()
    assert answer.mode == "quote" and not answer.refused and answer.cited, answer
    assert "(add-hook 'org-mode-hook 'org-appear-mode)" in answer.answer
    assert "#+begin_src" not in answer.answer


def test_a_headings_lines_planning_and_drawer_stand_apart_from_the_paragraph_below() -> None:
    # a quote joins a paragraph's wrapped lines: these lines must not run into the text
    task = "* TODO Call the plumber :house:\nSCHEDULED: <2026-11-03 Tue>\nThe tap drips.\n"
    text = parse(task).sections[0].text
    assert (
        text
        == "TODO Call the plumber\n\nTags: house\n\nScheduled: 2026-11-03 Tue\n\nThe tap drips."
    )
    drawer = "* Boiler\n:PROPERTIES:\n:MODEL: Vaillant ecoTEC\n:END:\nServiced every May.\n"
    assert parse(drawer).sections[0].text.endswith("MODEL: Vaillant ecoTEC\n\nServiced every May.")
