"""Manual pages in roff source (`gzip.1.gz`, `sftp.1`): read as the text `man` shows, by
their sections, with no markup left and every line on the source line it came from. The
snippets below are written for these tests; the pages in tests/data/man_roff are real ones
(see its README), read through the real pipeline."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from ingest.embedder import SentenceTransformerEmbedder
from ingest.errors import LoadError, NotADocumentError
from ingest.loaders import load_document
from ingest.loaders.roff import is_roff, parse
from tests.fixtures.cli import cli_json

PAGES = Path(__file__).parents[1] / "data" / "man_roff"
# A request or macro at a line's start, or an escape, left in the text (".gz" in a filled
# line is text: gzip's page wraps before it)
MARKUP = re.compile(
    r"^\.(?:B|I|BR|IR|RB|TP|PP|SH|SS|IP|RS|RE|nf|fi|br|sp|It|Fl|Ar|Op|Nm|Sh|Pp|Bl|El|Bd|Ed)\b"
    r"|\\f[BIRP(\[]|\\-|\\\(|\\\["
)

MAN = r""".\" a comment
.TH FROB 1 "2024-01-01" "frob 2.0"
.SH NAME
frob \- twiddle the \fIbits\fR of a file
.SH SYNOPSIS
.B frob
.RB [ \-v ]
.I file
.SH OPTIONS
.TP
.BR \-v ", " \-\-verbose
Say what is done,
.B twice
if asked.
.TP
.B \-9
Use level\~9 \(em the \(lqbest\(rq one.
.SS Examples
.nf
frob \-v a.txt
  frob b.txt
.fi
After the example.
.SH SEE ALSO
.BR gzip (1)
"""


def test_a_man_page_reads_as_its_sections_without_markup() -> None:
    document = parse(MAN)
    assert document.title == "frob - twiddle the bits of a file"
    assert [s.heading for s in document.sections] == [
        "NAME",
        "SYNOPSIS",
        "OPTIONS",
        "OPTIONS > Examples",
        "SEE ALSO",
    ]
    [_, synopsis, options, examples, see_also] = document.sections
    assert synopsis.text == "frob [-v] file"
    # each tag on a line of its own, its text below, a blank line between options
    assert options.text == (
        "-v, --verbose\nSay what is done, twice if asked.\n\n-9\n"
        "Use level 9 \u2014 the \u201cbest\u201d one."
    )
    assert examples.text == "```\nfrob -v a.txt\n  frob b.txt\n```\n\nAfter the example."
    assert see_also.text == "gzip(1)"


def test_every_line_keeps_the_source_line_its_text_came_from() -> None:
    document = parse(MAN)
    source = MAN.split("\n")
    for section in document.sections:
        for index, text in enumerate(section.text.split("\n")):
            line = section.line_of(index)
            assert line is not None
            letters = re.sub(r"\W", "", text.split()[0]) if text.strip() else ""
            if letters:  # the source line holds the line's first word, under its markup
                assert letters in re.sub(r"\W", "", source[line - 1]), (text, source[line - 1])
    options = document.sections[2]
    assert options.line == source.index(r".BR \-v " + '", "' + r" \-\-verbose") + 1


MDOC = r""".Dd $Mdocdate: March 1 2024 $
.Dt FROB 1
.Os
.Sh NAME
.Nm frob
.Nd twiddle bits
.Sh SYNOPSIS
.Nm
.Op Fl qv
.Op Fl o Ar file
.Ar path ...
.Sh DESCRIPTION
The
.Nm
utility twiddles
.Ar path .
The options are as follows:
.Bl -tag -width Ds
.It Fl o Ar file
Write to
.Ar file
instead
.Pq default Pa /dev/stdout .
.It Fl v
Be verbose, see
.Xr ssh 1 .
.El
.Bl -bullet -compact
.It
one
.It
two
.El
.Bd -literal -offset indent
$ frob -v x
.Ed
.Dl frob -q y
.Sh EXIT STATUS
.Ex -std
"""


def test_an_mdoc_page_reads_as_its_sections_without_markup() -> None:
    document = parse(MDOC)
    assert document.title == "frob \u2014 twiddle bits"
    [_, synopsis, description, status] = document.sections
    assert synopsis.text == "frob [-qv] [-o file] path ..."
    assert "The frob utility twiddles path. The options are as follows:" in description.text
    assert "-o file\nWrite to file instead (default /dev/stdout)." in description.text
    assert "\n-v\nBe verbose, see ssh(1).\n" in description.text
    assert "\u2022 one\n\u2022 two" in description.text
    assert "```\n$ frob -v x\n```" in description.text
    assert "```\nfrob -q y\n```" in description.text
    assert status.text == "The frob utility exits 0 on success, and >0 if an error occurs."


def test_definitions_conditionals_and_comments_print_nothing() -> None:
    page = "\n".join(
        [
            '.\\" Automatically generated',
            ".de Vb",
            ".ft CW",
            "..",
            ".ie \\n(.g .ds Aq \\(aq",
            ".el .ds Aq '",
            ".if t \\{\\",
            "Only on paper.",
            ".\\}",
            ".ig",
            "Ignored text.",
            "..",
            ".TH X 1",
            ".SH NAME",
            "x \\- it\\*(Aqs \\[u00E9]t\\('e \\\" trailing comment",
            ".IX Item unknown macro",
            ".xyz unknown request",
        ]
    )
    document = parse(page)
    assert [(s.heading, s.text) for s in document.sections] == [("NAME", "x - it's \u00e9t\u00e9")]


def test_a_motion_right_leaves_a_space_and_other_motions_print_nothing() -> None:
    """DocBook's bullet, `\\h'-04'\\(bu\\h'+03'\\c` before the item's line, reads "• login
    name", not "•login name"; a motion left, a fraction of a unit or a computed one is none."""
    page = "\n".join(
        [
            ".TH X 5",
            ".SH DESCRIPTION",
            "These fields are:",
            ".sp",
            ".RS 4",
            ".ie n \\{\\",
            "\\h'-04'\\(bu\\h'+03'\\c",
            ".\\}",
            "login name",
            ".RE",
            ".sp",
            "a\\h'-2m'b\\h'0.5n'c\\h'3u'd\\h'\\w'xx'u'e\\h'1i'f",
        ]
    )
    document = parse(page)
    assert document.sections[0].text.splitlines() == [
        "These fields are:",
        "",
        "• login name",
        "",
        "abcde f",
    ]


def test_tbl_tables_become_rows_of_cells() -> None:
    page = ".TH X 1\n.SH TABLE\n.TS\ntab(;);\nl l.\nname;value\n_\n"
    page += "level;T{\nsix by\ndefault\nT}\n.TE\n"
    [table] = parse(page).sections
    assert table.text == "name | value\nlevel | six by default"


@pytest.mark.parametrize(
    ("text", "manual_name", "expected"),
    [
        (".TH GZIP 1\n", False, True),
        ('.\\" comment\nanything\n', False, True),
        (".so man1/bash.1\n", False, True),
        ('\n.\\" comment\n.Dd March 1 2024\n', False, True),
        ('\\" a text-line comment\n.TH BZGREP 1\n', False, True),  # bzip2's bzgrep.1
        (".\n.TH LZ4 1\n", False, True),  # lz4.1: a lone dot first
        (".PP\ntext\n", False, False),  # a request, but not one a page opens with
        (".PP\ntext\n", True, True),  # ...unless the file is named like a manual page
        ("GZIP(1)     General Commands Manual     GZIP(1)\n", True, False),
        ("Shopping list\n.TH nothing\n", True, False),
    ],
)
def test_roff_is_told_by_its_first_request(text: str, manual_name: bool, expected: bool) -> None:
    assert is_roff(text, manual_name=manual_name) is expected


def test_a_page_file_that_is_not_roff_is_read_as_text(tmp_path: Path) -> None:
    rendered = "LN(1)       User Commands       LN(1)\n\nNAME\n       ln - make links\n"
    (tmp_path / "ln.1").write_text(rendered)
    (tmp_path / "notes.1").write_text("Just some notes.\n")
    (tmp_path / "frob.txt").write_text(MAN)
    assert load_document(tmp_path / "ln.1").title == "ln - make links"  # man's text
    assert load_document(tmp_path / "notes.1").sections[0].text == "Just some notes.\n"
    assert load_document(tmp_path / "frob.txt").title == "frob - twiddle the bits of a file"


def test_a_page_that_only_includes_another_names_it(tmp_path: Path) -> None:
    with pytest.raises(NotADocumentError, match=r"only includes man5/pam_env\.conf\.5"):
        load_document(PAGES / "environment.5.gz")
    document = load_document(PAGES / "rbash.1")
    assert document.warnings == (
        "includes man1/bash.1 (.so), which is not read with it: ingest that page too",
    )
    assert "restricted bash" in document.title


@pytest.mark.parametrize(
    "page",
    [
        ".TH X 1\n.SH NAME\nx\n.nf\nnever closed\n.SH NEXT\nfilled again\n",
        ".TH X 1\n.SH\n",
        ".TH X 1\n.SH NAME\n\\\n\\(\n\\*[\n\\f\n\\s\n\\N'x'\n\\h'\n.if \\{\n.TP\n",
        ".TH X 1\n.SH NAME\n.Bl -tag\n.It\n.El\n.El\n.Ed\n.RE\n.fi\n.TE\n",
        ".Dd\n.Sh NAME\n.Nm\n.Op\n.Xr\n.Fn\n.Lk\n.It Xo\n.Ed\n.El\n.Ex\n",
    ],
)
def test_broken_pages_are_read_as_well_as_they_can_be(page: str) -> None:
    try:
        document = parse(page)
    except LoadError:
        return  # a clear reason is fine too
    text = "\n".join(s.text for s in document.sections)
    assert not MARKUP.search(text)


def test_an_unclosed_literal_block_ends_with_its_section() -> None:
    document = parse(".TH X 1\n.SH A\n.nf\nnever closed\n.SH B\nfilled\nagain\n")
    assert [s.text for s in document.sections] == ["```\nnever closed\n```", "filled again"]


def test_binary_and_oddly_encoded_pages_fail_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "bin.1").write_bytes(b".TH X 1\n\x00\x01\x02" * 100)
    with pytest.raises(NotADocumentError, match="binary"):
        load_document(tmp_path / "bin.1")
    latin = ".TH X 1\n.SH NAME\nx \\- caf\xe9 cr\xe8me br\xfbl\xe9e\n".encode("latin-1")
    (tmp_path / "latin.1").write_bytes(latin)
    assert load_document(tmp_path / "latin.1").title == "x - café crème brûlée"


@pytest.mark.parametrize("name", ["gzip.1", "sftp.1"])
def test_real_pages_keep_no_markup(name: str, tmp_path: Path) -> None:
    compressed = tmp_path / f"{name}.gz"
    compressed.write_bytes(gzip.compress((PAGES / name).read_bytes()))
    document = load_document(compressed)
    lines = [line for s in document.sections for line in s.text.split("\n")]
    assert not [line for line in lines if MARKUP.search(line)]
    assert len(lines) > 150


def test_gzip_options_read_like_the_rendered_page() -> None:
    document = load_document(PAGES / "gzip.1")
    source = (PAGES / "gzip.1").read_text().split("\n")
    assert document.title == "gzip, gunzip, zcat - compress or expand files"
    [options] = [s for s in document.sections if s.heading == "OPTIONS"]
    at = options.text.index("-# --fast --best\nRegulate the speed of compression")
    best = options.text[at:].split("\n\n")[0]
    assert "-9 or --best indicates the slowest compression method" in " ".join(best.split())
    assert "The default compression level is -6" in " ".join(best.split())
    # the tag's line is the .B line it is written on
    tag_index = options.text[:at].count("\n")
    assert source[options.line_of(tag_index) - 1] == ".B \\-# --fast --best"  # type: ignore[operator]


def test_help2man_options_keep_their_flag_and_wrapped_description_in_one_paragraph() -> None:
    # help2man writes `.HP` and the flag, then an untagged `.IP` at each wrapped line
    document = load_document(PAGES / "timeout.1")
    [description] = [s for s in document.sections if s.heading == "DESCRIPTION"]
    options = description.text.split("\n\n")
    assert (
        "-k, --kill-after=DURATION\nalso send a KILL signal if COMMAND is still running\n"
        "this long after the initial signal was sent"
    ) in options
    assert (
        "--preserve-status\nexit with the same status as COMMAND, even when the\ncommand times out"
        in options
    )
    assert "-v, --verbose\ndiagnose to stderr any signal sent upon timeout" in options


INDENTED_PARAGRAPHS = r""".TH X 5
.SH DESCRIPTION
.TP
.B search
Search list for host-name lookup.
.IP
This may be changed by listing the desired domain search path.
.LP
The basic command format is
.IP
x options file
"""


def test_an_indented_paragraph_after_a_finished_sentence_or_outside_an_option_stays_apart() -> None:
    [section] = parse(INDENTED_PARAGRAPHS).sections
    assert section.text.split("\n\n") == [
        "search\nSearch list for host-name lookup.",
        "This may be changed by listing the desired domain search path.",
        "The basic command format is",
        "x options file",
    ]


def test_sftp_mdoc_options_and_commands_stand_on_their_own_lines() -> None:
    document = load_document(PAGES / "sftp.1")
    assert document.title == "sftp \u2014 OpenSSH secure file transfer"
    [options] = [s for s in document.sections if s.heading == "DESCRIPTION"]
    assert "\n-B buffer_size\nSpecify the size of the buffer that sftp uses" in options.text
    [commands] = [s for s in document.sections if s.heading == "INTERACTIVE COMMANDS"]
    assert "\nchgrp [-h] grp path\nChange group of file path to grp." in commands.text


@pytest.mark.slow
def test_a_quote_from_real_pages_answers_in_the_pages_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, embedder: SentenceTransformerEmbedder
) -> None:
    monkeypatch.setattr("assistant.core.load_embedder", lambda config, locations: embedder)
    folder = tmp_path / "man"
    folder.mkdir()
    for name in ("gzip.1", "sftp.1"):
        (folder / f"{name}.gz").write_bytes(gzip.compress((PAGES / name).read_bytes()))
    (folder / "environment.5.gz").write_bytes((PAGES / "environment.5.gz").read_bytes())
    report = cli_json("ingest", str(folder))
    assert len(report["added"]) == 2
    [skipped] = report["skipped"]
    assert "only includes man5/pam_env.conf.5" in skipped["reason"]

    results = cli_json("search", "fastest compression level", "--k", "20")["results"]
    assert all(not MARKUP.search(line) for r in results for line in r["text"].split("\n"))
    assert "gzip, gunzip, zcat - compress or expand files > OPTIONS" in {
        r["heading"] for r in results
    }

    question = "What compression level does gzip use by default?"
    answer = cli_json("ask", question, "--mode", "quote")
    assert "-6" in answer["answer"] and not MARKUP.search(answer["answer"])
    [cited] = [s for s in answer["sources"] if s["number"] == answer["cited"][0]]
    assert Path(cited["path"]).name == "gzip.1.gz"
