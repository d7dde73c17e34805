"""Jupyter notebooks, CSV/TSV tables and gzip-compressed files."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from ingest.chunking import chunk_sections
from ingest.errors import LoadError, NotADocumentError
from ingest.fakes import HashingEmbedder
from ingest.loaders import compressed, is_supported, load_document
from ingest.types import SourceFile
from ingest.walk import walk
from tests.fixtures.ingest import sample_text, write_files

DEBIAN_NOTEBOOK = Path(
    "/usr/share/doc/python-notebook-doc/html/_sources/examples/Notebook/Running Code.ipynb.txt"
)


def cell(kind: str, source: str, outputs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    made: dict[str, Any] = {"cell_type": kind, "metadata": {}, "source": source.splitlines(True)}
    if kind == "code":
        made.update(execution_count=1, outputs=outputs or [])
    return made


def notebook(cells: list[dict[str, Any]]) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells})


# -- notebooks ---------------------------------------------------------------------------


def test_notebook_cells_are_located_by_heading_and_number_without_outputs(tmp_path: Path) -> None:
    cells = [
        cell("markdown", "# Otter survey\n\nCounts from the estuary."),
        cell(
            "code",
            "import pandas as pd\ncounts = pd.read_csv('otters.csv')",
            [
                {"output_type": "stream", "name": "stdout", "text": ["SECRET OUTPUT\n"]},
                {"output_type": "display_data", "data": {"image/png": "iVBORw0KGgo" * 1000}},
            ],
        ),
        cell("markdown", "## Cleaning\n\n```python\n# not a heading\n```"),
        cell("code", "counts = counts.dropna()"),
        cell("code", ""),
        cell("raw", "raw notes kept as text"),
        cell("code", "x = 1\n" * 400),
    ]
    write_files(tmp_path, {"survey.ipynb": notebook(cells)})
    sections = load_document(tmp_path / "survey.ipynb").sections
    assert [s.heading for s in sections] == [
        "Otter survey > Cells 1-2",
        "Otter survey > Cleaning > Cells 3-6",
        "Otter survey > Cleaning > Cell 7",
    ]
    text = "\n".join(s.text for s in sections)
    assert "counts.dropna()" in text and "raw notes kept as text" in text
    assert "SECRET OUTPUT" not in text and "iVBORw0KGgo" not in text
    assert all(s.line is None for s in sections)


def test_a_markdown_cell_reads_as_the_notebook_shows_it(tmp_path: Path) -> None:
    cells = [
        cell("markdown", "# Kiln log\n\n<!-- draft: check with Ana -->\nFiring notes."),
        cell(
            "markdown",
            '<div class="alert alert-success">\nVent the kiln below <b>600 °C</b>.\n</div>\n'
            "Press the <button class='btn'><i class=\"fa fa-play\"></i></button> button.",
        ),
        cell("code", "html = \"<div class='plot'>kept</div>\""),
    ]
    write_files(tmp_path, {"kiln.ipynb": notebook(cells)})
    [section] = load_document(tmp_path / "kiln.ipynb").sections
    assert "Vent the kiln below 600 °C." in section.text
    assert "Press the  button." in section.text
    assert "alert" not in section.text and "draft" not in section.text
    assert "<div class='plot'>kept</div>" in section.text  # code is code


def test_old_notebooks_with_worksheets_and_heading_cells(tmp_path: Path) -> None:
    old = {
        "nbformat": 3,
        "worksheets": [
            {
                "cells": [
                    {"cell_type": "heading", "level": 1, "source": ["Kiln notes"]},
                    {"cell_type": "code", "input": ["fire(cone=6)"], "outputs": []},
                ]
            }
        ],
    }
    write_files(tmp_path, {"old.ipynb": json.dumps(old)})
    [section] = load_document(tmp_path / "old.ipynb").sections
    assert section.heading == "Kiln notes > Cells 1-2" and "fire(cone=6)" in section.text


def test_debian_jupyter_example_notebook(tmp_path: Path) -> None:
    if not DEBIAN_NOTEBOOK.exists():
        pytest.skip(
            "Jupyter's example notebooks are not installed (apt-get install python-notebook-doc)"
        )
    shutil.copy(DEBIAN_NOTEBOOK, tmp_path / "running.ipynb")
    sections = load_document(tmp_path / "running.ipynb").sections
    headings = [s.heading for s in sections]
    assert any(h.startswith("Running Code > Managing the Kernel > Cell") for h in headings)
    text = "\n".join(s.text for s in sections)
    assert "time.sleep(10)" in text
    assert "127\n255\n511" not in text  # a printed output of the last cell
    assert "<button" not in text and "toolbar above" in text  # its toolbar buttons' markup


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        ('{"cells": [', LoadError, "not a valid notebook: not JSON"),
        ('{"cells": "none"}', LoadError, "it has no list of cells"),
        ("[1, 2, 3]", LoadError, "holds no notebook object"),
        ("[" * 100_000 + "]" * 100_000, LoadError, "nested too deeply"),
        ("  \n", NotADocumentError, "empty file"),
    ],
)
def test_bad_notebooks(tmp_path: Path, content: str, error: type[Exception], message: str) -> None:
    write_files(tmp_path, {"bad.ipynb": content})
    with pytest.raises(error, match=message):
        load_document(tmp_path / "bad.ipynb")


# -- CSV and TSV -------------------------------------------------------------------------


def test_csv_rows_carry_their_column_names_and_line(tmp_path: Path) -> None:
    rows = (
        "name,born,field\nAda Lovelace,1815,mathematics\n\n"
        '"Grace\nHopper",1906,\nAlan Turing,1912,"logic, computing"\n'
    )
    write_files(tmp_path, {"people.csv": rows})
    sections = load_document(tmp_path / "people.csv").sections
    assert [(s.line, s.text) for s in sections] == [
        (2, "name: Ada Lovelace; born: 1815; field: mathematics"),
        (4, "name: Grace Hopper; born: 1906"),
        (6, "name: Alan Turing; born: 1912; field: logic, computing"),
    ]


def test_tsv_semicolons_and_tables_without_a_header(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "sales.tsv": "region\tamount\nNorth\t120\n",
            "prices.csv": "Artikel;Preis\nTasse;4,50\n",
            "readings.csv": "1,20.5,3\n2,21.0,4\n",
        },
    )
    assert load_document(tmp_path / "sales.tsv").sections[0].text == "region: North; amount: 120"
    assert load_document(tmp_path / "prices.csv").sections[0].text == "Artikel: Tasse; Preis: 4,50"
    assert load_document(tmp_path / "readings.csv").sections[0].text == "1 | 20.5 | 3\n2 | 21.0 | 4"


def test_every_chunk_of_a_long_table_has_the_header_and_the_right_line(tmp_path: Path) -> None:
    path = tmp_path / "kilns.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kiln", "cone", "hours", "notes"])
        for number in range(1, 501):
            writer.writerow([f"kiln {number}", number % 12, number % 9, f"firing number {number}"])
    sections = load_document(path).sections
    chunks = chunk_sections(
        sections, HashingEmbedder(dim=8, max_tokens=256), chunk_tokens=200, overlap_tokens=32
    )
    assert len(chunks) == len(sections) > 50  # a group of whole rows fits one chunk
    lines = path.read_text().splitlines()
    rows_seen = 0
    for chunk in chunks:
        rows = chunk.text.split("\n")
        assert all(row.startswith("kiln: kiln ") and "; notes: firing" in row for row in rows)
        first = rows[0].split(";")[0].removeprefix("kiln: ")
        assert chunk.line is not None and lines[chunk.line - 1].startswith(f"{first},")
        rows_seen += len(rows)
    assert rows_seen == 500


def test_bad_tables(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "huge-cell.csv": 'a,b\n1,"' + "x" * 200_000 + '"\n',
            "binary.csv": b"a,b\x00\x01\x02" * 100,
            "empty.csv": "",
        },
    )
    with pytest.raises(LoadError, match="not a valid CSV file: field larger than field limit"):
        load_document(tmp_path / "huge-cell.csv")
    for name in ("binary.csv", "empty.csv"):
        with pytest.raises(NotADocumentError):
            load_document(tmp_path / name)


# -- gzip --------------------------------------------------------------------------------


def _gzip(path: Path, text: str | bytes) -> Path:
    path.write_bytes(gzip.compress(text.encode() if isinstance(text, str) else text))
    return path


def test_gzip_files_are_read_as_the_file_inside(tmp_path: Path) -> None:
    _gzip(tmp_path / "README.md.gz", "# Tool\n\nIntro.\n\n## Usage\n\nRun it.\n")
    _gzip(tmp_path / "guide.rst.gz", "Guide\n=====\n\nRead me.\n")
    _gzip(tmp_path / "page.HTML.GZ", "<h1>Page</h1><p>Web text.</p>")
    _gzip(tmp_path / "changelog.Debian.gz", "tool (1.0-1) unstable; urgency=low\n\n  * First.\n")
    _gzip(tmp_path / "script.py.gz", "print('hi')\n")
    _gzip(tmp_path / "table.csv.gz", "a,b\nx,y\n")
    assert [s.heading for s in load_document(tmp_path / "README.md.gz").sections] == [
        "Tool",
        "Tool > Usage",
    ]
    assert load_document(tmp_path / "guide.rst.gz").sections[0].heading == "Guide"
    assert "Web text." in load_document(tmp_path / "page.HTML.GZ").sections[-1].text
    assert "urgency=low" in load_document(tmp_path / "changelog.Debian.gz").sections[0].text
    assert load_document(tmp_path / "script.py.gz").sections[0].heading == "script.py"
    assert load_document(tmp_path / "table.csv.gz").sections[0].text == "a: x; b: y"


def test_compressed_archives_and_binaries_are_not_documents(tmp_path: Path) -> None:
    _gzip(tmp_path / "backup.tar.gz", b"ustar" + bytes(600))
    _gzip(tmp_path / "blob.gz", bytes(range(256)) * 20)
    assert not is_supported(tmp_path / "backup.tar.gz")
    with pytest.raises(NotADocumentError, match=r"not a text format margin reads \(\.tar\.gz\)"):
        load_document(tmp_path / "backup.tar.gz")
    with pytest.raises(NotADocumentError, match="binary file"):
        load_document(tmp_path / "blob.gz")


# The head of a PostScript file as dvips writes it (gdb's refcard.ps), and one groff writes.
DVIPS = """%!PS-Adobe-2.0
%%Creator: dvips(k) 2022.1 (TeX Live 2022)  Copyright 2022 Radical Eye Software
%%Title: refcard.dvi
%%Pages: 2
%%EndComments
TeXDict begin 1 0 bop 0 0 a Fs(GDB)g(QUICK)g(REFERENCE)f(GDB)h(V)l(ersion)g(5)
"""
GROFF = "\n%!PS-Adobe-3.0\n%%Creator: groff version 1.22.4\n%%Pages: 1\n/F0 10/Times-Roman@0 SF\n"


def test_postscript_is_not_read_as_text(tmp_path: Path) -> None:
    (tmp_path / "refcard").write_text(DVIPS)  # no suffix: the content decides
    _gzip(tmp_path / "refcard.ps.gz", DVIPS)
    (tmp_path / "figure.eps").write_text(GROFF)
    for name in ("refcard", "refcard.ps.gz", "figure.eps"):
        with pytest.raises(NotADocumentError, match=r"^PostScript, not text: convert it to PDF"):
            load_document(tmp_path / name)
    (tmp_path / "notes.txt").write_text("Print with %!PS at the top of the file.\n")
    assert load_document(tmp_path / "notes.txt").sections[0].text.startswith("Print")


def test_debian_compressed_readmes() -> None:
    readmes = sorted(Path("/usr/share/doc").glob("*/*.md.gz"))[:25]
    if not readmes:
        pytest.skip("no gzip-compressed Markdown under /usr/share/doc on this machine")
    headed = 0
    for readme in readmes:
        sections = load_document(readme).sections
        assert sections and sections[0].text.strip()
        headed += any(s.heading for s in sections)
    assert headed >= len(readmes) // 2


def test_bad_gzip_files(tmp_path: Path) -> None:
    good = gzip.compress(b"# Notes\n\n" + b"Some text. " * 2000)
    (tmp_path / "truncated.md.gz").write_bytes(good[: len(good) // 2])
    crc = bytearray(good)
    crc[-8] ^= 0xFF  # the CRC-32 in the trailer
    (tmp_path / "crc.md.gz").write_bytes(bytes(crc))
    (tmp_path / "plain.md.gz").write_text("# Not compressed at all\n")
    (tmp_path / "empty.txt.gz").write_bytes(b"")
    bomb = _gzip(tmp_path / "bomb.txt.gz", bytes(compressed.MAX_UNPACKED_BYTES + 1))
    assert bomb.stat().st_size < 200_000
    expected = {
        "truncated.md.gz": "truncated gzip file",
        "crc.md.gz": "damaged gzip file: CRC check failed",
        "plain.md.gz": "not gzip-compressed: the file is text",
        "bomb.txt.gz": "expands past 64 MB",
    }
    for name, message in expected.items():
        with pytest.raises(LoadError, match=message):
            load_document(tmp_path / name)
    with pytest.raises(NotADocumentError, match="empty file"):
        load_document(tmp_path / "empty.txt.gz")


def test_a_gzip_files_work_is_its_unpacked_size_from_the_trailer(tmp_path: Path) -> None:
    """Progress counts what reading costs: Node's `all.json.gz` is 1 MB on disk and 7 MB of
    text; counted at 1 MB, bytes stood still while it embedded and the time left climbed
    from 1:29:23 to 3:45:14."""
    text = sample_text("gzip", 400)
    packed = _gzip(tmp_path / "notes.txt.gz", text)
    (tmp_path / "plain.md.gz").write_text("# Not compressed at all, and longer than 18 bytes\n")
    _gzip(tmp_path / "bomb.txt.gz", bytes(compressed.MAX_UNPACKED_BYTES + 10))
    (tmp_path / "notes.txt").write_text(text)
    found = {
        item.path.name: item
        for item in walk([tmp_path], max_bytes=1 << 30)
        if isinstance(item, SourceFile)
    }
    assert found["notes.txt.gz"].size == packed.stat().st_size < len(text) // 2
    assert found["notes.txt.gz"].work == len(text.encode())
    assert found["notes.txt"].work == found["notes.txt"].size
    assert found["bomb.txt.gz"].work == compressed.MAX_UNPACKED_BYTES + 1  # read up to there
    # not gzip-compressed after all: its size on disk counts (reading it fails)
    assert found["plain.md.gz"].work == found["plain.md.gz"].size
