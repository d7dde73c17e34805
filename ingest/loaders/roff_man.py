"""The `man` macro package (man(7), groff_man(7)), as most Linux manual pages are written:
`.SH`/`.SS` headings, paragraphs, `.TP`/`.IP` tagged paragraphs whose tag starts a line of
its own, font macros reduced to their words, `.EX`/`.nf` examples kept line by line, and
pod2man's `.Vb`/`.Ve` verbatim blocks.

help2man writes an option as `.HP` and its flag, then its description under an untagged
`.IP`, and starts another `.IP` at every line of the description it wraps, often in the
middle of a sentence. Inside an option (after `.TP` or `.HP`), an untagged `.IP` that
comes in the middle of a sentence, or right after the flag, goes on at a new line of the
same paragraph, so a flag and its description stay together as a `.TP` option does."""

from __future__ import annotations

from ingest.loaders.roff_lines import Request, RoffLine, TextLine
from ingest.loaders.roff_requests import Formatter

_FONTS = frozenset({"B", "I", "SM", "SB", "R"})
_ALTERNATING = frozenset({"BR", "BI", "IB", "IR", "RB", "RI"})
_PARAGRAPHS = frozenset({"PP", "P", "LP", "HP", "Sp"})
_CODE_STARTS = frozenset({"EX", "Vb"})
_CODE_ENDS = frozenset({"EE", "Ve"})
_SHORT_TAG = 4  # an .IP tag this short (a bullet, "1.") shares its line with the text


class ManFormatter(Formatter):
    """Reads a man(7) page."""

    def __init__(self, strings: dict[str, str]) -> None:
        super().__init__(strings)
        self._heading_level = 0  # a .SH or .SS whose title is on the next line
        self._tag_open = False  # a .TP's tag is the next line of text
        self._in_option = False  # after a .TP or .HP, until another paragraph starts
        self._link = ""  # the address of an open .UR or .MT

    def feed(self, item: RoffLine) -> None:
        if self._heading_level and isinstance(item, TextLine) and item.text.strip():
            self.page.heading(self._heading_level, self.inline(item.text))
            self._heading_level = 0
            return
        ends_tag = self._tag_open and (
            (isinstance(item, TextLine) and item.text.strip())
            or (isinstance(item, Request) and item.name in _FONTS | _ALTERNATING and item.args)
        )
        super().feed(item)
        if ends_tag:
            self._tag_open = False
            self.page.line_break()

    def macro(self, request: Request) -> bool:
        name, args, line = request.name, request.args, request.line
        page = self.page
        if name == "TH":
            self.name, self.section = (*args, "", "")[:2]
        elif name in ("SH", "SS"):
            level = 1 if name == "SH" else 2
            if args:
                page.heading(level, self.inline(" ".join(args)))
            else:
                self._heading_level = level
            self._tag_open = self._in_option = False
        elif name in _FONTS:
            if args:
                self.write(" ".join(args), line)
        elif name in _ALTERNATING:
            self.write("".join(args), line)
        elif name in _PARAGRAPHS:
            page.paragraph()
            self._in_option = name == "HP"
        elif name in ("TP", "TQ"):
            page.paragraph() if name == "TP" else page.line_break()
            self._tag_open = self._in_option = True
        elif name == "IP" and not args and self._in_option and page.mid_sentence():
            page.line_break()
        elif name == "IP":
            self._tagged_paragraph(args[0] if args else "", line)
        elif name in ("RS", "RE"):
            page.line_break()
        elif name in _CODE_STARTS:
            page.start_code(line)
        elif name in _CODE_ENDS:
            page.end_code(line)
        elif name in ("UR", "MT"):
            self._link = self.inline(args[0]) if args else ""
        elif name in ("UE", "ME"):
            self._close_link(args, line)
        else:
            return self._synopsis(request)
        return True

    def _synopsis(self, request: Request) -> bool:
        """groff's synopsis macros (`.SY`, `.OP`, `.YS`) and `.MR`."""
        name, args, line = request.name, request.args, request.line
        if name == "SY":
            self.page.paragraph()
            self.write(" ".join(args), line)
        elif name == "YS":
            self.page.paragraph()
        elif name == "OP" and args:
            self.write("[" + " ".join(args) + "]", line)
        elif name == "MR" and args:
            section = f"({args[1]})" if len(args) > 1 else ""
            self.write(args[0] + section + "".join(args[2:]), line)
        else:
            return False
        return True

    def _tagged_paragraph(self, tag: str, line: int) -> None:
        self.page.paragraph()
        self._in_option = self._in_option or bool(tag)
        text = " ".join(self.inline(tag).split())
        if not text:
            return
        self.page.text(text, line)
        if len(text) > _SHORT_TAG or text.startswith("-"):
            self.page.line_break()

    def _close_link(self, args: tuple[str, ...], line: int) -> None:
        if self._link:
            self.page.text(f"<{self._link}>", line)
        if args:
            self.write(args[0], line, glued=True)
        self._link = ""
