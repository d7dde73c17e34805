"""Underscores TeX draws as short rules on the baseline read as underscores, not spaces:
in Debian's bash reference (Texinfo) and two LaTeX documents in tests/data/papers, and in
PDFs drawn here, where rules that are no underscore (above the baseline, an underline) stay
what they were."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.loaders import load_document, pdf_underscores
from ingest.loaders.pdf_underscores import Rule, gap_text, rules_between
from tests.fixtures.ingest import write_pdf_drawing

PAPERS = Path(__file__).resolve().parent.parent / "data" / "papers"
BASHREF = Path("/usr/share/doc/bash/bashref.pdf")

# 10 pt Helvetica: "size" is 17.78 pt wide, so from x = 72 it ends at 89.78.
SIZE_THEN_T = b"BT /F1 10 Tf 72 720 Td (size) Tj ET BT /F1 10 Tf 95.4 720 Td (t) Tj ET "


def _text(path: Path) -> str:
    return "\n".join(section.text for section in load_document(path).sections)


def _drawn(tmp_path: Path, drawing: bytes) -> str:
    return _text(write_pdf_drawing(tmp_path / "drawn.pdf", [drawing]))


def test_a_short_rule_on_the_baseline_between_two_glyphs_is_an_underscore(
    tmp_path: Path,
) -> None:
    # Texinfo's \_: a rule 0.42 em wide and 0.09 em high, kerned 0.07 em from each side.
    assert _drawn(tmp_path, SIZE_THEN_T + b"90.5 719.8 4.2 0.9 re f") == "size_t"


def test_rules_above_the_baseline_or_as_wide_as_a_word_are_no_underscores(
    tmp_path: Path,
) -> None:
    fraction_bar = b"90.5 723 4.2 0.5 re f"  # at the maths axis, not the baseline
    assert _drawn(tmp_path, SIZE_THEN_T + fraction_bar) == "size t"
    underline = b"72 719 30 0.5 re f"  # under both words
    assert _drawn(tmp_path, SIZE_THEN_T + underline) == "size t"
    thick = b"90.5 719.8 4.2 3 re f"  # a box, not a line
    assert _drawn(tmp_path, SIZE_THEN_T + thick) == "size t"


def test_a_page_drawing_more_paths_than_the_limit_is_not_searched_for_underscores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf_underscores, "MAX_PATHS", 3)
    underscore = b"90.5 719.8 4.2 0.9 re f "
    elsewhere = b"300 100 50 50 re f "  # a figure's box
    assert _drawn(tmp_path, SIZE_THEN_T + underscore + elsewhere * 2) == "size_t"
    assert _drawn(tmp_path, SIZE_THEN_T + underscore + elsewhere * 3) == "size t"


def test_an_underscore_after_a_words_space_keeps_the_space() -> None:
    rules = [Rule(104.0, 108.2, 720.0, 720.9)]
    # "$ _x": the glyph before ends at 96, 8 pt (0.8 em) short of the rule; "x" follows closely.
    assert gap_text(rules_between(rules, 96.0, 108.9, 10.0), 96.0, 108.9, 720.0, 10.0, 1.2) == " _"
    twice = [Rule(90.5, 94.7, 720.0, 720.9), Rule(95.4, 99.6, 720.0, 720.9)]
    assert gap_text(rules_between(twice, 89.8, 100.3, 10.0), 89.8, 100.3, 720.0, 10.0, 1.2) == "__"
    assert rules_between(twice, 60.0, 80.0, 10.0) == []  # rules elsewhere on the line


def test_latex_documents_read_their_drawn_underscores() -> None:
    assert "url.sty can be used to embed the underscore “_” and ampersand" in _text(
        PAPERS / "ascexmpl.pdf"
    )
    assert "res_abs.tex" in _text(PAPERS / "ecothesis.pdf")


@pytest.mark.skipif(
    not BASHREF.exists(), reason="Debian's bash-doc is not installed (apt-get install bash-doc)"
)
def test_debian_bash_reference_reads_its_drawn_underscores() -> None:
    text = _text(BASHREF)
    assert "($_, an underscore.)" in text  # was "($ , an underscore.)"
    assert "$TEXTDOMAINDIR/$LC_MESSAGES/LC_MESSAGES/$TEXTDOMAIN.mo" in text
    assert "LC MESSAGES" not in text
