"""Clean the text a PDF's text layer gives: glyphs, dashes, hyphenation, split words, and
running headers and footers.

- Accents TeX draws apart from their letters ("G¨odel") are put on them (`pdf_accents`).
- Unicode NFKC: ligatures (ﬁ, ﬂ, ﬀ) and compatibility glyphs become plain letters.
- Minus signs and hyphen-like dashes that stand for "-" (U+2212, U+2010-2012, an en dash
  starting an option such as "–e") become "-", spacing tilde and circumflex "~" and "^";
  soft hyphens and zero-width characters go.
- End-of-line hyphenation is joined ("exe-\\ncuted" -> "executed") unless the document
  itself writes that word with a hyphen ("command-line"), or never writes it joined while
  both halves are words of its own and the whole is no common English word
  ("camera-\\nready" -> "camera-ready", but "under-\\nstands" -> "understands").
- Words split by letter spacing are rejoined ("e xecuted" -> "executed") when the joined word
  occurs elsewhere in the document and the parts do not.
- Lines repeated at the top or bottom of most pages, or of most left or right pages (running
  headers and footers, page numbers, a paper's title and its authors in turn) are removed,
  and so are numbered ones on two or more pages whose last number counts the pages
  ("Chapter 4: Function reference 9", "... 10": one chapter's running header). One on most
  pages whose number counts the pages goes wherever the text layer puts it: a two-column
  journal's footer comes between its columns.
- Contents and index entries, a title and its page number joined by a dot leader
  ("2.4 Library Notes . . . . . 7", "alias . . . . 53"), are removed: they repeat every title
  and term of the document, and a search for one found the contents page, not the section.
  So are the entries of an index set as makeindex sets it, a term and its pages without a
  leader ("alias, 12, 45, 67"), and the "see" references beside them, but only on a page
  most of whose lines are such entries (`pdf_index_entries`).
- A page holding nothing but its number is empty, and a manuscript's line numbers go
  (`pdf_line_numbers`).
- A page's footnotes (`pdf_footnotes`) follow its body text as a block of their own, after a
  blank line, each marker a word apart ("3 Yet", not "3Yet"); their edges are searched for
  running footers too.
- A sentence broken by a page break is whole on the page it starts on (`pdf_page_breaks`);
  a word hyphenated there is joined by the rule for a line's end.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from ingest.english_words import is_common_english
from ingest.loaders.pdf_accents import with_accents_on_letters
from ingest.loaders.pdf_footnotes import with_markers_apart
from ingest.loaders.pdf_index_entries import without_index_entries
from ingest.loaders.pdf_line_numbers import without_line_numbers
from ingest.loaders.pdf_page_breaks import carried_over

_DASHES = str.maketrans({"\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2012": "-"})
# Spacing accents that typesetters use for ASCII "~" and "^" (groff's \(ti, \(ha): NFKC
# would turn them into a space and a combining mark.
_ASCII_ACCENTS = str.maketrans({"\u02dc": "~", "\u02c6": "^"})
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
# An accent on no letter: one TeX set apart from a capital ("Par Wikipedia ´" for "Wikipédia",
# "Enonc´e ´"), left by `with_accents_on_letters` and made a mark on a space by NFKC.
_LOOSE_MARKS = re.compile("(?:^|(?<=\\s))[\u0300-\u036f]+", re.MULTILINE)
_OPTION_EN_DASH = re.compile(r"(?<![\w-])\u2013(?=[A-Za-z-])")
_HYPHENATED = re.compile(r"([A-Za-z]+)-\n[ \t]*([A-Za-z]+)")
_WORD = re.compile(r"[A-Za-z]+")
_SPLIT = re.compile(r"\b([A-Za-z]{1,12}) (?=([a-z]{1,12})\b)")  # the right part stays
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"[ \t\u00a0]+")
_EDGE_LINES = 2  # lines at each end of a page checked for running headers and footers
_REPEAT_SHARE = 0.5  # a line on more than this share of pages is a running header/footer
_MIN_PAGES = 3
_MIN_RUNNING_WORDS = 2  # words of a running line found inside a page: more than "Page 3"
_MAX_PEELS = 16  # rounds of taking running lines off the edges: 32 lines at each end at most
_MIN_COMPOUND_PART = 3  # letters in each half of a compound kept hyphenated at a line end
_LEADER_ENTRY = re.compile(r"^\S.*?(?: ?\.){4,} ?(?:\d+|[ivxlc]+)$", re.IGNORECASE)
_PAGE_NUMBER = re.compile(r"\d+|[ivxlc]+", re.IGNORECASE)
_SHORT_WORD = re.compile(
    r"^(?:a|i|o|an|as|at|be|by|do|go|he|if|in|is|it|me|my|no|of|on|or|so|to|up|us|we)$"
)


def normalise_pages(pages: Sequence[str], notes: Sequence[str] = ()) -> list[str]:
    """Each page's text cleaned, its footnotes (`notes`, one string a page, if any) after its
    body; the whole document is the vocabulary for repairs."""
    bodies = without_line_numbers([plain_characters(page) for page in pages])
    bodies = [_without_leader_entries(page) for page in bodies]
    footnotes = [with_markers_apart(plain_characters(note)) for note in notes]
    footnotes = footnotes or [""] * len(bodies)
    bodies, footnotes = _without_running_blocks(bodies, footnotes)
    bodies = _without_page_counting_lines(bodies)
    bodies = ["" if _PAGE_NUMBER.fullmatch(page) else page for page in bodies]
    footnotes = ["" if _PAGE_NUMBER.fullmatch(note) else note for note in footnotes]
    # an index's entries go once its pages' sentences are whole: a term left of them
    # ("style", its sub-entries gone) is no sentence running onto the next page
    bodies = [without_index_entries(page, len(pages)) for page in carried_over(bodies)]
    cleaned = [f"{body}\n\n{note}".strip() for body, note in zip(bodies, footnotes, strict=True)]
    vocabulary = Counter(w.lower() for page in cleaned for w in _WORD.findall(page))
    vocabulary.subtract(  # a word's halves at a line break are not words of the document
        half.lower() for page in cleaned for m in _HYPHENATED.finditer(page) for half in m.groups()
    )
    hyphenated = {
        m.group(0).lower() for page in cleaned for m in re.finditer(r"[A-Za-z]+-[A-Za-z]+", page)
    }
    return [_repair_words(page, vocabulary, hyphenated) for page in cleaned]


def plain_characters(text: str) -> str:
    """The text's characters cleaned (accents, NFKC, dashes, invisible characters, spaces);
    a heading's title is cleaned as the page that holds it, so it is found there."""
    text = with_accents_on_letters(text).translate(_ASCII_ACCENTS)
    text = unicodedata.normalize("NFKC", text)
    text = _LOOSE_MARKS.sub("", _INVISIBLE.sub("", text)).translate(_DASHES)
    text = _OPTION_EN_DASH.sub("-", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip()


def _without_leader_entries(page: str) -> str:
    return "\n".join(line for line in page.split("\n") if not _LEADER_ENTRY.match(line))


def _without_running_blocks(pages: list[str], notes: list[str]) -> tuple[list[str], list[str]]:
    """Running lines taken off the pages' edges until their edges hold none: a sidebar set
    on every page (elsarticle's manual repeats its version, date, contact and twelve "quick
    links" at each page's top) is a block deeper than the edge lines one look sees. Below
    the first edge lines only lines on most pages go: two margin notes a page apart
    ("11pt" ending one page of jmlr's manual, "12pt" opening the next) count pages only by
    chance."""
    for peel in range(_MAX_PEELS):
        peeled = _without_running_lines(pages, notes, chapters=peel == 0)
        if peeled == (pages, notes):
            break
        pages, notes = peeled
    return pages, notes


def _without_running_lines(
    pages: list[str], notes: list[str], chapters: bool = True
) -> tuple[list[str], list[str]]:
    """Drop header/footer lines that repeat (numbers aside) on most pages, or on two or more
    with their last number counting the pages: one chapter's running header. A page's
    footnotes, apart from its body, have edges of their own: a journal's running footer set
    in their type ("J. ACM, Vol. 37, No. 4, Article 111.") is found there. Without
    `chapters`, only lines on most pages (or most of one side's) are running lines."""
    if len(pages) < _MIN_PAGES:
        return pages, notes
    seen: Counter[str] = Counter()
    seen_facing: Counter[tuple[int, str]] = Counter()  # by the page's side: left or right
    offsets: dict[str, set[int]] = {}  # a numbered shape's last number less its page's index
    for index, parts in enumerate(zip(pages, notes, strict=True)):
        shapes = set()
        for line in (line for part in parts for line in _edge_lines(part.split("\n"))):
            shape = _shape(line)
            shapes.add(shape)
            numbers = _DIGITS.findall(line)
            if numbers:
                offsets.setdefault(shape, set()).add(int(numbers[-1]) - index)
        seen.update(shapes)
        seen_facing.update((index % 2, shape) for shape in shapes)
    facing = {  # left and right pages take turns: "Smith et al." on one, the title on the other
        shape
        for (side, shape), count in seen_facing.items()
        if count >= 2 and _most_of_one_side(count, side, len(pages))
    }
    running = {
        shape
        for shape, count in seen.items()
        if shape
        and (
            count > _REPEAT_SHARE * len(pages)
            or (chapters and count >= 2 and len(offsets.get(shape, ())) == 1)
            or shape in facing
        )
    }
    if not running:
        return pages, notes
    return [_without_edges(page, running) for page in pages], [
        _without_edges(note, running) for note in notes
    ]


def _without_page_counting_lines(pages: list[str]) -> list[str]:
    """Running lines the text layer puts inside the page: a two-column journal's footer
    ("2 TUGboat Authors' Guide, March 2022") read between its columns is at no edge. Such a
    line is on most pages (or most of one side's), says more than a number, and one of its
    numbers counts the pages; no line of body text is so."""
    if len(pages) < _MIN_PAGES:
        return pages
    found: dict[str, list[tuple[int, list[int]]]] = {}  # shape -> its pages and numbers
    for index, page in enumerate(pages):
        for line in set(page.split("\n")):
            numbers = [int(number) for number in _DIGITS.findall(line)]
            if numbers and len(_WORD.findall(line)) >= _MIN_RUNNING_WORDS:
                found.setdefault(_shape(line), []).append((index, numbers))
    counting = {shape for shape, seen in found.items() if _counts_pages(seen, len(pages))}
    if not counting:
        return pages
    return [
        "\n".join(line for line in page.split("\n") if _shape(line) not in counting)
        for page in pages
    ]


def _counts_pages(seen: list[tuple[int, list[int]]], page_count: int) -> bool:
    """Whether a line seen on these pages with these numbers is on most pages, or most of
    one side's, with a number that goes up page by page."""
    pages = {index for index, _ in seen}
    sides = [sum(1 for index in pages if index % 2 == side) for side in (0, 1)]
    most = len(pages) > _REPEAT_SHARE * page_count or any(
        count >= _MIN_PAGES and _most_of_one_side(count, side, page_count)
        for side, count in enumerate(sides)
    )
    if not most or len(pages) < _MIN_PAGES or len(seen) != len(pages):
        return False
    width = min(len(numbers) for _, numbers in seen)
    return any(
        len({numbers[position] - index for index, numbers in seen}) == 1
        for position in range(width)
    )


def _most_of_one_side(count: int, side: int, page_count: int) -> bool:
    """Whether `count` pages are most of the left (`side` 1) or right (0) pages of a
    document of `page_count` pages, counted from the first page as index 0."""
    return count > _REPEAT_SHARE * ((page_count + 1 - side) // 2)


def _without_edges(text: str, running: set[str]) -> str:
    """The text without the lines at its edges whose shape is one of `running`."""
    lines = text.split("\n")
    edges = set(range(min(_EDGE_LINES, len(lines)))) | set(
        range(max(0, len(lines) - _EDGE_LINES), len(lines))
    )
    return "\n".join(
        line for index, line in enumerate(lines) if not (index in edges and _shape(line) in running)
    ).strip()


def _edge_lines(lines: list[str]) -> list[str]:
    return lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]


def _shape(line: str) -> str:
    """A line with its numbers blanked, so "Page 3" and "Page 4" look the same."""
    return _DIGITS.sub("#", line.strip().lower())


def _repair_words(text: str, vocabulary: Counter[str], hyphenated: set[str]) -> str:
    def join_hyphen(match: re.Match[str]) -> str:
        left, right = match.group(1), match.group(2)
        if f"{left}-{right}".lower() in hyphenated - {match.group(0).lower()}:
            return f"{left}-{right}"
        joined = (left + right).lower()
        compound = _compound_part(left, vocabulary) and _compound_part(right, vocabulary)
        # the English list (loaded on first use) only for what the document cannot decide
        if vocabulary[joined] > 0 or not compound or is_common_english(joined):
            return left + right
        return f"{left}-{right}"

    def join_split(match: re.Match[str]) -> str:
        left, right = match.group(1), match.group(2)
        joined = (left + right).lower()
        if vocabulary[joined] < 2 or (_known(left, vocabulary) and _known(right, vocabulary)):
            return match.group(0)
        return left  # without the space: the right part follows

    text = _HYPHENATED.sub(join_hyphen, text)
    return _SPLIT.sub(join_split, text)


def _compound_part(word: str, vocabulary: Counter[str]) -> bool:
    """A half of a hyphenated line end that is a word of the document in its own right, and
    too long to be a syllable ("be-cause", "re-ceive" are one word each)."""
    return len(word) >= _MIN_COMPOUND_PART and vocabulary[word.lower()] > 0


def _known(word: str, vocabulary: Counter[str]) -> bool:
    """A word in its own right: a common short word, or one the document uses often."""
    lower = word.lower()
    return bool(_SHORT_WORD.match(lower)) or (len(lower) > 1 and vocabulary[lower] >= 3)
