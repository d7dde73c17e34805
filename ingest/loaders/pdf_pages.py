"""A PDF page's text layer through PDFium, with the spaces its layout implies.

PDFium's own text leaves out spaces that typesetters make by positioning glyphs rather than
by a space character ("theyare" in groff output); a gap between two upright glyphs on one
line wider than `GAP_EM` of the size they are drawn at (the font's size scaled by the text
matrix) is a space here. The other way round, groff sets a space
character inside some kerned words ("rev erts", "neg ative" in bash.pdf) and draws the next
glyph over it: a space character whose next glyph starts no further than `TOUCHING_EM` past
the glyph before it is no word break. Each line also reports its largest font size,
from which headings can be found in PDFs without an outline. A word PDFium joined across a
line break keeps its hyphen and its break, for `normalise_pages` to judge with the whole
document in view: "exe-cuted" is one word, "camera-ready" a compound. A lowercase letter
read from one of TeX's maths symbol fonts is the symbol it draws (`pdf_symbol_fonts`), and
a gap where TeX draws an underscore as a rule reads "_" (`pdf_underscores`). A category
label Texinfo sets apart at the right margin of a definition's first line ("[Function]") is
left out: it is not part of the prototype it ends.
"""

from __future__ import annotations

import ctypes
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ingest.loaders.pdf_symbol_fonts import could_be_symbol, reads_as_letters, symbol_for
from ingest.loaders.pdf_underscores import Rule, gap_text, page_rules, rules_between

GAP_EM = 0.12  # a horizontal gap this wide (in font sizes) between glyphs is a space
# A space character with a gap this narrow (in font sizes) across it is inside a word. In
# bash.pdf the 24 such spaces span -0.02 to -0.005 and a word's space at least 0.05; in 60
# of texlive-doc's PDFs, 1 space character of 225,803 spans less ("Pawe l", -0.001).
TOUCHING_EM = 0.02
# A gap this wide (in font sizes) before a line's last words sets them apart from the line:
# Texinfo's category label at a definition's right margin follows 4.7 of them in Nettle's manual.
LABEL_GAP_EM = 2.0
_MARGIN_LABEL = re.compile(r"\[[A-Z][a-z]+(?: [A-Za-z]+){0,2}\]")  # [Function], [Context struct]
_UPRIGHT_SKEW = 0.5  # an oblique font's shear is at most this share of its scale; a turn more
_LINE_BREAKS = "\r\n"
_FONT_NAME_BYTES = 128
# Font weights PDFium reports are unreliable (695 for Times-Roman); font names are not. TeX's
# bold fonts say so in a code: CMBX10 and CMBSY10 (Computer Modern), SFBX1000 (cm-super),
# HFBRBX10; URW's Times says NimbusRomNo9L-Medi.
_BOLD_NAME = re.compile(
    rb"bold|black|heavy|semibold|demi|-medi(?:ital)?$"
    rb"|(?:^|\+)(?:cmbx|cmbsy|cmb\d|cmssbx|sfb[xi]|sfsx|hfbrbx)",
    re.IGNORECASE,
)
_SOFT_HYPHENS = "\x02\ufffe\u00ad"  # PDFium's mark where a hyphenated word was joined
_LEFT_OUT = "\x00"  # a character PDFium's text range leaves out


@dataclass(frozen=True, slots=True)
class PageLine:
    text: str
    size: float  # the largest font size on the line, in points
    bold: bool = False  # every word on the line is set in a bold font
    top: float = 0.0  # the line's highest and lowest glyph edges, in points up from the
    bottom: float = 0.0  # page's foot (0 for both when the place is not known: OCR)


def body_size(pages: Sequence[Sequence[PageLine]]) -> float | None:
    """The size most of the document's text is set in, rounded to 0.1 point."""
    sizes: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            if line.size > 0:
                sizes[round(line.size, 1)] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else None


def page_lines(page: Any) -> list[PageLine]:
    """The lines of one pypdfium2 page, with spaces restored and font sizes."""
    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range(0, count) if count > 0 else ""
        aligned = text if len(text) == count else _aligned(text, count, textpage.raw, pdfium_c)
        if aligned is None:  # no telling which index is which character's
            return _plain_lines(text)
        return _spaced_lines(
            aligned,
            textpage.raw,
            pdfium_c,
            _has_symbol_font(page, pdfium_c),
            page_rules(page.raw, pdfium_c),
        )
    finally:
        textpage.close()


def _has_symbol_font(page: Any, pdfium_c: Any) -> bool:
    """Whether a text object of `page` is set in a font whose symbols PDFium reads as
    letters: asked once per page, so that only such pages ask each letter's font (which
    made reading bash's manuals 40% slower)."""
    name = ctypes.create_string_buffer(_FONT_NAME_BYTES)
    for index in range(pdfium_c.FPDFPage_CountObjects(page.raw)):
        item = pdfium_c.FPDFPage_GetObject(page.raw, index)
        if pdfium_c.FPDFPageObj_GetType(item) != pdfium_c.FPDF_PAGEOBJ_TEXT:
            continue
        font = pdfium_c.FPDFTextObj_GetFont(item)
        named = font and pdfium_c.FPDFFont_GetBaseFontName(font, name, _FONT_NAME_BYTES)
        if named and reads_as_letters(name.value):
            return True
    return False


def _spaced_lines(
    text: str,
    raw_page: Any,
    pdfium_c: Any,
    symbol_font: bool = False,
    rules: Sequence[Rule] = (),
) -> list[PageLine]:
    rect = pdfium_c.FS_RECTF()
    box = ctypes.byref(rect)
    char_box = pdfium_c.FPDFText_GetLooseCharBox
    glyph_size = _GlyphSize(raw_page, pdfium_c)
    font_info = pdfium_c.FPDFText_GetFontInfo
    is_generated = pdfium_c.FPDFText_IsGenerated
    name = ctypes.create_string_buffer(_FONT_NAME_BYTES)
    flags = ctypes.c_int()
    lines: list[PageLine] = []
    current: list[str] = []
    largest, top, bottom = 0.0, 0.0, 0.0
    bold = True
    size = 10.0
    upright = True
    previous_right: float | None = None
    previous_bottom = 0.0
    drawn_space = False  # the last character was a space the PDF draws, not PDFium's guess
    label: int | None = None  # where the text after the line's last wide gap starts in `current`
    for index, char in enumerate(text):
        if char in _LINE_BREAKS:
            if char == "\n" or not text.startswith("\n", index + 1):
                lines.append(
                    PageLine(_text(current, label), largest, bold and bool(current), top, bottom)
                )
                current, largest, previous_right, bold, label = [], 0.0, None, True, None
            continue
        if char == _LEFT_OUT:
            continue
        if char in _SOFT_HYPHENS:
            if text.startswith(("\r", "\n"), index + 1):
                current.append("-")  # the line break follows
            elif _next_glyph_starts_a_line(text, index, raw_page, previous_bottom, size, pdfium_c):
                current.append("-")
                lines.append(PageLine(_text(current, label), largest, bold, top, bottom))
                current, largest, previous_right, bold, label = [], 0.0, None, True, None
            continue
        if char.isspace():
            current.append(" ")
            drawn_space = not is_generated(raw_page, index)
            continue
        char_box(raw_page, index, box)
        if (
            drawn_space
            and upright
            and previous_right is not None
            and current[-1] == " "
            and abs(rect.bottom - previous_bottom) < size / 2
            and rect.left - previous_right < TOUCHING_EM * size
        ):
            current.pop()  # a kerned word's inner space
        drawn_space = False
        if not current or current[-1] == " ":  # font sizes change between words, if at all
            drawn_size, upright = glyph_size(index)
            size = drawn_size or size
            largest = max(largest, size)
            if previous_right is None:  # the line's first glyph
                top, bottom = rect.top, rect.bottom
            else:  # a line's extent is that of its words' first glyphs
                top, bottom = max(top, rect.top), min(bottom, rect.bottom)
            if bold:
                font_info(raw_page, index, name, _FONT_NAME_BYTES, ctypes.byref(flags))
                bold = bool(_BOLD_NAME.search(name.value))
        # Where the glyph before on this line ends; None at a line's first glyph.
        after = (
            previous_right
            if previous_right is not None and abs(rect.bottom - previous_bottom) < size / 2
            else None
        )
        # The gap from that glyph, in font sizes; 0 where there is none to judge.
        gap = (rect.left - after) / size if upright and after is not None and current else 0.0
        if gap > LABEL_GAP_EM:
            label = len(current)
        drawn = (
            _drawn_underscores(rules, raw_page, index, after, rect.left, size, pdfium_c)
            if rules
            and after is not None
            and (gap > GAP_EM or (current and current[-1] == " "))
            and upright
            else None
        )
        if drawn is not None:
            if current[-1] == " ":
                current.pop()
            current.append(drawn)
        elif gap > GAP_EM and current[-1] != " ":
            current.append(" ")
        if symbol_font and could_be_symbol(char):
            font_info(raw_page, index, name, _FONT_NAME_BYTES, ctypes.byref(flags))
            if reads_as_letters(name.value):
                char = symbol_for(char)
        current.append(char)
        previous_right, previous_bottom = rect.right, rect.bottom
    if current:
        lines.append(PageLine(_text(current, label), largest, bold, top, bottom))
    return lines


def _text(characters: list[str], label: int | None) -> str:
    """A line's text, without the category label Texinfo sets at the right margin of a
    definition's first line ("void pbkdf2 (...) [Function]") after a wide gap (`label`: where
    the text after the line's last one starts)."""
    if label is not None and _MARGIN_LABEL.fullmatch("".join(characters[label:]).strip()):
        return "".join(characters[:label]).rstrip()
    return "".join(characters)


def _drawn_underscores(
    rules: Sequence[Rule],
    raw_page: Any,
    index: int,
    after: float,
    before: float,
    size: float,
    pdfium_c: Any,
) -> str | None:
    """The underscores drawn as rules (`pdf_underscores`) between the glyph before and the
    glyph at `index`, with the spaces beside them; None when there are none."""
    rules = rules_between(rules, after, before, size)
    if not rules:
        return None
    x, y = ctypes.c_double(), ctypes.c_double()
    if not pdfium_c.FPDFText_GetCharOrigin(raw_page, index, ctypes.byref(x), ctypes.byref(y)):
        return None
    return gap_text(rules, after, before, y.value, size, GAP_EM * size)


class _GlyphSize:
    """The size a character is drawn at on the page, in points (its font's size scaled by
    its text matrix), and whether it stands upright. Acrobat Distiller sets every font at
    size 1 and scales it by the matrix; PDFium's font size alone said 1 point there, so a
    kern of a quarter point opened a space inside a word ("numb er", "do es" in llncs's
    manual) and no line was larger than another. A rotated glyph's neighbours follow it up
    or down the page, not across: gaps across it say nothing of spaces."""

    def __init__(self, raw_page: Any, pdfium_c: Any):
        self._page = raw_page
        self._font_size = pdfium_c.FPDFText_GetFontSize
        self._get_matrix = pdfium_c.FPDFText_GetMatrix
        self._matrix = pdfium_c.FS_MATRIX()
        self._pointer = ctypes.byref(self._matrix)

    def __call__(self, index: int) -> tuple[float, bool]:
        size = float(self._font_size(self._page, index))
        if not self._get_matrix(self._page, index, self._pointer):
            return size, True
        m = self._matrix
        scale = math.sqrt(abs(m.a * m.d - m.b * m.c))
        upright = abs(m.b) + abs(m.c) <= _UPRIGHT_SKEW * (abs(m.a) + abs(m.d))
        return size * scale, upright


def _next_glyph_starts_a_line(
    text: str, index: int, raw_page: Any, bottom: float, size: float, pdfium_c: Any
) -> bool:
    """Whether PDFium's hyphen mark at `index` ends a line: it joins the two halves of a word
    broken there, and dropping the mark lost the hyphen of a compound ("camera-ready" read
    "cameraready"). The line is given back, hyphen and all, for `normalise_pages` to judge."""
    following = index + 1
    if following >= len(text) or text[following].isspace():
        return False
    rect = pdfium_c.FS_RECTF()
    pdfium_c.FPDFText_GetLooseCharBox(raw_page, following, ctypes.byref(rect))
    return abs(rect.bottom - bottom) >= size / 2


def _aligned(text: str, count: int, raw_page: Any, pdfium_c: Any) -> str | None:
    """The page's text with a blank (`_LEFT_OUT`) for each character PDFium's text range
    left out, so that a character's place in it is its index for PDFium's font and box
    queries. The range leaves out control codes in formulas, on a paper's every page with
    an equation; without this its lines lost their font sizes, and so their headings."""
    aligned: list[str] = []
    at = 0
    for index in range(count):
        code = chr(pdfium_c.FPDFText_GetUnicode(raw_page, index))
        if at < len(text) and (
            code == text[at]
            or (code in _SOFT_HYPHENS and text[at] in _SOFT_HYPHENS)
            or ("\ud800" <= code <= "\udbff" and ord(text[at]) > 0xFFFF)  # one of a pair
        ):
            aligned.append(text[at])
            at += 1
        else:
            aligned.append(_LEFT_OUT)
    return "".join(aligned) if at == len(text) else None


def _plain_lines(text: str) -> list[PageLine]:
    for hyphen in _SOFT_HYPHENS:
        text = text.replace(hyphen, "")
    return [PageLine(line, 0.0) for line in text.replace("\r\n", "\n").split("\n")]


def page_draws(page: Any) -> bool:
    """True when the page draws anything at all: text, a path, a form or an image."""
    import pypdfium2.raw as pdfium_c

    return bool(pdfium_c.FPDFPage_CountObjects(page.raw))


def page_has_images(page: Any) -> bool:
    """True when the page draws at least one image (a scan, if it has no text)."""
    import pypdfium2.raw as pdfium_c

    return any(obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE for obj in page.get_objects(max_depth=2))
