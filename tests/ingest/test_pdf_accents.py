"""Accents TeX draws apart from their letters, as PDFium reads them, put back on the letters;
marks that stand for something else left alone. The real PDFs are in test_pdf_papers.py."""

from __future__ import annotations

import pytest

from ingest.loaders.pdf_accents import with_accents_on_letters
from ingest.loaders.pdf_text import normalise_pages


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("G¨odel", "Gödel"),
        ("Schr¨odinger equation", "Schrödinger equation"),
        ("Erd˝os", "Erdős"),
        ("´Ecole normale", "École normale"),
        ("le th´eor`eme de Cauchy", "le théorème de Cauchy"),
        ("c’est-`a-dire", "c’est-à-dire"),
        ("satisfait `a cette condition", "satisfait à cette condition"),
        ("Gen`eve", "Genève"),
        ("Disserta¸c˜oes", "Dissertações"),  # a cedilla drawn before its letter
        ("Publicac¸oes", "Publicaçoes"),  # and one drawn after it
        ("fran¸cais", "français"),
        ("Cap´ıtulo", "Capítulo"),  # TeX's \'\i: an acute on a dotless i
        ("Espa˜na", "España"),
        ("un rˆole important", "un rôle important"),
        ("6096 ˚A", "6096 Å"),
        ("Dvoˇr´ak", "Dvořák"),
        ("Jos´e Mar´ıa", "José María"),
        ("Mˆes e ano", "Mês e ano"),
        ("˙Zywiec", "Żywiec"),
    ],
)
def test_accents_join_their_letters(read: str, meant: str) -> None:
    assert with_accents_on_letters(read) == meant


@pytest.mark.parametrize(
    "text",
    [
        "it´s",  # an apostrophe set as an acute
        "don´t",
        "John´s book",
        "we´re",
        "they´ve",
        "˜/.bashrc",  # groff's tilde and circumflex are ASCII ~ and ^
        "ˆC interrupts",
        "the option `english'",  # TeX quotation marks
        "the letter `a'",
        "`ls`",
        "\\`a",  # TeX's own markup for à, quoted in a manual
        "\\hjcode`a=`a",  # TeX's character codes
        "`i=32",
        "organization˜Embedded",  # TeX's tie in a listing
        "F˜A",
        "control˙sequence",  # a listing's visible space
        "x¸1",  # a cedilla by no letter that takes one
        "¨ 1000",
        "Aˆ + Bˆ",
        "plain text with no accents at all",
    ],
)
def test_marks_that_are_no_accents_stay(text: str) -> None:
    assert with_accents_on_letters(text) == text


def test_an_accent_unicode_has_no_letter_for_stays() -> None:
    assert with_accents_on_letters("¯hω") == "¯hω"  # h-bar: no precomposed h with macron


def test_an_accent_left_on_no_letter_goes_and_groffs_tilde_and_caret_stay() -> None:
    # aomart's French sample: TeX set the accents of capitals apart, "Wikipédia" read
    # "Wikipedia ´"; NFKC made that a mark on a space, a stray glyph in every quote
    page = "Th´eor`eme par Wikipedia ´\n1. Enonc´e ´\nType ˆC, or cd ˜/src."
    assert normalise_pages([page]) == ["Théorème par Wikipedia\n1. Enoncé\nType ^C, or cd ~/src."]
