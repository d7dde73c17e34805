"""GNU Info manuals (`coreutils.info.gz`, `find.info-1.gz` as in `/usr/share/info`): read by
their nodes, each under the heading path its titles make ("10 Directory listing > 10.1 'ls':
List directory contents"), the way `info` shows them.

An Info file is text, and read as plain text it had no headings and carried what a reader
never sees as prose: every node's header line ("File: coreutils.info, Node: ls invocation,
Next: ..."), the menus listing a node's children, the index nodes (a line per entry, "* -a:
ls invocation. (line 12)"), and the tag table of byte offsets at the file's end. Those are
left out; so are the directory entries and licence notice before the first node. A
cross-reference reads as the printed manual sets it: "*Note Block size::" as "See Block
size", "(*note Exit status::)" as "(see Exit status)", "*note Backups: Backup options." as
"Backups.". Every line keeps its file line.

A manual split into parts (`find.info-1`, `find.info-2`) has its text in the parts; the
first file holds only their table and is skipped with their names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.errors import NotADocumentError
from ingest.loaders.headings import SectionBuilder
from ingest.types import LoadedDocument

_SEPARATOR = "\x1f"  # opens a node, the tag table, the table of a split manual's parts
_NODE_HEADER = re.compile(r"^File: ([^\n,\t]+),?\s+Node: ?([^,\t\n]+)")
_STARTS_NODE = re.compile(r"\x1f\f?\r?\n(?:File: [^\n]*Node:|Indirect:)")
_UNDERLINES = {"*": 1, "=": 2, "-": 3, ".": 4}  # chapter, section, subsection, subsubsection
_UNDERLINE = re.compile(r"([*=\-.])\1{2,}")
_INDEX_NODE = "\x00\x08[index\x00\x08]"
_MARKER = re.compile(r"\x00\x08\[.*?\x00\x08\]", re.DOTALL)  # index and image markers
_MENU = "* Menu:"
_MENU_ENTRY = re.compile(r"^\* [^:\n]+:")
# "*Note Block size::", "*note Backups: Backup options." and "*note (find)Invoking find::"
_REFERENCE = re.compile(
    r"\*([Nn])ote(\s+)(?:([^:]+?)::|([^:]+?):(\s+(?:\([^)\s]*\))?[^.,\t]*?)([.,]))"
)
_PART = re.compile(r"^(\S+): \d+$")  # "find.info-1: 1201" in a split manual's table


@dataclass(slots=True)
class _Block:
    """The lines from one separator to the next, with the file line of the first; a node's
    name ("ls invocation") and the file its header names ("coreutils.info", "dir")."""

    header: str
    line: int  # the file line of `lines[0]`
    node: str | None = None  # None for a table or local variables
    file: str = ""
    lines: list[str] = field(default_factory=list)

    @classmethod
    def opened_by(cls, header: str, line: int) -> _Block:
        named = _NODE_HEADER.match(header)
        if named is None:
            return cls(header, line)
        return cls(header, line, node=named.group(2).strip(), file=named.group(1).strip())


def is_info(text: str) -> bool:
    """True for the text of a GNU Info file: a node or a split manual's table of parts."""
    return _STARTS_NODE.search(text) is not None


def parse(text: str) -> LoadedDocument:
    """The manual's nodes as sections, the Top node's title as the document's title; raises
    NotADocumentError for a split manual's table of parts or a file of menus only."""
    blocks = _blocks(text.split("\n"))
    nodes = [b for b in blocks if b.node is not None]
    if not nodes:
        parts = [p.group(1) for b in blocks if b.header == "Indirect:" for p in _parts(b)]
        if parts:
            raise NotADocumentError(
                f"the table of a GNU Info manual split into parts: its text is in "
                f"{', '.join(parts)}, which are read"
            )
        raise NotADocumentError("a GNU Info file without nodes")
    if all(node.file == "dir" for node in nodes):
        raise NotADocumentError("the directory of the Info manuals installed: a menu of them")
    builder = SectionBuilder()
    title = ""
    level = 1
    for node in nodes:
        if any(_INDEX_NODE in line for line in node.lines):
            continue
        heading = _title(node.lines)
        if heading is None:
            builder.heading(level, node.node or "")
            builder.add(_readable(_without_menu(node.lines)), node.line)
            continue
        index, level = heading
        shown = node.lines[index].strip()
        builder.heading(level, shown)
        title = shown if node.node == "Top" else title
        body = _readable(_without_menu(node.lines[index + 2 :]))
        if any(line.strip() for line in body):  # a title over a menu only says nothing
            builder.add([shown], node.line + index)  # the line under it only underlines it
            builder.add(body, node.line + index + 2)
    sections = builder.finish()
    if not sections:
        raise NotADocumentError("a GNU Info file of menus and indexes only")
    return LoadedDocument(sections=sections, title=title)


def _blocks(lines: list[str]) -> list[_Block]:
    """The file's blocks after its first separator: nodes, tables, local variables."""
    blocks: list[_Block] = []
    current: _Block | None = None
    expecting_header = False
    for number, line in enumerate(lines, start=1):
        if line.startswith(_SEPARATOR):
            current, expecting_header = None, True
        elif expecting_header:
            current = _Block.opened_by(line.strip(), number + 1)
            blocks.append(current)
            expecting_header = False
        elif current is not None:
            current.lines.append(line)
    return blocks


def _parts(table: _Block) -> list[re.Match[str]]:
    return [m for m in (_PART.match(line.strip()) for line in table.lines) if m is not None]


def _title(lines: list[str]) -> tuple[int, int] | None:
    """The index of the node's title line and its level, by the line under it ("****" a
    chapter, "====" a section, ...); None for a node without one."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or first + 1 >= len(lines):
        return None
    underline = _UNDERLINE.fullmatch(lines[first + 1].strip())
    if underline is None:
        return None
    return first, _UNDERLINES[underline.group(1)]


def _without_menu(lines: list[str]) -> list[str]:
    """The node's lines with its menu blank: from "* Menu:" through the last paragraph of
    entries, over one-line comments between them ("Common Options" above its entries); a
    paragraph of text after the menu is the node's again."""
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == _MENU)
    except StopIteration:
        return lines
    end = start + 1
    at = start + 1
    while at < len(lines):
        if not lines[at].strip():
            at += 1
            continue
        paragraph_end = next((i for i in range(at, len(lines)) if not lines[i].strip()), len(lines))
        paragraph = lines[at:paragraph_end]
        if any(_MENU_ENTRY.match(line) for line in paragraph):
            end = paragraph_end
        elif len(paragraph) > 1:
            break
        at = paragraph_end
    return lines[:start] + [""] * (end - start) + lines[end:]


def _readable(lines: list[str]) -> list[str]:
    """The lines as a reader sees them: markers out, cross-references as printed; as many
    lines as before, so each keeps its file line."""
    text = _MARKER.sub("", "\n".join(lines))
    return _REFERENCE.sub(_printed_reference, text).split("\n")


def _printed_reference(match: re.Match[str]) -> str:
    """ "See Label" for "*Note", "see Label" inside parentheses, else the label alone; with
    the lines the reference spanned kept."""
    capital, space, plain, label, target, stop = match.groups()
    in_parentheses = match.string[max(match.start() - 1, 0) : match.start()] == "("
    if capital == "N":
        shown = f"See{space}"
    elif in_parentheses:
        shown = f"see{space}"
    else:
        shown = "\n" * space.count("\n")
    shown += plain if plain is not None else label
    after = match.string[match.end() : match.end() + 1]
    if stop is not None and (stop == "," or after != ")"):
        shown += stop
    return shown + "\n" * (target or "").count("\n")
