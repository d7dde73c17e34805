"""Markdown: one section per heading, with the heading path ("Guide > Install > Linux").

YAML front matter (Jekyll, Hugo, Obsidian: "---", "title: …", "tags: […]", "---") is kept as
text, never read as headings (its closing "---" would underline the last key as a heading),
and its `title` is the document's title.

HTML comments outside code (`<!-- toc -->`, Node's `<!-- YAML added: v0.3.3 -->` above each
entry) are left out, as a rendered page leaves them out: they were quoted as the answer's
first lines. So are link reference definitions (`[INSTALL]: INSTALL`, `[pep]:
https://peps.python.org/pep-0008/ "PEP 8"`), the targets of `[INSTALL][]` that a page shows
nowhere: 107 of the 195 Markdown files under `/usr/share/doc` end with a block of them, which
a search for the link's words found. A footnote's `[^1]: text` is text and stays. Each line
they took stays, empty, so every line keeps its number.

HTML tags outside code read as the page shows them too: an `<a id="intro">` anchor, a
`<br/>`, an `<img>` badge after a title are gone, a `<table>`'s cells are their text, one
cell a line as the file writes them, and `<code>O_RDONLY</code>` is the code span
`` `O_RDONLY` ``. Node's `fs.md` sets its file-open flags as such a table, which was quoted tag
by tag ("<td><code>O_RDWR</code></td> <td>Flag indicating ..."). Only HTML's own element
names count as tags: `<Buffer 68 65>` and `<directory>` are text.

MyST's roles and directives, the Markdown of Sphinx projects, read as the built page shows
them too (`ingest.loaders.myst`): "{ref}`pip freeze`" is "pip freeze", and a "```{note}"
fence a note, not a code block."""

from __future__ import annotations

import re
from pathlib import Path

from ingest import markdown_syntax
from ingest.loaders.decoding import read_text
from ingest.loaders.headings import SectionBuilder
from ingest.loaders.myst import without_myst_markup
from ingest.markdown_syntax import (
    ATX,
    CODE_SPAN,
    FENCE,
    code_lines,
    front_matter_lines,
    without_tags,
)
from ingest.types import LoadedDocument, Section

SUFFIXES = markdown_syntax.SUFFIXES

_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_TITLE = re.compile(r"""^title:[ \t]*(["']?)(.*?)\1[ \t]*$""", re.MULTILINE)
_COMMENT_OPEN, _COMMENT_CLOSE = "<!--", "-->"
# CommonMark's link reference definition: a label, a destination (on the next line when
# the label's line ends at its colon) and an optional title, nothing else on the line.
_LABEL = r"^ {0,3}\[(?!\^)(?:[^\]\\\n]|\\.)+\]:"
_TARGET = r"(?:<[^>\n]*>|[^\s<]\S*)(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^)\n]*\)))?[ \t]*$"
_DEFINITION = re.compile(_LABEL + r"[ \t]*" + _TARGET)
_HTML_ELEMENTS = (
    "a|abbr|article|aside|b|blockquote|br|button|caption|center|cite|code|col|colgroup|dd|del|"
    "details|div|dl|dt|em|figcaption|figure|font|footer|h[1-6]|header|hr|i|img|ins|kbd|li|mark|"
    "nav|ol|p|picture|pre|q|s|samp|section|small|source|span|strong|sub|summary|sup|table|tbody|"
    "td|tfoot|th|thead|tr|tt|u|ul|var"
)
_TAG = re.compile(rf"</?(?:{_HTML_ELEMENTS})(?:\s[^<>]*)?/?>", re.IGNORECASE)
_CODE_TAG = re.compile(r"</?code(?:\s[^<>]*)?>", re.IGNORECASE)
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
# A line of badges, images that each link elsewhere, "[![Build Status](….svg)](…)", four to a
# line in libsodium's README: a page shows pictures there, no text, and they were quoted as
# an answer's first lines.
_LINKED_IMAGE = r"\[\s*!\[[^\]\n]*\]\([^)\n]*\)\s*\]\([^)\n]*\)"
_BADGES = re.compile(rf"\s*{_LINKED_IMAGE}(?:[\s,]*{_LINKED_IMAGE})*[\s,]*")
# An entry of a table of contents: a list item that is only a link to a heading of the page
# ("* [Building Node.js](#building-nodejs)") or to another file ("- [Rename A Remote](git/
# rename-a-remote.md)"), whose text is that heading's or that file's title. A notes
# repository's README of 1,944 of them was quoted for the notes they list. A link to a site
# ("https://…") stays: that is its only mention here.
_CONTENTS_ENTRY = re.compile(
    r"\s*(?:[-*+]|\d+[.)])[ \t]+\[[^\]\n]+\]\(\s*<?(?![a-zA-Z][\w+.-]*:|//)[^)\s>]*>?"
    r"(?:[ \t]+\"[^\"\n]*\")?\s*\)\s*"
)
_LABEL_ALONE = re.compile(_LABEL + r"[ \t]*$")
_TARGET_ALONE = re.compile(r"^[ \t]+" + _TARGET)


def load(path: Path) -> LoadedDocument:
    text = read_text(path)
    lines = text.split("\n")
    title = _TITLE.search("\n".join(lines[: front_matter_lines(lines)]))
    return LoadedDocument(parse(text), title=title.group(2) if title else "")


def parse(text: str) -> list[Section]:
    builder = SectionBuilder()
    lines = shown_lines(text.split("\n"))
    # The front matter and the blank lines after it, held until what follows shows where
    # they belong: the document's top heading ("# Atlas kickoff") when that comes next, so
    # they open its section; else a section of their own.
    front_matter = front_matter_lines(lines)
    held = lines[:front_matter]
    fence: str | None = None
    for number, line in enumerate(lines, start=1):
        if number <= front_matter:
            continue
        if held and not line.strip():
            held.append(line)
            continue
        opening = FENCE.match(line)
        if opening and (fence is None or opening.group(1)[0] == fence[0]):
            fence = None if fence else opening.group(1)
        atx = None if fence or opening else ATX.match(line)
        top = atx is not None and len(atx.group(1)) == 1
        if held and not top:
            builder.add(held, 1)
        if atx:
            builder.heading(len(atx.group(1)), without_tags(atx.group(2)))
            if held and top:
                builder.add(held, 1)
            held = []
            builder.add([line], number)
            continue
        held = []
        underline = _SETEXT.match(line) if fence is None and number > 1 else None
        previous = lines[number - 2] if number > 1 else ""
        if underline and previous.strip() and builder.pending_is(previous):
            builder.drop_last_line()
            level = 1 if underline.group(1).startswith("=") else 2
            builder.heading(level, previous)
            builder.add([previous, line], number - 1)
            continue
        builder.add([line], number)
    builder.add(held, 1)
    return builder.finish()


def shown_lines(lines: list[str]) -> list[str]:
    """Markdown's lines as its rendered page shows their text: without HTML comments, link
    reference definitions, lines of badges, a table of contents' entries and tags, MyST's
    markup read as its text. Every line stays, empty when nothing of it shows, so each keeps
    its number."""
    shown = _without_link_definitions(_without_comments(without_myst_markup(lines)))
    return _without_html(_without_lines_alone(shown))


def _without_comments(lines: list[str]) -> list[str]:
    """The lines with HTML comments outside fenced code and code spans cut out; a line
    inside a comment is left empty."""
    kept: list[str] = []
    fence: str | None = None
    inside = False
    for line in lines:
        opening = None if inside else FENCE.match(line)
        if opening and (fence is None or opening.group(1)[0] == fence[0]):
            fence = None if fence else opening.group(1)
        if fence or opening:
            kept.append(line)
            continue
        shown, at = [], 0
        while at <= len(line):
            if inside:
                end = line.find(_COMMENT_CLOSE, at)
                if end < 0:
                    break
                inside, at = False, end + len(_COMMENT_CLOSE)
                continue
            start = _comment_start(line, at)
            shown.append(line[at : start if start >= 0 else len(line)])
            if start < 0:
                break
            inside, at = True, start + len(_COMMENT_OPEN)
        kept.append("".join(shown).rstrip() if shown else "")
    return kept


def _without_link_definitions(lines: list[str]) -> list[str]:
    """The lines with link reference definitions outside fenced code left empty. A definition
    cannot interrupt a paragraph: it follows a blank line, a heading or another one."""
    kept = list(lines)
    code = code_lines(lines)
    may_define = True  # the line above ends no paragraph's text
    index = 0
    while index < len(lines):
        line = lines[index]
        taken = 0 if code[index] or not may_define else _definition_lines(lines, index)
        kept[index : index + taken] = [""] * taken
        may_define = not code[index] and (
            taken > 0 or not line.strip() or ATX.match(line) is not None
        )
        index += max(taken, 1)
    return kept


def _without_lines_alone(lines: list[str]) -> list[str]:
    """The lines outside fenced code left empty that are only a line of badges or an entry
    of a table of contents. An image in a line of text stays as written: an instruction to
    end answers with one is what the prompt-injection check flags
    (`assistant.guardrails.injection`)."""
    return [
        "" if not code and (_BADGES.fullmatch(line) or _CONTENTS_ENTRY.fullmatch(line)) else line
        for line, code in zip(lines, code_lines(lines), strict=True)
    ]


def _without_html(lines: list[str]) -> list[str]:
    """The lines with HTML tags outside fenced code and code spans taken out, `<code>`
    written as a code span's backtick."""
    return [
        line if code or "<" not in line else _shown(line)
        for line, code in zip(lines, code_lines(lines), strict=True)
    ]


def _shown(line: str) -> str:
    """One line's text outside code spans without its tags, and without its indentation when
    it had any: a line of tags alone is empty."""
    parts, at = [], 0
    for span in CODE_SPAN.finditer(line):
        parts.extend([_untagged(line[at : span.start()]), span.group()])
        at = span.end()
    parts.append(_untagged(line[at:]))
    shown = "".join(parts)
    return shown if shown == line else shown.strip()  # a table's cell line is no code block


def _untagged(text: str) -> str:
    return _TAG.sub("", _LINE_BREAK.sub(" ", _CODE_TAG.sub("`", text)))


def _definition_lines(lines: list[str], index: int) -> int:
    """How many lines the link reference definition at `index` takes: 0 (none), 1 or 2."""
    if _DEFINITION.match(lines[index]):
        return 1
    following = lines[index + 1] if index + 1 < len(lines) else ""
    return 2 if _LABEL_ALONE.match(lines[index]) and _TARGET_ALONE.match(following) else 0


def _comment_start(line: str, at: int) -> int:
    """Where the next comment opens in `line` from `at`, outside `code spans`; -1: none."""
    start = line.find(_COMMENT_OPEN, at)
    while start >= 0 and line.count("`", 0, start) % 2 == 1:
        start = line.find(_COMMENT_OPEN, start + 1)
    return start
