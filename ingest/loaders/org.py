"""Org mode (Emacs): one section per heading, with the heading path ("Projects > TODO Move").

What an Org user finds in the text, and why:

- A heading's path holds its TODO keyword (TODO, DONE, and those a `#+TODO:` line names),
  as Org's outline shows it: every chunk of an open task then says "TODO", and "what is
  still TODO" finds them. Its priority cookie (`[#A]`) and tags (`:work:urgent:`) are not in
  the path, a citation people read, but on lines under the heading's own line, "Priority: A"
  and "Tags: work, urgent": searchable words where they are written, without repeating in
  the citation of every chunk below (`#+FILETAGS:` is the document's "Tags:" line).
- `#+TITLE:` is the title (every chunk carries it); `#+AUTHOR:`, `#+DATE:` and other
  keywords are "Author: …" lines; keywords that set Emacs or an exporter up (`#+STARTUP:`,
  `#+OPTIONS:`, `#+LATEX_HEADER:`, `#+TBLFM:`…) are left out, as are `# comment` lines.
- `SCHEDULED:`, `DEADLINE:` and `CLOSED:` read "Scheduled: 2026-11-03 Tue 10:00; …".
- A `:PROPERTIES:` drawer is "KEY: value" lines (CREATED, Effort, CUSTOM_ID…), except
  `:ID:`, a random UUID no one asks about. A `:LOGBOOK:` keeps its state changes and notes
  (history people ask about: when was it done) and drops its `CLOCK:` lines, time-tracking
  records that would flood a chunk with timestamps. Other drawers keep their text. The
  drawer markers go.
- `#+BEGIN_SRC lang` and `#+BEGIN_EXAMPLE` blocks (and `: ` fixed-width lines) are fenced
  code, as the HTML loader stores <pre>; `#+BEGIN_QUOTE` and `#+BEGIN_VERSE` are "> "
  quotations; `#+BEGIN_COMMENT` and `#+BEGIN_EXPORT` (raw HTML or LaTeX for one exporter)
  are left out; other blocks (CENTER, NOTE…) are their text. Block names are read in any case.
- Lists, checkboxes (`- [X]` is written `- [x]`) and tables stay; a table's rule under its
  first row is Markdown's `| --- |` row, its other rules go; `- term :: text` reads
  "- term: text". Inline markup: `ingest.loaders.org_inline`.

Every line keeps its file line. A block without its end is read as Org reads it, as text
(its opening line left out), and reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.loaders.decoding import read_text
from ingest.loaders.headings import SectionBuilder
from ingest.loaders.org_inline import plain
from ingest.markdown_syntax import code_fence
from ingest.types import LoadedDocument

SUFFIXES = (".org", ".org_archive")

_HEADING = re.compile(r"^(\*+)[ \t]+(.*?)[ \t]*$")
_PRIORITY = re.compile(r"^\[#([A-Za-z0-9])\][ \t]*")
_TAGS = re.compile(r"[ \t]+:((?:[\w@#%]+:)+)$")
_KEYWORD = re.compile(r"^[ \t]*#\+([\w-]+):[ \t]*(.*?)[ \t]*$")
_BEGIN = re.compile(r"^[ \t]*#\+begin_(\S+)(?:[ \t]+(.*?))?[ \t]*$", re.IGNORECASE)
_END = re.compile(r"^[ \t]*#\+end_(\S+)[ \t]*$", re.IGNORECASE)
_COMMENT = re.compile(r"^[ \t]*#(?:[ \t]|$)")
_DRAWER = re.compile(r"^[ \t]*:([\w-]+):[ \t]*$")
_DRAWER_END = re.compile(r"^[ \t]*:END:[ \t]*$", re.IGNORECASE)
_PROPERTY = re.compile(r"^[ \t]*:([^:\s]+?)\+?:(?:[ \t]+(.*?))?[ \t]*$")
_CLOCK = re.compile(r"^[ \t]*CLOCK:")
_PLANNING = re.compile(
    r"\b(SCHEDULED|DEADLINE|CLOSED):[ \t]*([<\[][^\n]*?[>\]](?:--[<\[][^\n]*?[>\]])?)"
)
_PLANNING_LINE = re.compile(r"^[ \t]*(?:SCHEDULED|DEADLINE|CLOSED):")
_FIXED_WIDTH = re.compile(r"^[ \t]*:(?: |$)")
_TABLE_ROW = re.compile(r"^[ \t]*\|")
_TABLE_RULE = re.compile(r"^[ \t]*\|-")
_CHECKBOX = re.compile(r"^([ \t]*(?:[-+*]|\d+[.)])[ \t]+)\[([ Xx-])\]")
_DEFINITION = re.compile(r"^([ \t]*[-+*][ \t]+.*?)[ \t]+::(?:[ \t]+|$)")
_FOOTNOTE_DEFINITION = re.compile(r"^\[fn:([\w-]+)\][ \t]*")
_LINK_OPEN = re.compile(r"\[\[(?:[^\[\]\n]+\]\[)?\*?(?=[^\]]*$)")
_MODE_LINE = re.compile(r"[ \t]*-\*-.*-\*-[ \t]*")
_COMMA_ESCAPE = re.compile(r"^([ \t]*),(?=\*|#\+)")

_DEFAULT_TODO = ("TODO", "DONE")
# Keywords that set up Emacs or an exporter: no one reads them as the document's words.
_SETUP = frozenset(
    (
        *("OPTIONS", "STARTUP", "SETUPFILE", "INCLUDE", "LANGUAGE", "CREATOR", "BIND", "MACRO"),
        *("TODO", "SEQ_TODO", "TYP_TODO", "TAGS", "PRIORITIES", "COLUMNS", "LINK", "ARCHIVE"),
        *("CONSTANTS", "PROPERTY", "NAME", "RESULTS", "CALL", "HEADER", "TBLFM", "PLOT"),
        *("SELECT_TAGS", "EXCLUDE_TAGS", "EXPORT_FILE_NAME", "INFOJS_OPT", "CITE_EXPORT"),
        *("BIBLIOGRAPHY", "TOC"),
    )
)
_SETUP_PREFIXES = ("ATTR_", "HTML", "LATEX", "BEAMER", "ODT", "TEXINFO", "MAN_", "EXPORT_")
_VERBATIM = frozenset(["src", "example"])
_QUOTED = frozenset(["quote", "verse"])
# Raw markup for one exporter (`#+BEGIN_EXPORT html`, and Org 8's `#+BEGIN_HTML`), comments.
_LEFT_OUT = frozenset(["export", "comment", "html", "latex", "ascii", "texinfo", "odt", "man"])


def load(path: Path) -> LoadedDocument:
    return parse(read_text(path))


def parse(text: str) -> LoadedDocument:
    lines = text.split("\n")
    if lines and _MODE_LINE.search(lines[0]):  # "Title   -*- mode: org -*-": Emacs's, not words
        lines[0] = _MODE_LINE.sub("", lines[0])
    return _Reader(lines, _todo_keywords(lines)).read()


def _todo_keywords(lines: list[str]) -> frozenset[str]:
    """TODO, DONE and the keywords the file's `#+TODO:` lines name ("WAIT(w@/!)" is WAIT)."""
    named: list[str] = []
    for line in lines:
        keyword = _KEYWORD.match(line)
        if keyword and keyword.group(1).upper() in ("TODO", "SEQ_TODO", "TYP_TODO"):
            named += [word.split("(")[0] for word in keyword.group(2).split() if word != "|"]
    return frozenset([*_DEFAULT_TODO, *named])


@dataclass
class _Reader:
    """Reads the lines once, top to bottom, into the builder's sections."""

    lines: list[str]
    todo: frozenset[str]
    builder: SectionBuilder = field(default_factory=SectionBuilder)
    titles: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    open_blocks: list[str] = field(default_factory=list)  # quote, center...: their text is read
    in_link: bool = False  # a link's description (or target) goes on to the next line
    at: int = 0  # index of the line being read

    def read(self) -> LoadedDocument:
        while self.at < len(self.lines):
            self.at = self._line(self.at)
        return LoadedDocument(
            self.builder.finish(), title=" ".join(self.titles), warnings=tuple(self.warnings)
        )

    def _add(self, text: str, index: int | None, verbatim: bool = False) -> None:
        """Add a line read from line `index` (None: the line reached); in a quotation it is
        quoted, "> ", its indentation kept only when it is code."""
        if _QUOTED.intersection(self.open_blocks):
            text = f"> {text if verbatim else text.strip()}".rstrip()
        self.builder.add([text], None if index is None else index + 1)

    def _line(self, index: int) -> int:
        """Read the element starting at line `index`; returns the index after it."""
        line = self.lines[index]
        if heading := _HEADING.match(line):
            self.open_blocks.clear()  # a heading ends every block (Org's own rule)
            self.in_link = False
            self._heading(len(heading.group(1)), heading.group(2), index)
            return index + 1
        if begin := _BEGIN.match(line):
            return self._block(begin.group(1).lower(), begin.group(2) or "", index)
        if block_end := _END.match(line):
            if self.open_blocks and self.open_blocks[-1] == block_end.group(1).lower():
                self.open_blocks.pop()
            return index + 1
        if keyword := _KEYWORD.match(line):
            self._keyword(keyword.group(1).upper(), keyword.group(2), index)
            return index + 1
        if _COMMENT.match(line):
            return index + 1
        drawer = _DRAWER.match(line)
        if drawer and drawer.group(1).upper() != "END":
            drawer_end = self._end_of(index, _DRAWER_END, _HEADING)
            if drawer_end is not None:
                self._drawer(drawer.group(1).upper(), index, drawer_end)
                self._set_apart(drawer_end + 1)
                return drawer_end + 1
        if _PLANNING_LINE.match(line) and (planning := _planning(line)):
            self._add(planning, index)
            self._set_apart(index + 1)
            return index + 1
        if _TABLE_RULE.match(line):
            if self._is_header_rule(index):
                self._add("|" + " --- |" * line.count("+") + " --- |", index)
            return index + 1
        if _FIXED_WIDTH.match(line):
            return self._fixed_width(index)
        self._add(self._text(line), index)
        return index + 1

    def _set_apart(self, index: int) -> None:
        """A blank line before the text at line `index`, after the lines a heading, a
        planning line or a drawer made: a quote shows them as lines of their own, not run
        into the paragraph below ("Scheduled: 2026-11-03 Tue The tap drips.")."""
        if index < len(self.lines) and self.lines[index].strip():
            self.builder.add([""])

    def _text(self, line: str) -> str:
        """A line of text; a link cut by the end of a line is its words on both lines."""
        if self.in_link and "]]" in line:
            line, self.in_link = line.replace("]]", "", 1), False
        text = _text_line(line)
        if opening := _LINK_OPEN.search(text):
            text, self.in_link = text[: opening.start()] + text[opening.end() :], True
        return text

    def _heading(self, level: int, title: str, index: int) -> None:
        tags = _TAGS.search(" " + title)
        if tags:
            title = (" " + title)[: tags.start()].strip()
        first, _, rest = title.partition(" ")
        keyword = first if first in self.todo else ""
        if keyword:
            title = rest.strip()
        priority = _PRIORITY.match(title)
        if priority:
            title = title[priority.end() :]
        shown = " ".join(filter(None, [keyword, plain(title).strip()]))
        self.builder.heading(level, shown)
        attributes = [shown]
        if priority:
            attributes.append(f"Priority: {priority.group(1)}")
        if tags:
            attributes.append(f"Tags: {', '.join(filter(None, tags.group(1).split(':')))}")
        self.builder.add(["\n\n".join(attributes)], index + 1)  # each a line of its own
        self._set_apart(index + 1)  # the heading's line stands alone, as the HTML loader's

    def _keyword(self, name: str, value: str, index: int) -> None:
        if name == "TITLE":
            self.titles.append(plain(value))
        elif name == "FILETAGS":
            self._add(f"Tags: {', '.join(filter(None, value.split(':')))}", index)
        elif name not in _SETUP and not name.startswith(_SETUP_PREFIXES) and value:
            self._add(f"{name.replace('_', ' ').capitalize()}: {plain(value)}", index)

    def _block(self, name: str, parameters: str, index: int) -> int:
        verbatim = name in _VERBATIM or name in _LEFT_OUT
        end = self._end_of(index, _block_end(name), _block_begin(name) if verbatim else _HEADING)
        if end is None:
            self.warnings.append(
                f"line {index + 1}: #+BEGIN_{name.upper()} has no #+END_{name.upper()}; "
                "what follows it was read as text"
            )
            return index + 1
        if not verbatim:
            self.open_blocks.append(name)
        elif name not in _LEFT_OUT:
            self._code(index, end, parameters.split()[0] if name == "src" and parameters else "")
        return end + 1 if verbatim else index + 1

    def _end_of(self, index: int, end: re.Pattern[str], stop: re.Pattern[str]) -> int | None:
        """The index of the first line after `index` that `end` matches, if no line `stop`
        matches before it."""
        for later in range(index + 1, len(self.lines)):
            if end.match(self.lines[later]):
                return later
            if stop.match(self.lines[later]):
                return None
        return None

    def _code(self, index: int, end: int, language: str) -> None:
        """Lines `index`..`end` (the block's markers) as a fenced block, on the same lines."""
        inside = [_COMMA_ESCAPE.sub(r"\1", line) for line in self.lines[index + 1 : end]]
        first = next((i for i, line in enumerate(inside) if line.strip()), None)
        if first is None:
            return
        last = max(i for i, line in enumerate(inside) if line.strip())
        code = _dedented(inside[first : last + 1])
        fence = code_fence(code)
        self._add(fence + language, index)
        for offset, line in enumerate(code):
            self._add(line, index + 1 + first + offset, verbatim=True)
        self._add(fence, end)

    def _fixed_width(self, index: int) -> int:
        """Consecutive ": text" lines (an example, a result) as one fenced block."""
        end = index
        while end + 1 < len(self.lines) and _FIXED_WIDTH.match(self.lines[end + 1]):
            end += 1
        code = [line.strip()[2:] for line in self.lines[index : end + 1]]
        fence = code_fence(code)
        self._add(fence, index)
        for offset, line in enumerate(code):
            self._add(line, index + offset, verbatim=True)
        self._add(fence, None)
        return end + 1

    def _is_header_rule(self, index: int) -> bool:
        """Whether the table rule at `index` is under the table's first row (its header)."""
        above = self.lines[index - 1] if index >= 1 else ""
        two_above = self.lines[index - 2] if index >= 2 else ""
        return bool(_TABLE_ROW.match(above)) and not _TABLE_ROW.match(two_above)

    def _drawer(self, name: str, index: int, end: int) -> None:
        for number in range(index + 1, end):
            line = self.lines[number]
            if name == "PROPERTIES":
                found = _PROPERTY.match(line)
                if found and found.group(2) and found.group(1).upper() != "ID":
                    self._add(f"{found.group(1)}: {plain(found.group(2))}", number)
            elif not (name == "LOGBOOK" and _CLOCK.match(line)):
                self._add(self._text(line), number)


def _block_end(name: str) -> re.Pattern[str]:
    return re.compile(rf"^[ \t]*#\+end_{re.escape(name)}[ \t]*$", re.IGNORECASE)


def _block_begin(name: str) -> re.Pattern[str]:
    return re.compile(rf"^[ \t]*#\+begin_{re.escape(name)}(?:[ \t]|$)", re.IGNORECASE)


def _text_line(line: str) -> str:
    """A line of text, a list item or a table row, with its markup read as words."""
    if "[" in line:
        line = _CHECKBOX.sub(lambda m: f"{m.group(1)}[{m.group(2).replace('X', 'x')}]", line)
        line = _FOOTNOTE_DEFINITION.sub(r"[^\1]: ", line)
    if "::" in line:
        line = _DEFINITION.sub(r"\1: ", line)
    return plain(line).rstrip()


def _planning(line: str) -> str:
    """ "SCHEDULED: <2026-11-03 Tue> DEADLINE: <…>" as "Scheduled: 2026-11-03 Tue; Deadline: …"."""
    found = _PLANNING.findall(line)
    return "; ".join(f"{word.capitalize()}: {plain(stamp)}" for word, stamp in found)


def _dedented(lines: list[str]) -> list[str]:
    indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
    return [line[indent:] for line in lines]
