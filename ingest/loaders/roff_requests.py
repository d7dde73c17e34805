"""What both macro packages share: text lines, the low-level requests pages use directly
(`.br`, `.sp`, `.nf`/`.fi`, `.so`, tbl's `.TS`/`.TE`), and unknown requests, which print
nothing. `man` and `mdoc` (`ingest.loaders.roff_man`, `ingest.loaders.roff_mdoc`) each add
their macros to this."""

from __future__ import annotations

from ingest.loaders.roff_escapes import text_of
from ingest.loaders.roff_layout import Page
from ingest.loaders.roff_lines import Request, RoffLine, TextLine
from ingest.loaders.roff_table import Table

# Requests that change only how the page looks on paper: nothing to read in them.
_BREAKS = frozenset({"br", "bp", "ti", "ce", "rj", "in"})


class Formatter:
    """Feeds a page's lines into a `Page`; `includes` lists the files `.so` names, `name`
    and `section` are the page's own (`.TH gzip 1`, `.Dt SFTP 1`)."""

    def __init__(self, strings: dict[str, str]) -> None:
        self.page = Page()
        self.strings = strings
        self.includes: list[str] = []
        self.name = ""
        self.section = ""
        self._table: Table | None = None

    def feed(self, item: RoffLine) -> None:
        if self._table is not None:
            self._feed_table(item)
        elif isinstance(item, TextLine):
            self.text_line(item)
        elif not self.macro(item):
            self.request(item)

    def macro(self, request: Request) -> bool:
        """Handle a macro of the package; False when `request` is none of its macros."""
        raise NotImplementedError

    def text_line(self, item: TextLine) -> None:
        text = item.text
        if not text.strip():
            self.page.paragraph()
        elif text[0] in " \t" and not self.page.in_code:
            self.page.own_line(self.inline(text), item.line)
        else:
            self.write(text, item.line)

    def write(self, raw: str, line: int, *, glued: bool = False) -> None:
        """Text as written in the source (escapes in it); a trailing `\\c` joins what follows,
        unless what it prints ends in a space (`\\(bu\\h'+03'\\c`)."""
        printed = self.inline(raw)
        self.page.text(printed, line, glued=glued)
        if raw.endswith("\\c") and not printed[-1:].isspace():
            self.page.glue_next()

    def inline(self, raw: str) -> str:
        return text_of(raw, self.strings)

    def request(self, request: Request) -> None:
        name = request.name
        if name in _BREAKS:
            self.page.line_break()
        elif name == "sp":
            self.page.paragraph()
        elif name == "nf":
            self.page.start_code(request.line)
        elif name == "fi":
            self.page.end_code(request.line)
        elif name == "so" and request.args:
            self.includes.append(request.args[0])
        elif name == "TS":
            self.page.line_break()
            self._table = Table()
        # anything else (fonts, spacing, registers, traps, unknown macros) prints nothing

    def _feed_table(self, item: RoffLine) -> None:
        assert self._table is not None
        if isinstance(item, Request):
            if item.name == "TE":
                self._table = None
                self.page.paragraph()
            return
        row = self._table.row(item.text)
        if row is not None:
            cells = [" ".join(self.inline(cell).split()) for cell in row]
            self.page.own_line(" | ".join(cells), item.line)
