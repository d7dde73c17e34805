"""A roff source as the lines a formatter acts on: requests and macro calls (".TP",
".It Fl v") with their arguments, and text lines, each with its file line.

Done here, so the macro packages see none of it: comments (`.\\"`, `\\"`) are cut, lines
ending in a backslash are joined, macro definitions (`.de`) and ignored blocks (`.ig`) are
left out, strings (`.ds`) are recorded for `ingest.loaders.roff_escapes`, and conditionals
(`.if`, `.ie`/`.el`, with `\\{ ... \\}` blocks) keep the branch a terminal would take.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

# Strings defined before any page defines its own: man(7)'s and mdoc(7)'s.
PREDEFINED_STRINGS = {
    "R": "\\(rg",
    "Tm": "\\(tm",
    "lq": "\\(lq",
    "rq": "\\(rq",
    "Lq": "\\(lq",
    "Rq": "\\(rq",
    "q": '"',
    "Ba": "|",
    "Am": "&",
    "Le": "\\(<=",
    "Ge": "\\(>=",
    "Lt": "<",
    "Gt": ">",
    "Ne": "\\(!=",
    "Pi": "\\(*p",
    "If": "\\(if",
    "Na": "NaN",
    "Ua": "\\(ua",
}
# Requests whose block, up to "..", is a definition or ignored text, not the page's.
_BLOCKS = frozenset({"de", "de1", "dei", "am", "am1", "ami", "ig"})
_CONDITIONALS = frozenset({"if", "ie", "el", "while"})


@dataclass(frozen=True, slots=True)
class Request:
    """A control line: ".TP", ".It Fl v", with its arguments as written (escapes in them)."""

    name: str
    args: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class TextLine:
    """A text line as written; `line` is its file line."""

    text: str
    line: int


RoffLine = Request | TextLine


class RoffReader:
    """Reads a roff source into `RoffLine`s; `strings` holds the strings it defined."""

    def __init__(self) -> None:
        self.strings: dict[str, str] = dict(PREDEFINED_STRINGS)
        self._last_condition = True  # the last .ie's, which its .el reverses

    def read(self, source: str) -> Iterator[RoffLine]:
        yield from self._lines(list(_joined(source.split("\n"))))

    def _lines(self, lines: list[tuple[int, str]]) -> Iterator[RoffLine]:
        index = 0
        while index < len(lines):
            number, raw = lines[index]
            index += 1
            text = _without_comment(raw)
            if not text.startswith((".", "'")):
                yield TextLine(text, number)  # a line that was only a comment is blank
                continue
            name, rest = _split_control(text[1:])
            if not name:
                continue
            if name in _BLOCKS:
                args = split_arguments(rest)
                named_end = (args[1:] if name != "ig" else args)[:1]
                end = "." + named_end[0] if named_end else ".."
                while index < len(lines) and lines[index][1].strip() != end:
                    index += 1
                index += 1
            elif name in _CONDITIONALS:
                body, index = _conditional_body(rest, name, number, lines, index)
                if self._holds(name, rest):
                    yield from self._lines(body)
            elif name in ("ds", "ds1", "as", "as1"):
                self._define(name, rest)
            else:
                yield Request(name, tuple(split_arguments(rest)), number)

    def _holds(self, name: str, rest: str) -> bool:
        if name == "el":
            return not self._last_condition
        if name == "while":
            return False  # a loop: nothing a manual page's text depends on
        holds = condition_holds(rest.lstrip().split(" ", 1)[0], self.strings)
        if name == "ie":
            self._last_condition = holds
        return holds

    def _define(self, name: str, rest: str) -> None:
        key, _, value = rest.strip().partition(" ")
        value = value.lstrip()
        value = value[1:] if value.startswith('"') else value
        self.strings[key] = self.strings.get(key, "") + value if name.startswith("as") else value


def condition_holds(condition: str, strings: dict[str, str]) -> bool:
    """Whether a terminal formatter (nroff, groff) takes the branch: "n" yes, "t" no,
    "\\n(.g" (groff?) yes, "'a'b'" when the strings match; a number register other than
    groff's is taken for 0."""
    from ingest.loaders.roff_escapes import text_of

    if condition.startswith("!"):
        return not condition_holds(condition[1:], strings)
    if condition in ("n", "o"):
        return True
    if condition in ("t", "e", "v", ""):
        return False
    if condition.isdigit():
        return int(condition) > 0
    if condition[0] in "'\"" and condition.count(condition[0]) >= 3:
        _, left, right, *_ = condition.split(condition[0])
        return text_of(left, strings) == text_of(right, strings)
    if condition.startswith(("d", "r", "c", "F", "S", "m")) and len(condition) == 1:
        return False
    return condition.startswith(("\\n(.g", "\\n[.g]", "\\n(.x", "\\n[.x]"))


def split_arguments(rest: str) -> list[str]:
    """A request's arguments: split at spaces, a "quoted argument" whole ("" in it is ")."""
    args: list[str] = []
    index = 0
    length = len(rest)
    while index < length:
        while index < length and rest[index] in " \t":
            index += 1
        if index >= length:
            break
        quoted = rest[index] == '"'
        index += quoted
        arg: list[str] = []
        while index < length:
            char = rest[index]
            if quoted and char == '"':
                if rest[index + 1 : index + 2] == '"':
                    arg.append('"')
                    index += 2
                    continue
                index += 1
                break
            if not quoted and char in " \t":
                break
            if char == "\\" and index + 1 < length:
                arg.append(rest[index : index + 2])
                index += 2
                continue
            arg.append(char)
            index += 1
        args.append("".join(arg))
    return args


def _joined(lines: list[str]) -> Iterator[tuple[int, str]]:
    """(file line, line) with each line ending in an odd number of backslashes joined to the
    next, under the first line's number."""
    pending: list[str] = []
    start = 1
    for number, line in enumerate(lines, 1):
        if not pending:
            start = number
        trailing = len(line) - len(line.rstrip("\\"))
        if trailing % 2:
            pending.append(line[:-1])
            continue
        pending.append(line)
        yield start, "".join(pending)
        pending = []
    if pending:
        yield start, "".join(pending)


def _without_comment(line: str) -> str:
    """The line up to its comment (`\\"` and the rest, or `\\#`); `\\\\"` is no comment."""
    index = line.find("\\")
    while 0 <= index < len(line) - 1:
        if line[index + 1] in '"#':
            return line[:index].rstrip() if line[index + 1] == '"' else line[:index]
        index = line.find("\\", index + 2)
    return line


def _split_control(text: str) -> tuple[str, str]:
    """(name, the rest) of a control line without its control character."""
    text = text.lstrip(" \t")
    for index, char in enumerate(text):
        if char in " \t":
            return text[:index], text[index:]
        if char == "\\" and index:  # ".if\n(.g": the name ends where an escape starts
            return text[:index], text[index:]
    return text, ""


def _conditional_body(
    rest: str, name: str, number: int, lines: list[tuple[int, str]], index: int
) -> tuple[list[tuple[int, str]], int]:
    """The lines a conditional governs and the index past them: the rest of its line, and
    when that opens a `\\{` block, the lines to the matching `\\}`."""
    rest = rest.lstrip()
    if name != "el":  # past the condition
        if rest[:1] in "'\"" and rest.count(rest[0]) >= 3:
            quote = rest[0]
            third = rest.index(quote, rest.index(quote, 1) + 1)
            rest = rest[third + 1 :]
        else:
            rest = rest.split(" ", 1)[1] if " " in rest else ""
    rest = rest.lstrip()
    if not rest.startswith("\\{"):
        return ([(number, rest)] if rest else []), index
    body: list[tuple[int, str]] = []
    depth = 0
    first: list[tuple[int, str]] = [(number, rest)]
    for at, text in first + lines[index:]:
        depth += text.count("\\{") - text.count("\\}")
        cleaned = text.replace("\\{", "").replace("\\}", "")
        if cleaned.strip() and cleaned.strip() not in (".", "'"):
            body.append((at, cleaned.lstrip() if at == number else cleaned))
        if at != number:
            index += 1
        if depth <= 0:
            break
    return body, index
