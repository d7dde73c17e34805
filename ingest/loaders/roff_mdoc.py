"""The `mdoc` macro package (mdoc(7)), as BSD pages (OpenSSH's among them) are written.

A macro line is read as mdoc reads it: words, and macros called within it (`.Op Fl v Ar
file` is "[-v file]"), with closing punctuation kept to the word before. Lists become their
items: a `-tag` item's tag on a line of its own above its text, a bullet or number in front
of it, a `-column` row as "cell | cell"; `.Bd -literal` and `.Dl` are code.
"""

from __future__ import annotations

from ingest.loaders.roff_lines import Request, RoffLine
from ingest.loaders.roff_requests import Formatter

_CLOSING = frozenset({".", ",", ";", ":", ")", "]", "?", "!"})
_OPENING = frozenset({"(", "["})
# Macros that enclose the rest of the line: .Op Fl v -> "[-v]".
_ENCLOSING = {
    "Op": ("[", "]"),
    "Dq": ("\u201c", "\u201d"),
    "Sq": ("\u2018", "\u2019"),
    "Ql": ("\u2018", "\u2019"),
    "Qq": ('"', '"'),
    "Pq": ("(", ")"),
    "Bq": ("[", "]"),
    "Brq": ("{", "}"),
    "Aq": ("<", ">"),
}
_OPENERS = {"Oo": "[", "Do": "\u201c", "So": "\u2018", "Qo": '"', "Po": "(", "Bo": "[", "Bro": "{"}
_OPENERS |= {"Ao": "<"}
_CLOSERS = {"Oc": "]", "Dc": "\u201d", "Sc": "\u2019", "Qc": '"', "Pc": ")", "Bc": "]", "Brc": "}"}
_CLOSERS |= {"Ac": ">"}
_SYSTEMS = {
    "Bx": "BSD",
    "Ox": "OpenBSD",
    "Nx": "NetBSD",
    "Fx": "FreeBSD",
    "Dx": "DragonFly",
    "Bsx": "BSD/OS",
    "Ux": "UNIX",
    "At": "AT&T UNIX",
}
# Macros that print their arguments as they are (their font aside).
_PLAIN = frozenset(
    [
        "Ad",
        "Cd",
        "Cm",
        "Dv",
        "Em",
        "Er",
        "Ev",
        "Fa",
        "Ft",
        "Ic",
        "Li",
        "Ms",
        "No",
        "Pa",
        "Sy",
        "Sx",
        "Tn",
        "Va",
        "Vt",
        "Ot",
        "Lb",
        "Ta",
        "Mt",
        "Nd",
        "St",
        "Ar",
        "Fl",
        "Nm",
        "Xr",
        "Ns",
        "Pf",
        "Ap",
        "Lk",
        "Fn",
        "Fo",
        "Fc",
        "In",
        "Fd",
        "Sm",
        "Ex",
        "Rv",
        "%A",
        "%B",
        "%C",
        "%D",
        "%I",
        "%J",
        "%N",
        "%O",
        "%P",
        "%Q",
        "%R",
        "%T",
        "%U",
        "%V",
    ]
)
_CALLABLE = _PLAIN | frozenset(_ENCLOSING) | frozenset(_OPENERS) | frozenset(_CLOSERS)
_CALLABLE |= frozenset(_SYSTEMS) | {"Xo", "Xc"}
_TAGGED_LISTS = frozenset({"-tag", "-ohang", "-diag", "-hang", "-inset"})
_OWN_LINE_TAGS = frozenset({"-tag", "-ohang", "-diag"})
_LIST_TYPES = _TAGGED_LISTS | {"-bullet", "-dash", "-hyphen", "-enum", "-item", "-column"}
_MARKS = {"-bullet": "\u2022", "-dash": "-", "-hyphen": "-"}
_COLUMN = "\t"  # between the cells of a -column row, where Ta or a tab stands


class _Words:
    """Words joined as mdoc joins them: closing punctuation to the word before, opening
    punctuation to the word after."""

    def __init__(self, *, spacing: bool = True) -> None:
        self.parts: list[str] = []
        self._glue = True
        self._spacing = spacing  # False: `.Sm off`, no space between words at all

    def add(self, text: str, *, glue: bool = False) -> None:
        if not text:
            return
        if self.parts and self._spacing and not (glue or self._glue):
            self.parts.append(" ")
        self.parts.append(text)
        self._glue = False

    def glue(self) -> None:
        self._glue = True

    def text(self) -> str:
        return "".join(self.parts)


class MdocFormatter(Formatter):
    """Reads an mdoc(7) page."""

    def __init__(self, strings: dict[str, str]) -> None:
        super().__init__(strings)
        self._section = ""
        self._lists: list[tuple[str, bool, list[int]]] = []  # (type, compact, [counter])
        self._displays: list[bool] = []  # for each open .Bd: whether it is literal
        self._display_line = False  # a .Dl block is open: the next .Dl joins it
        self._extended = False  # an `.It Xo` tag runs on over the lines up to `.Xc`
        self._program = ""  # the first .Nm's name, which a bare .Nm prints
        self._spacing = True  # `.Sm off` turns it off: words and lines join with no space

    def feed(self, item: RoffLine) -> None:
        if self._display_line and not (isinstance(item, Request) and item.name == "Dl"):
            self.page.end_code()
            self._display_line = False
        super().feed(item)

    def macro(self, request: Request) -> bool:
        name, args, line = request.name, request.args, request.line
        page = self.page
        if name in ("Sh", "Ss"):
            self._section = " ".join(args) if name == "Sh" else self._section
            page.heading(1 if name == "Sh" else 2, self.inline(" ".join(args)))
        elif name in ("Pp", "Lp"):
            page.paragraph()
        elif name == "Dt":
            self.name, self.section = (*args, "", "")[:2]
        elif name == "Sm":
            self._spacing = (args[0] != "off") if args else not self._spacing
        elif name in ("Dd", "Os", "Bk", "Ek", "Bf", "Ef", "Tg", "Rs"):
            pass
        elif name == "Re":
            page.paragraph()
        elif name == "Bl":
            self._begin_list(args)
        elif name == "El":
            if self._lists:
                self._lists.pop()
            page.paragraph()
        elif name == "It":
            self._item(args, line)
        elif name == "Bd":
            literal = "-literal" in args or "-unfilled" in args
            self._displays.append(literal)
            page.start_code(line) if literal else page.paragraph()
        elif name == "Ed":
            literal = self._displays.pop() if self._displays else False
            page.end_code(line) if literal else page.paragraph()
        elif name == "Dl":
            page.start_code(line)
            self._display_line = True
            page.text(self._phrase(list(args)), line)
        elif name == "D1":
            page.line_break()
            page.text(self._phrase(list(args)), line)
            page.line_break()
        elif name in ("Xo", "Xc") or (args and args[-1] == "Xc"):
            if name != "Xo":
                page.text(self._phrase([name, *args[:-1]] if name != "Xc" else []), line)
            self._close_tag()
        elif name in _CALLABLE:
            if name == "Nm" and self._section == "SYNOPSIS" and not page.in_code:
                page.paragraph()
            if name == "Nm" and args and not self._program:
                self._program = self.inline(args[0])
            page.text(self._phrase([name, *args]), line)
        else:
            return False
        return True

    def _begin_list(self, args: tuple[str, ...]) -> None:
        kind = next((arg for arg in args if arg in _LIST_TYPES), "-item")
        self._lists.append((kind, "-compact" in args, [0]))
        self.page.paragraph()

    def _item(self, args: tuple[str, ...], line: int) -> None:
        kind, compact, counter = self._lists[-1] if self._lists else ("-item", False, [0])
        page = self.page
        page.line_break() if compact else page.paragraph()
        phrase = self._phrase(list(args))
        if kind == "-column":
            cells = [" ".join(cell.split()) for cell in phrase.split(_COLUMN)]
            page.own_line(" | ".join(cell for cell in cells), line)
        elif kind in _TAGGED_LISTS:
            page.text(phrase, line)
            self._extended = kind in _OWN_LINE_TAGS
            if "Xo" in args:
                return
            self._close_tag()
        elif kind == "-enum":
            counter[0] += 1
            page.text(f"{counter[0]}.", line)
        elif kind in _MARKS:
            page.text(_MARKS[kind], line)

    def _close_tag(self) -> None:
        """End a tag that stands on its own line(s)."""
        if self._extended:
            self.page.line_break()
        self._extended = False

    def _phrase(self, tokens: list[str]) -> str:
        """The text of a macro line's arguments, the macros among them called."""
        words = _Words(spacing=self._spacing)
        self._call(tokens, 0, words)
        return words.text()

    def _call(self, tokens: list[str], index: int, words: _Words) -> int:
        """Render tokens from `index` to the end of the line; returns the end."""
        while index < len(tokens):
            token = tokens[index]
            index += 1
            if token in _ENCLOSING:
                index = self._enclose(token, tokens, index, words)
            elif token in _CALLABLE:
                index = self._macro(token, tokens, index, words)
            else:
                self._word(token, words)
        return index

    def _enclose(self, name: str, tokens: list[str], index: int, words: _Words) -> int:
        """`.Op Fl v .` -> "[-v]." : the rest of the line inside, closing punctuation out."""
        end = len(tokens)
        while end > index and tokens[end - 1] in _CLOSING:
            end -= 1
        opening, closing = _ENCLOSING[name]
        words.add(opening)
        words.glue()
        inner = _Words(spacing=self._spacing)
        self._call(tokens[index:end], 0, inner)
        words.add(inner.text(), glue=True)
        words.add(closing, glue=True)
        for token in tokens[end:]:
            self._word(token, words)
        return len(tokens)

    def _macro(self, name: str, tokens: list[str], index: int, words: _Words) -> int:
        args: list[str] = []
        while index < len(tokens) and tokens[index] not in _CALLABLE:
            if tokens[index] in _CLOSING and name not in ("Pf",):
                break
            args.append(tokens[index])
            index += 1
        self._macro_text(name, args, words)
        while index < len(tokens) and tokens[index] in _CLOSING:
            self._word(tokens[index], words)
            index += 1
        return index

    def _macro_text(self, name: str, args: list[str], words: _Words) -> None:
        text = [self.inline(arg) for arg in args]
        if name == "Fl":
            for flag in text or [""]:
                words.add("-" + flag)
        elif name == "Ar":
            words.add(" ".join(text) if text else "file ...")
        elif name == "Nm":
            words.add(" ".join(text) if text else self._program)
        elif name == "Nd":
            words.add(" ".join(["\u2014", *text]))
        elif name == "Xr":
            words.add(text[0] + (f"({text[1]})" if len(text) > 1 else "") if text else "")
        elif name in ("Ns", "Ap", "Pf"):
            words.glue()
            if name == "Ap":
                words.add("'", glue=True)
                words.glue()
            elif text:
                words.add(" ".join(text), glue=True)
                words.glue()
        elif name == "Ta":
            words.add(_COLUMN, glue=True)
            words.glue()
        elif name in _OPENERS:
            words.add(_OPENERS[name])
            words.glue()
            for arg in args:
                self._word(arg, words)
        elif name in _CLOSERS:
            words.add(_CLOSERS[name], glue=True)
            for arg in args:
                self._word(arg, words)
        elif name in _SYSTEMS:
            words.add(" ".join([_SYSTEMS[name], *text]))
        elif name in ("Sm", "Fc", "Xo", "Xc"):
            pass
        elif name == "Lk" and text:
            words.add(" ".join([*text[1:], f"<{text[0]}>"]) if len(text) > 1 else text[0])
        elif name in ("Fn", "Fo"):
            words.add(f"{text[0]}({', '.join(text[1:])})" if text else "")
        elif name == "In":
            words.add(f"#include <{text[0]}>" if text else "")
        elif name in ("Ex", "Rv"):
            words.add(_standard_sentence(name, [t for t in text if t != "-std"] or [self._program]))
        else:
            for arg in args:
                self._word(arg, words)

    def _word(self, token: str, words: _Words) -> None:
        if token in _CLOSING:
            words.add(token, glue=True)
        elif token in _OPENING:
            words.add(token)
            words.glue()
        else:
            words.add(self.inline(token))


def _standard_sentence(name: str, programs: list[str]) -> str:
    """What `.Ex -std` and `.Rv -std` print."""
    if name == "Ex":
        return f"The {' '.join(programs)} utility exits 0 on success, and >0 if an error occurs."
    return (
        f"The {'() '.join(programs)}() function returns the value 0 if successful; otherwise "
        "the value -1 is returned and the global variable errno is set to indicate the error."
    )
