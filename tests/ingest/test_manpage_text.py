"""Manual pages saved as text (`man ln > ln.1.txt`): sections as headings, the NAME line as
the title, `man`'s header and footer left out; other text stays one plain section. The pages
below are excerpts of real pages (GNU coreutils ln(1), OpenSSH ssh(1), findutils find(1),
curl(1))."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from ingest.embedder import SentenceTransformerEmbedder
from ingest.loaders import load_document
from ingest.loaders.manpage import parse

LN = """LN(1)                            User Commands                           LN(1)

NAME
       ln - make links between files

SYNOPSIS
       ln [OPTION]... [-T] TARGET LINK_NAME

DESCRIPTION
       In  the 1st form, create a link to TARGET with the name LINK_NAME.  Cre‐
       ate hard links by default, symbolic links with --symbolic.

       -s, --symbolic
              make symbolic links instead of hard links

SEE ALSO
       link(2), symlink(2)

GNU coreutils 9.1               September 2022                           LN(1)
"""

FIND = """FIND(1)                     General Commands Manual                    FIND(1)

NAME
       find - search for files in a directory hierarchy

EXPRESSION
       The part of the command line after the list of starting points is the
       expression.

   POSITIONAL OPTIONS
       Positional options always return true.

   TESTS
       Some tests, for example -newerXY and -samefile, allow comparison.
       Numeric arguments can be specified as

       +n     for greater than n,

EXAMPLES
   Simple `find|xargs` approach
       Find files named core in or below the directory /tmp and delete them.

FIND 4.9.0                         2022-11-23                           FIND(1)
"""


def test_sections_become_headings_and_the_name_line_the_title() -> None:
    document = parse(LN)
    assert document is not None
    assert document.title == "ln - make links between files"
    assert [s.heading for s in document.sections] == [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "SEE ALSO",
    ]
    description = document.sections[2]
    assert description.line == 10  # where its text starts, below its heading (line 9)
    assert "-s, --symbolic\n              make symbolic links" in description.text
    text = "\n".join(s.text for s in document.sections)
    assert "User Commands" not in text and "September 2022" not in text  # header, footer


# curl(1) as `man curl > curl.1.txt` saves it at 80 columns: groff hyphenates, with U+2010.
CURL = """CURL(1)                          Curl Manual                         CURL(1)

NAME
       curl - transfer a URL

OPTIONS
       -L, --location
              (HTTP) If the server reports that the requested page  has  moved
              to a different location (indicated with a Location: header and a
              3XX response code), this option will make curl redo the  request
              on  the  new  place.  If used together with -i, --include or -I,
              --head, headers from all requested pages will be shown. When au‐
              thentication  is  used,  curl  only sends its credentials to the
              initial host. If a redirect takes curl to a different  host,  it
              will  not be able to intercept the user+password. See also --lo‐
              cation-trusted on how to change this. You can limit  the  amount
              of redirects to follow by using the --max-redirs option.

curl 7.88.1                    February 19 2023                        CURL(1)
"""


def test_words_hyphenated_at_a_lines_end_are_whole_on_their_first_line() -> None:
    document = parse(CURL)
    assert document is not None
    [_, options] = document.sections
    assert "\u2010" not in options.text
    assert "shown. When authentication\n" in options.text
    assert "See also --location-trusted\n" in options.text  # an option, whole again
    assert "\n              on how to change this." in options.text
    # no line added or lost: the section is the file's lines 7 to 17, each where it was
    assert (options.line, options.text.count("\n") + 1) == (7, 11)
    [broken] = [n for n, line in enumerate(CURL.split("\n"), 1) if "When au" in line]
    assert options.text.split("\n")[broken - options.line].endswith("When authentication")


def test_indented_subsections_nest_under_their_section_and_options_do_not() -> None:
    document = parse(FIND)
    assert document is not None
    assert [s.heading for s in document.sections] == [
        "NAME",
        "EXPRESSION",
        "EXPRESSION > POSITIONAL OPTIONS",
        "EXPRESSION > TESTS",
        "EXAMPLES > Simple `find|xargs` approach",
    ]
    assert "+n     for greater than n," in document.sections[3].text  # an option, not a heading


@pytest.mark.parametrize(
    "text",
    [
        "Shopping list\n\nNAME\n       eggs\n",  # no man header
        "LN(1)          User Commands          CP(1)\n\nNAME\n   ln - links\n",  # two pages
        "LN(1)          User Commands          LN(1)\n\nDESCRIPTION\n       links\n",  # no NAME
        "",
    ],
)
def test_other_text_is_not_taken_for_a_manual_page(text: str) -> None:
    assert parse(text) is None


def test_a_text_file_is_read_as_a_manual_page_only_when_it_is_one(tmp_path: Path) -> None:
    (tmp_path / "ln.1.txt").write_text(LN)
    (tmp_path / "notes.txt").write_text("NAME\n       not a man page\n")
    assert load_document(tmp_path / "ln.1.txt").title == "ln - make links between files"
    plain = load_document(tmp_path / "notes.txt")
    assert (plain.title, [s.heading for s in plain.sections]) == ("", [""])


def test_search_finds_the_option_under_its_page_and_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, embedder: SentenceTransformerEmbedder
) -> None:
    monkeypatch.setattr("assistant.core.load_embedder", lambda config, locations: embedder)
    folder = tmp_path / "man"
    folder.mkdir()
    (folder / "ln.1.txt").write_text(LN)
    (folder / "find.1.txt").write_text(FIND)
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(folder), "--json"]).exit_code == 0

    found = runner.invoke(cli, ["search", "make a symbolic link", "--json"])
    top = json.loads(found.stdout)["results"][0]
    assert (Path(top["path"]).name, top["heading"]) == (
        "ln.1.txt",
        "ln - make links between files > DESCRIPTION",
    )
    assert "make symbolic links instead of hard links" in top["text"]
