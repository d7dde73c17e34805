"""A TeX manual's ⟨placeholders⟩, set in Computer Modern's symbol font, read as the symbols
they are, not as the letters of their codes ("\\author{hauthori}"). The manual is uwa-pif's
(LPPL), in tests/data/papers."""

from __future__ import annotations

from pathlib import Path

from ingest.loaders import load_document
from ingest.loaders.pdf_symbol_fonts import reads_as_letters, symbol_for

PAPERS = Path(__file__).resolve().parent.parent / "data" / "papers"


def test_angle_brackets_from_the_symbol_font_read_as_angle_brackets() -> None:
    text = "\n".join(section.text for section in load_document(PAPERS / "uwa-pif.pdf").sections)
    assert "\\author{⟨author⟩}" in text
    assert "\\email{⟨email⟩}" in text
    assert "hauthori" not in text
    assert "The author’s mobile number." in text  # letters in text fonts stay letters


def test_only_the_symbol_fonts_letters_are_symbols() -> None:
    assert reads_as_letters(b"ABCDEF+CMSY10") and reads_as_letters(b"CMBSY7")
    assert reads_as_letters(b"LMMathSymbols9-Regular")
    assert reads_as_letters(b"txsys") and reads_as_letters(b"ABCDEF+Pxsy")  # TX and PX fonts
    assert not reads_as_letters(b"CMR10") and not reads_as_letters(b"CMTI10")
    assert not reads_as_letters(b"txsya") and not reads_as_letters(b"Pxsyc")  # AMS-like sets
    assert [symbol_for(letter) for letter in "fghijn"] == ["{", "}", "⟨", "⟩", "|", "\\"]
