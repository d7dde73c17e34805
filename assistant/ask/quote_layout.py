"""A quoted stretch of a source, laid out as the source lays it out.

Evidence spans (`assistant.ask.sentences.TextSpan`) carry their words with the spaces folded:
"## Keeping API keys safe margin never stores ... ```sh margin keys set work", one line. A
quote is read as a passage of the document, so `quoted_passage` takes the source's own text
between the span's offsets and keeps its structure:

- a fenced code block the span touches is quoted whole, from its opening fence to its
  closing one, every line verbatim (a block the chunk cuts off is closed after its last
  line, so nothing after it renders as code); an indented code line stays as it is;
- headings (a heading's underline too: "=====" under reST and setext titles; org-mode's
  "** TODO"), list items, table rows ("| cell |", "cell | cell", box-drawn), quotations,
  prompts and runs of field lines (front matter's "title: …", an e-mail's headers, a CSV row
  as the loader writes it) keep their own lines, and blank lines between paragraphs stay
  (one);
- the wrapped lines of a paragraph (a man page's 80 columns, a PDF's lines) are joined with
  a space, as a renderer would join them, and the spaces that justified them are one;
- the common indentation is removed (a man page's seven columns), so prose does not turn
  into code when the quote is rendered as Markdown;
- an option's tag on a line of its own ("-s, --size", "--sort=WORD", a manual page's) keeps
  it: its description below starts a line;
- a quote that starts at a table's row below its header is quoted under the header
  (`table_header`): "| Escape | stop the answer ... |" alone does not say its first cell is
  a key; on docs/golden.jsonl 5 of the 50 answers started so;
- in a source laid out by hanging indents (a manual page saved as text: every line after the
  first indented, an option's description deeper than the option), indentation is structure,
  not code: a line indented deeper or shallower than the one above starts a line of its own
  ("--sort=WORD" above its description), unless it lines up with the words after the tag on
  the line above ("-S     sort by file size," continued below "sort").

`ends_in_code` tells the caller where a citation may go: never inside code, so after a
passage ending in code it goes on a line of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.ask.sentences import CALLOUT_MARK, FIELD_LINE
from ingest.markdown_syntax import fenced_blocks

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
# A line that starts a block of its own (heading, list item or callout, table row, quotation,
# prompt).
_OWN_LINE = re.compile(
    rf"^(?:#{{1,6}}[ \t]|[-•+][ \t]|\*+[ \t]|\d{{1,3}}[.)][ \t]|{CALLOUT_MARK}[ \t]|>|\||\$[ \t]"
    r"|>>>|([=~^*-])\1{2,}$)"
)
# A line that stands alone: nothing is joined after it.
_CLOSED_LINE = re.compile(r"^(?:#{1,6}[ \t]|\||([=~^*-])\1{2,}$)")
# A table row, which stands alone too: the loaders' "cell | cell" (HTML, DOCX, ODT, PPTX,
# EPUB, CSV) or a box drawn with lines (a manual page's tbl table, "│OnBootSec= │ ...").
_TABLE_ROW = re.compile(r"^[\u2500-\u257f]|[ \t]\|[ \t]")
# Markdown's row under a table's header: "|---|:---:|", "--- | ---".
_SEPARATOR_ROW = re.compile(r"^\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?$")
MAX_TABLE_ROWS = 10  # rows a quote that reaches a table's header carries with it
MAX_LIST_ITEMS = 12  # items a quote that stops inside an announced list carries with it
# "•   login name", "<2> Rewind the master branch"
LIST_ITEM = re.compile(rf"^([ \t]*)(?:[-•+*◦▪‣]|\d{{1,3}}[.)]|{CALLOUT_MARK})[ \t]+\S")
INDENTED_CODE = 4  # columns of indentation (after the common one) that make a line code
# A source whose lines after the first are all indented this far, or further, is laid out by
# hanging indents: a manual page's seven columns, and not Markdown's four-column code.
HANGING_INDENT = 5
# A line that is only an option's tag: "-#  --fast --best", "-b batchfile", "--sort=WORD".
_OPTION_TAG = re.compile(r"--?[^\s-]\S*(?: \S+){0,3}(?<![.;:!?])")
_OPTION_TAG_WIDTH = 40
_TAG_GAP = re.compile(r"\S {2,}(?=\S)")  # "-S     sort": where the words after a tag start


@dataclass(frozen=True, slots=True)
class Passage:
    start: int  # offsets into the source text, widened to whole code blocks
    end: int
    text: str
    ends_in_code: bool


def fences(text: str) -> list[tuple[int, int, bool]]:
    """The fenced code blocks of `text` (`fenced_blocks`, the sentence splitter's), each with
    whether it is closed; an unclosed block runs to the end of the text."""
    blocks: list[tuple[int, int, bool]] = []
    for start, end in fenced_blocks(text):
        lines = text[start:end].rstrip().splitlines()
        opening, last = _FENCE.match(lines[0]), _FENCE.match(lines[-1])
        closed = (
            len(lines) > 1
            and opening is not None
            and last is not None
            and _closes(last.group(1), opening.group(1), lines[-1])
        )
        blocks.append((start, end if closed else len(text.rstrip()), closed))
    return blocks


def _closes(fence: str, opening: str, line: str) -> bool:
    return fence[0] == opening[0] and len(fence) >= len(opening) and line.strip() == fence


def quoted_passage(text: str, start: int, end: int) -> Passage:
    """`text[start:end]`, widened to every fenced block it touches, laid out as the source."""
    closing = ""  # the fence that closes a block the text cuts off, if the passage ends in it
    blocks = fences(text)
    for block_start, block_end, closed in blocks:
        if block_start < end and start < block_end:
            start, end = min(start, block_start), max(end, block_end)
            if not closed:
                opening = _FENCE.match(text[block_start:])
                closing = opening.group(1) if opening else "```"
    lead = _line_start(text, start)
    # A span starting inside its line has lost that line's indentation: it counts still.
    first_indent = len(_indent(text[lead:start]))
    if not text[lead:start].strip():  # the span starts its line: keep the line's indentation
        start = lead
    raw = text[start:end].splitlines()
    lines, ends_in_code = _laid_out(raw, first_indent, _hanging(text, blocks))
    if closing:
        lines.append(closing)
    return Passage(start, end, "\n".join(lines).strip("\n"), ends_in_code)


def through_table(text: str, start: int, end: int) -> int:
    """Where a quote of `text[start:end]` ends: when it stops at a table's header or the
    separator under it ("| Option | Verdict |", no answer by itself), after the table's rows,
    at most `MAX_TABLE_ROWS` of them ("| Parquet | **chosen** |"); else at `end`. A quote
    that holds rows already stops where it stops (a longer one answered no more on the
    evaluation sets)."""
    last = _line_above(text, end)
    if not _is_row(_line_at(text, last)):
        return end
    top = last
    while top > 0 and _is_row(_line_at(text, _line_above(text, top))):
        top = _line_above(text, top)
    if top < _line_start(text, start):  # the quote starts below the header
        return end
    rows, at = 0, top + len(_line_at(text, top))
    while at < last and _SEPARATOR_ROW.match(_line_at(text, at + 1).strip()):
        at += 1 + len(_line_at(text, at + 1))
    if at < last:  # a row below the header is quoted
        return end
    while rows < MAX_TABLE_ROWS and at < len(text) and _is_row(_line_at(text, at + 1)):
        row = _line_at(text, at + 1)
        rows += 0 if _SEPARATOR_ROW.match(row.strip()) else 1
        at += 1 + len(row)
    return max(end, len(text[:at].rstrip()))


def table_header(text: str, start: int) -> str:
    """The header of the table a quote starting at `start` opens inside, below its header
    row ("| `daily_usd` | 1.00 | 0 to 10,000 | ..." under "| setting | default | range |
    meaning |"), with the separator under it. A table's header is its first row after a
    blank line; "" when the quote starts no row, starts at the header, or the rows above it
    follow no blank line in `text` (a chunk opening inside the table may have cut its header
    off, or opens with the end of a row)."""
    line = _line_start(text, start)
    if not _is_row(_line_at(text, line)):
        return ""
    top = line
    while top > 0 and _is_row(_line_at(text, _line_above(text, top))):
        top = _line_above(text, top)
    if top == line or top == 0 or _line_at(text, _line_above(text, top)).strip():
        return ""  # at the header, or no blank line above: a chunk's overlap may cut rows
    header = [_line_at(text, top)]
    below = top + len(header[0]) + 1
    separator = _line_at(text, below) if below < line else ""
    if _SEPARATOR_ROW.match(separator.strip()):
        header.append(separator)
    return "\n".join(header)


def through_list(text: str, start: int, end: int) -> int:
    """Where a quote of `text[start:end]` ends: when it stops inside a list that a line of the
    quote announces ("These fields are:" above "•   login name"), after the list's last item,
    at most `MAX_LIST_ITEMS` of them and their wrapped lines; else at `end`. The first item
    alone answers "Which fields make up a line of /etc/passwd?" with "login name"."""
    line_start = _line_above(text, end)
    item = LIST_ITEM.match(_line_at(text, line_start))
    if item is None:
        return end
    top = line_start  # the list's first item: up over items, their wrapped lines, blank lines
    above = _line_above(text, top)
    while top > 0 and _in_list(_line_at(text, above), len(item.group(1))):
        top, above = above, _line_above(text, above)
    while top > 0 and not _line_at(text, above).strip():
        above = _line_above(text, above)
    if above < _line_start(text, start) or not _line_at(text, above).rstrip().endswith(":"):
        return end  # the quote does not hold what announces the list
    items, at, last = 0, top, end
    while at < len(text):
        line = _line_at(text, at)
        if LIST_ITEM.match(line):
            items += 1
            if items > MAX_LIST_ITEMS:
                break
        elif not _in_list(line, len(item.group(1))):
            break
        if line.strip():
            last = at + len(line)
        at += len(line) + 1
    return max(end, last)


def _line_start(text: str, at: int) -> int:
    """Where the line holding position `at` starts."""
    return text.rfind("\n", 0, at) + 1


def _line_above(text: str, at: int) -> int:
    """Where the line holding the character before `at` starts: the line above, when `at`
    starts a line; `at`'s own line, when `at` is a line's end."""
    return _line_start(text, max(at - 1, 0))


def _in_list(line: str, marker_indent: int) -> bool:
    """A line of a list: an item, a blank line, or an item's wrapped line (indented deeper
    than the items' markers)."""
    return (
        not line.strip() or LIST_ITEM.match(line) is not None or len(_indent(line)) > marker_indent
    )


def _line_at(text: str, start: int) -> str:
    """The line of `text` that starts at `start`."""
    newline = text.find("\n", start)
    return text[start : newline if newline >= 0 else len(text)]


def _is_row(line: str) -> bool:
    """A table's row: Markdown's "| cell |" and its separator, a loader's "cell | cell"."""
    line = line.strip()
    return line.startswith("|") or bool(_TABLE_ROW.search(line) or _SEPARATOR_ROW.match(line))


def _hanging(text: str, blocks: list[tuple[int, int, bool]]) -> bool:
    """Whether `text` is laid out by hanging indents: its prose lines after the first (which
    may start inside its line), outside the fenced `blocks`, are indented at least
    `HANGING_INDENT` columns."""
    indents = []
    position = text.find("\n") + 1 if "\n" in text else len(text)
    for line in text[position:].split("\n"):
        if line.strip() and not any(start <= position < end for start, end, _ in blocks):
            indents.append(len(_indent(line)))
        position += len(line) + 1
    return bool(indents) and min(indents) >= HANGING_INDENT


def _laid_out(
    raw: list[str], first_indent: int = 0, hanging: bool = False
) -> tuple[list[str], bool]:
    """Lines as the passage shows them, and whether the last one is code. The first line's
    indentation is at least `first_indent` (a passage starting inside its line: a man page's
    14 columns, or the lines below it would read as code). In a `hanging` layout no line is
    code for its indentation, and a change of indentation starts a line."""
    fenced = _fenced_lines(raw)
    prose = [
        len(_indent(line)) if index else max(len(_indent(line)), first_indent)
        for index, (line, code) in enumerate(zip(raw, fenced, strict=True))
        if not code and line.strip()
    ]
    indent = min(prose, default=0)
    lines: list[str] = []
    code_last = False
    joinable = False  # the last line is prose a wrapped line may continue
    continuing: set[int] = set()  # in a hanging layout: the columns a wrapped line may start at
    field_above = False  # the line above is a line of fields ("title: …"): so is this one?
    for index, (line, code) in enumerate(zip(raw, fenced, strict=True)):
        if code:
            lines.append(line.rstrip())
            code_last, joinable = True, False
            continue
        body = line[indent:].rstrip() if not line[:indent].strip() else line.strip()
        if not body.strip():
            if lines and lines[-1]:
                lines.append("")
            joinable = False
            continue
        column = len(_indent(body)) if index else max(len(_indent(line)), first_indent) - indent
        if hanging:
            joinable = joinable and column in continuing
            continuing = {column} | {column + gap.end() for gap in _TAG_GAP.finditer(body.strip())}
        elif column >= INDENTED_CODE and not (lines and lines[-1] and joinable):
            lines.append(body)
            code_last, joinable = True, False
            continue
        body = body.strip()
        row = _TABLE_ROW.search(body) is not None
        tag = len(body) <= _OPTION_TAG_WIDTH and _OPTION_TAG.fullmatch(body) is not None
        field = FIELD_LINE.match(body) is not None
        own_line = row or tag or (field and field_above) or _OWN_LINE.match(body) is not None
        field_above = field
        if not own_line:  # a justified line's padding: one space
            body = " ".join(body.split())
        if joinable and not own_line:
            lines[-1] += " " + body
        else:
            lines.append(body)
        code_last, joinable = False, not (row or tag) and not _CLOSED_LINE.match(body)
    while lines and not lines[-1]:
        lines.pop()
    return lines, code_last


def _fenced_lines(raw: list[str]) -> list[bool]:
    """For each line, whether it belongs to a fenced block (its fences included)."""
    blocks = fenced_blocks("\n".join(raw))
    marks: list[bool] = []
    position = 0
    for line in raw:
        marks.append(any(start <= position < end for start, end in blocks))
        position += len(line) + 1
    return marks


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]
