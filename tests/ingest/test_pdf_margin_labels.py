"""Texinfo's category label at the right margin of a definition ("[Function]") is left out
of the definition's line, in PDFs drawn here and in libtasn1's manual as Debian ships it;
a bracketed word inside a line's text stays."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.loaders import load_document
from tests.fixtures.ingest import write_pdf_drawing

LIBTASN1 = Path("/usr/share/doc/libtasn1-doc/libtasn1.pdf")


def _drawn(tmp_path: Path, drawing: bytes) -> str:
    path = write_pdf_drawing(tmp_path / "drawn.pdf", [drawing])
    return "\n".join(section.text for section in load_document(path).sections)


def test_a_label_set_apart_at_a_lines_end_is_left_out(tmp_path: Path) -> None:
    drawing = (
        b"BT /F1 10 Tf 72 720 Td (int asn1_delete_structure \\(asn1_node) Tj ET "
        b"BT /F1 10 Tf 480 720 Td ([Function]) Tj ET "
        b"BT /F1 10 Tf 72 708 Td (*structure\\)) Tj ET"
    )
    assert _drawn(tmp_path, drawing) == "int asn1_delete_structure (asn1_node\n*structure)"


def test_a_bracketed_word_in_the_text_or_no_label_stays(tmp_path: Path) -> None:
    inline = b"BT /F1 10 Tf 72 720 Td (version: number [Callgrind]) Tj ET"
    assert _drawn(tmp_path, inline) == "version: number [Callgrind]"
    reference = b"BT /F1 10 Tf 72 720 Td (as shown in) Tj ET BT /F1 10 Tf 480 720 Td ([12]) Tj ET"
    assert _drawn(tmp_path, reference).endswith("[12]")


@pytest.mark.skipif(
    not LIBTASN1.exists(), reason="libtasn1-doc is not installed (apt-get install libtasn1-doc)"
)
def test_libtasn1s_manual_reads_its_definitions_without_their_labels() -> None:
    text = "\n".join(section.text for section in load_document(LIBTASN1).sections)
    assert "int asn1_parser2tree (const char * file, asn1_node *\ndefinitions," in text
    assert text.count("[Function]") < 10  # 41 before; a first line that fills the width keeps it
