"""Org mode's markup inside a line, read as the words an exported page shows.

- Links: `[[target][description]]` is its description, `[[target]]` its target (an internal
  `[[*Heading]]` the heading's title).
- Emphasis: `*bold*`, `/italic/` and `_underline_` lose their markers; `=verbatim=` and
  `~code~` become Markdown code spans, `code`, as the Markdown loader stores them. A marker
  counts only as Org counts it (after a space or an opening bracket, before a space or a
  punctuation mark, never around a space) and never around its own character, so the paths
  `/usr/share/doc/` and the products `a*b*c` keep their characters.
- Timestamps `<2026-11-03 Tue 10:00>` and `[2026-11-03 Tue]` lose their brackets, a range
  `<…>--<…>` reads "… to …".
- Footnotes: a reference `[fn:1]` is written as Markdown writes it, `[^1]` (as the HTML
  loader does); an inline definition `[fn::text]` is its text in parentheses.
- Targets `<<name>>` and `<<<radio>>>` are their names; a line break `\\\\` at a line's end goes.
"""

from __future__ import annotations

import re

_LINK = re.compile(r"\[\[([^\[\]\n]+)\](?:\[([^\n]+?)\])?\]")
_TIMESTAMP = r"[<\[](\d{4}-\d\d-\d\d[^<>\[\]\n]*)[>\]]"
_RANGE = re.compile(_TIMESTAMP + "--" + _TIMESTAMP)
_SINGLE = re.compile(_TIMESTAMP)
_FOOTNOTE = re.compile(r"\[fn:([\w-]+)\]")
_INLINE_FOOTNOTE = re.compile(r"\[fn:[\w-]*:([^\[\]\n]+)\]")
_TARGET = re.compile(r"<<<?([^<>\n]+?)>>>?")
_LINE_BREAK = re.compile(r"[ \t]*\\\\[ \t]*$")
# Org's emphasis: a marker after the start, a space or one of - ( ' " { and before the end, a
# space or one of - . , ; : ! ? ' ) } " \ [; the text inside neither starts nor ends with a
# space. Here the text inside never holds its own marker either (paths, products).
_BEFORE = r"(?<![^\s\-('\"{])"
_AFTER = r"(?=[\s\-.,;:!?')}\"\\\[]|$)"


def _emphasis(markers: str) -> re.Pattern[str]:
    inside = "|".join(
        rf"{re.escape(m)}([^\s{re.escape(m)}](?:[^{re.escape(m)}\n]*?[^\s{re.escape(m)}])?){re.escape(m)}"
        for m in markers
    )
    return re.compile(rf"{_BEFORE}(?:{inside}){_AFTER}")


_MARKUP = re.compile(r"[\[<*/_=~\\]")
_CODE = _emphasis("=~")
_PLAIN = _emphasis("*/_")


def plain(line: str) -> str:
    """`line` with its Org markup read as words (see the module's notes)."""
    if not _MARKUP.search(line):  # most lines: nothing to read (a long file reads faster)
        return line
    line = _LINK.sub(_link_text, line)
    line = _RANGE.sub(r"\1 to \2", line)
    line = _SINGLE.sub(r"\1", line)
    line = _INLINE_FOOTNOTE.sub(r"(\1)", line)
    line = _FOOTNOTE.sub(r"[^\1]", line)
    line = _TARGET.sub(r"\1", line)
    line = _LINE_BREAK.sub("", line)
    pieces: list[str] = []
    at = 0
    for code in _CODE.finditer(line):
        pieces.append(_without_emphasis(line[at : code.start()]))
        pieces.append(f"`{code.group(1) or code.group(2)}`")
        at = code.end()
    pieces.append(_without_emphasis(line[at:]))
    return "".join(pieces)


def _without_emphasis(text: str) -> str:
    previous = None
    while previous != text:  # *bold /italic/ words*: the outer markers, then the inner
        previous, text = text, _PLAIN.sub(_inner, text)
    return text


def _inner(match: re.Match[str]) -> str:
    return next(group for group in match.groups() if group is not None)


def _link_text(match: re.Match[str]) -> str:
    target, description = match.group(1), match.group(2)
    if description:
        return description
    return target[1:] if target.startswith("*") else target
