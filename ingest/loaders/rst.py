"""reStructuredText: sections from underlined (and overlined) titles, levels in order of use,
and the text as a reader of the built page sees it:

- a title is its line, without the adornment under (and over) it: "Usage" not "Usage" over
  "*****", which a quote opening at the title had shown;
- an interpreted text role shows its text: ":func:`os.scandir`" reads "os.scandir",
  ":meth:`~pathlib.Path.glob`" "glob" (Sphinx shows the last name), ":ref:`the tutorial
  <tut-intro>`" "the tutorial", ":pep:`440`" "PEP 440", over a line break too; so does a
  hyperlink, "`wheel package <https://pypi.org/project/wheel/>`_" "wheel package";
- a directive shows its arguments and content, not its name and options: ".. function::
  glob(pathname)" reads "glob(pathname)", and its ":noindex:" lines go; an admonition shows
  its title (".. versionadded:: 3.4" reads "New in version 3.4.", ".. seealso::" "See
  also"), and a code block or an image not its language or file;
- what a built page never shows goes with its indented block: index entries, settings
  such as ".. module::", comments, link targets and substitution definitions.

Sphinx ships each page's source beside the HTML (`_sources/library/glob.rst.txt`); with its
markup read, the source reads as the page does, so search finds the two as copies
(`assistant.ask.copies`): 87% of glob.rst.txt's five-word runs are the HTML page's, against
62% with the markup left in."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from ingest.loaders.decoding import read_text
from ingest.loaders.headings import SectionBuilder
from ingest.loaders.sphinx_markup import ROLE_CONTENT, admonition_title, role_text
from ingest.types import Section

SUFFIXES = (".rst", ".rest")

_ADORNMENT = re.compile(r"^([=\-`:'\"~^_*+#<>.])\1{2,}\s*$")
_PLAIN_SLACK = 2  # characters an underline in plain text may differ from its title by
_LISTING_LINES = 500  # the longest listing between two rules: a log's rules pair no further
# `:role:`text``, `:role:`~a.b``, `:role:`title <target>``, `:py:func:`f``; over a line
# break too (":ref:`--find-links\n<install_--find-links>`")
_ROLE = re.compile(rf":([\w.+-]+(?::[\w.+-]+)*):`{ROLE_CONTENT}`")
# a hyperlink reference: `` `wheel package <https://pypi.org/project/wheel/>`_ ``, `` `PyPI`_ ``
_LINK = re.compile(rf"(?<![`\w])`{ROLE_CONTENT}`__?(?!\w)")
# A line break that markup spanned, put back at the end of the line the markup ends on.
_BREAK = "\ue000"
# A section title: the line its text is on, its style (adornment character, overlined), and
# how many lines it takes.
Title = tuple[int, tuple[str, bool], int]
# `.. name:: arguments`, or any other explicit markup: a comment, `.. _target:`, `.. |sub| ...`
_EXPLICIT = re.compile(r"^(\s*)\.\.(?:\s+(?:([\w:-]+)::(.*)|.*))?$")
_OPTION = re.compile(r"^\s+:[\w -]+:")  # a directive's option line, right under it
# Directives whose block a built page does not show: Sphinx's index entries, and what it
# reads as settings (the module documented, who wrote it, the code highlighting).
_UNSEEN = frozenset(
    {"index", "meta", "module", "currentmodule", "highlight", "moduleauthor", "sectionauthor"}
)
# Directives whose argument is a file or a language, which the page does not show either.
_UNSHOWN_ARGUMENT = frozenset(
    {"code", "code-block", "sourcecode", "literalinclude", "include", "image", "figure"}
)


def load(path: Path) -> list[Section]:
    return parse(read_text(path))


def parse(text: str) -> list[Section]:
    shown = _LINK.sub(_link_text, _ROLE.sub(_role_text, text.replace(_BREAK, "")))
    lines: list[str] = []
    for line in shown.split("\n"):  # each break markup spanned, after the line it ends on
        lines += [line.replace(_BREAK, ""), *[""] * line.count(_BREAK)]
    return _sections(lines, _shown_lines(lines), lambda index: _title_at(lines, index))


def titled_text(text: str, min_titles: int) -> list[Section] | None:
    """Plain text whose titles are underlined as reStructuredText's are ("Downloading" over
    "-----------", as GNU's and Debian's READMEs write them), by those titles, the rest of
    the text as it is; None when it underlines fewer than `min_titles`. Lines between two
    equal rules (AsciiDoc's listing blocks, "-----" above and below `$ git clone ...`) are
    no titles."""
    lines = text.split("\n")
    titles = _plain_titles(lines)
    return _sections(lines, list(lines), titles.get) if len(titles) >= min_titles else None


def _plain_titles(lines: list[str]) -> dict[int, Title]:
    """The underlined titles of plain text, by the line each starts at."""
    listing = _listing_lines(lines)
    titles: dict[int, Title] = {}
    index = 0
    while index < len(lines):
        title = None if index in listing else _title_at(lines, index, plain=True)
        if title is not None:
            titles[index] = title
        index += title[2] if title else 1
    return titles


def _listing_lines(lines: list[str]) -> set[int]:
    """The lines of listings: from a rule that underlines no title to the next equal one."""
    listing: set[int] = set()
    index = 0
    while index < len(lines):
        rule = lines[index].strip()
        end = min(len(lines), index + 1 + _LISTING_LINES)
        opens = _ADORNMENT.match(rule) and (
            index == 0 or _title_at(lines, index - 1, plain=True) is None
        )
        closing = (
            next((j for j in range(index + 1, end) if lines[j].strip() == rule), None)
            if opens
            else None
        )
        if closing is None:
            index += 1
            continue
        listing.update(range(index, closing + 1))
        index = closing + 1
    return listing


def _sections(
    lines: list[str], shown: list[str | None], title_at: Callable[[int], Title | None]
) -> list[Section]:
    """Sections of `lines` as `shown` (None: a line the page does not show), opened at each
    title `title_at` finds."""
    builder = SectionBuilder()
    styles: list[tuple[str, bool]] = []  # (character, overlined) in order of first use
    index = 0
    while index < len(lines):
        line = shown[index]
        title = None if line is None else title_at(index)
        if title is None:
            if line is not None:
                builder.add([line], index + 1)
            index += 1
            continue
        text_line, style, used = title
        if style not in styles:
            styles.append(style)
        builder.heading(styles.index(style) + 1, lines[text_line].strip())
        # the title as the page shows it: its line, without the adornment over and under it
        title_lines = range(index, index + used)
        builder.add([lines[i] if i == text_line else "" for i in title_lines], index + 1)
        index += used
    return builder.finish()


def _role_text(match: re.Match[str]) -> str:
    name, shortened, text = match.groups()
    return _in_place(role_text(name, shortened, text), match)


def _link_text(match: re.Match[str]) -> str:
    _shortened, text = match.groups()
    return _in_place(text, match)


def _in_place(shown: str, match: re.Match[str]) -> str:
    """What the page shows for the markup `match` found. A markup over line breaks leaves
    them for the end of its line (`_BREAK`): the rest of the line it ends on joins it, and
    every later line keeps its number."""
    return " ".join(shown.split()) + _BREAK * match.group().count("\n")


def _shown_lines(lines: list[str]) -> list[str | None]:
    """Each line as the built page shows it; None for a line it does not show."""
    shown: list[str | None] = []
    hidden_below: int | None = None  # the indent of explicit markup whose block is hidden
    options = False  # the lines right under a directive may be its options
    for line in lines:
        indent = len(line) - len(line.lstrip())
        if hidden_below is not None and (not line.strip() or indent > hidden_below):
            shown.append(None)
            continue
        hidden_below = None
        if options and _OPTION.match(line):
            shown.append(None)
            continue
        options = False
        markup = _EXPLICIT.match(line)
        if markup is None:
            shown.append(line)
        elif markup.group(2) is None or markup.group(2) in _UNSEEN:
            hidden_below = len(markup.group(1))
            shown.append(None)
        else:
            options = True
            shown.append(markup.group(1) + _directive_line(markup.group(2), markup.group(3)))
    return shown


def _directive_line(name: str, argument: str) -> str:
    if name in _UNSHOWN_ARGUMENT:
        return ""
    title = admonition_title(name, argument)
    return argument.strip() if title is None else title


def _title_at(lines: list[str], i: int, *, plain: bool = False) -> Title | None:
    """(title line index, style, lines used) when a section title starts at line i. In plain
    text (`plain`), only an underline as long as its title, give or take two characters
    (AsciiDoc's rule), under a title with a letter or digit: a listing's delimiter lines
    ("-----" above and below `git foo`) and a rule under a signature are no titles."""
    over = _ADORNMENT.match(lines[i])
    if over and i + 2 < len(lines) and not plain:
        title, under = lines[i + 1], _ADORNMENT.match(lines[i + 2])
        if title.strip() and under and under.group(1) == over.group(1):
            return i + 1, (over.group(1), True), 3
    if i + 1 < len(lines) and lines[i].strip() and not over:
        under = _ADORNMENT.match(lines[i + 1])
        title_length, under_length = len(lines[i].rstrip()), len(lines[i + 1].rstrip())
        fits = (
            abs(under_length - title_length) <= _PLAIN_SLACK and any(c.isalnum() for c in lines[i])
            if plain
            else under_length >= title_length
        )
        if under and fits and not lines[i][0].isspace():
            return i, (under.group(1), False), 2
    return None
