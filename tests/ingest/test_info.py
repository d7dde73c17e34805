"""GNU Info manuals: read by their nodes under the heading path their titles make, without
node headers, menus, indexes or tag tables, cross-references as the printed manual sets them.
The snippets are written for these tests; tests/data/info holds a real manual (see its README),
read through the real pipeline."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from ingest.embedder import SentenceTransformerEmbedder
from ingest.errors import NotADocumentError
from ingest.loaders import load_document
from ingest.loaders.info import is_info, parse
from tests.fixtures.cli import cli_json

TIME = Path(__file__).parents[1] / "data" / "info" / "time.info.gz"

MANUAL = "\n".join(
    [
        "This is frob.info, produced by makeinfo version 6.8 from frob.texi.",  # 1
        "INFO-DIR-SECTION Basics",
        "START-INFO-DIR-ENTRY",
        "* Frob: (frob).    Twiddle bits.",
        "END-INFO-DIR-ENTRY",
        "",
        "\x1f",
        "File: frob.info,  Node: Top,  Next: Invoking,  Up: (dir)",
        "",
        "Frob",  # 10
        "****",
        "",
        "This manual documents frob 2.0.",
        "",
        "* Menu:",
        "",
        "* Invoking::     How to run frob.",
        "* Index::        Every option.",
        "",
        " -- The Detailed Node Listing --",  # 20
        "",
        "Invoking",
        "",
        "* Options::      What each flag does.",
        "",
        "\x1f",
        "File: frob.info,  Node: Invoking,  Next: Index,  Prev: Top,  Up: Top",
        "",
        "1 Invoking frob",
        "***************",  # 30
        "",
        "* Menu:",
        "",
        "* Options::    What each flag does.",
        "",
        "Frob reads its files in order.  Exit status is described in *note",
        "Exit status::.  See also (*note Options::), and *Note Backups: Backup",
        "options.",
        "",
        "\x1f",  # 40
        "File: frob.info,  Node: Options,  Up: Invoking",
        "",
        "1.1 Options",
        "===========",
        "",
        "'-v'",
        "     Say what is done (*note Manuals: (dir)Top.).",
        "",
        "\x1f",
        "File: frob.info,  Node: Index,  Prev: Invoking,  Up: Top",  # 50
        "",
        "Index",
        "*****",
        "",
        "\x00\x08[index\x00\x08]",
        "* Menu:",
        "",
        "* -v:            Options.    (line 6)",
        "",
        "\x1f",  # 60
        "Tag Table:",
        "Node: Top\x7f123",
        "\x1f",
        "End Tag Table",
    ]
)


def test_nodes_read_under_their_titles_without_headers_menus_or_indexes() -> None:
    loaded = parse(MANUAL)
    assert loaded.title == "Frob"
    assert [(s.heading, s.text) for s in loaded.sections] == [
        ("Frob", "Frob\n\nThis manual documents frob 2.0."),
        (
            "1 Invoking frob",
            "1 Invoking frob\n\n\n\n\n\nFrob reads its files in order.  Exit status is "
            "described in \nExit status.  See also (see Options), and See Backups.",
        ),
        (
            "1 Invoking frob > 1.1 Options",
            "1.1 Options\n\n'-v'\n     Say what is done (see Manuals).",
        ),
    ]


def test_every_line_keeps_the_file_line_it_came_from() -> None:
    sections = parse(MANUAL).sections
    places = {
        line: section.line_of(index)
        for section in sections
        for index, line in enumerate(section.text.split("\n"))
        if line.strip()
    }
    places = {line.rstrip(): at for line, at in places.items()}
    assert places["Frob"] == 10
    assert places["Frob reads its files in order.  Exit status is described in"] == 36
    assert places["1.1 Options"] == 43
    assert places["     Say what is done (see Manuals)."] == 47


def test_a_split_manuals_table_of_parts_and_a_menu_file_are_skipped_with_a_reason() -> None:
    table = "This is find.info.\n\x1f\nIndirect:\nfind.info-1: 1201\nfind.info-2: 306417\n\x1f\n"
    assert is_info(table)
    with pytest.raises(NotADocumentError, match=r"find\.info-1, find\.info-2"):
        parse(table)
    directory = "\x1f\nFile: dir\tNode: Top\tThis is the top of the INFO tree\n\n* Menu:\n\n"
    with pytest.raises(NotADocumentError, match="directory of the Info manuals"):
        parse(directory + "* Frob: (frob).   Twiddle bits.\n")
    menus = MANUAL.replace("This manual documents frob 2.0.", "").replace("Frob reads", "* Frob:")
    with pytest.raises(NotADocumentError, match="menus and indexes only"):
        parse(menus.split("\x1f\nFile: frob.info,  Node: Options")[0])
    assert not is_info("Plain notes.\nFile: taxes.txt, Node: none\n")


def test_a_real_manual_reads_as_info_shows_it(tmp_path: Path) -> None:
    # find.info-2 holds only an index node: its NUL markers do not make it binary
    part = tmp_path / "frob.info-2"
    part.write_bytes(MANUAL.encode())
    assert load_document(part).title == "Frob"
    loaded = load_document(TIME)
    text = "\n".join(s.text for s in loaded.sections)
    raw = gzip.decompress(TIME.read_bytes()).decode()
    assert raw.count("\x1f") > 10 and "*note" in raw and "* Menu:" in raw
    for left_out in ("\x1f", "File: time.info", "* Menu:", "*note", "*Note", "Tag Table"):
        assert left_out not in text
    assert loaded.title == "Time"
    headings = [s.heading for s in loaded.sections]
    assert "1 Measuring Program Resource Use > 1.3 Redirecting Output" in headings
    assert not any("Concept index" in h for h in headings)


def test_a_quote_from_a_real_manual_cites_its_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, embedder: SentenceTransformerEmbedder
) -> None:
    monkeypatch.setattr("assistant.core.load_embedder", lambda config, locations: embedder)
    folder = tmp_path / "info"
    folder.mkdir()
    (folder / TIME.name).write_bytes(TIME.read_bytes())
    table = "This is time.info.\n\x1f\nIndirect:\ntime.info-1: 1201\n\x1f\n"
    (folder / "split.info.gz").write_bytes(gzip.compress(table.encode()))
    report = cli_json("ingest", str(folder))
    assert len(report["added"]) == 1
    [skipped] = report["skipped"]
    assert "its text is in time.info-1" in skipped["reason"]

    question = "How do I make time write its report to a file instead of the screen?"
    answer = cli_json("ask", question, "--mode", "quote")
    assert "write the statistics to a file" in " ".join(answer["answer"].split())
    assert "*note" not in answer["answer"] and "File: time.info" not in answer["answer"]
    cited = [s["heading"] for s in answer["sources"] if s["number"] in answer["cited"]]
    assert any(heading.endswith("1.3 Redirecting Output") for heading in cited)
