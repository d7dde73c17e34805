"""Walk an HTML content element into sections: headings, API entries, code, lists, tables.

Headings (h1-h6) open sections under their heading path. A definition-list entry whose term
carries an `id` or a named anchor (Sphinx and pydoc API entries such as `str.partition(sep)`)
becomes its own section, headed by the signature, one level below the heading above it.
Code blocks keep their lines, fenced as in Markdown; list items become "- item" lines,
data-table rows "cell | cell" lines; layout tables (pydoc's) are read as the blocks they
hold. Every line keeps the file line its text starts on (lxml's `sourceline`, the line an
element's start tag ends on, and the newlines of the text before it), or an earlier one
where that is not known.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ingest.loaders.headings import SectionBuilder
from ingest.markdown_syntax import code_fence
from ingest.types import Section

if TYPE_CHECKING:
    from lxml.html import HtmlElement

HEADINGS = {f"h{level}": level for level in range(1, 7)}
# Never text: scripts, media, forms and page furniture (navigation, sidebars, footers).
SKIPPED = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "canvas",
        "iframe",
        "object",
        "embed",
        "video",
        "audio",
        "map",
        "button",
        "select",
        "input",
        "textarea",
        "form",
        "nav",
        "aside",
        "footer",
        "head",
        "title",
        "meta",
        "link",
    ]
)
FURNITURE_ROLES = frozenset(["navigation", "banner", "contentinfo", "search", "complementary"])
# Permalink anchors next to headings: Sphinx "¶", MkDocs "¶"/"#", others "§", "🔗", "#".
PERMALINK_TEXT = frozenset(["¶", "#", "§", "🔗", "link", "permalink", "¶#"])
PARAGRAPH_NUMBER = re.compile(r"\d{1,6}\.?")  # a link's text that numbers a paragraph
BLOCKS = frozenset(
    [
        "address",
        "article",
        "blockquote",
        "body",
        "center",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "ol",
        "p",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
    ]
)
# A table holding these (or other tables) lays out a page rather than tabulating data.
_LAYOUT_INSIDE = ("table", "dl", "h1", "h2", "h3", "h4", "h5", "h6")
_SPACES = re.compile(r"[ \t\f\v\r\n\u00a0\u200b]+")
_HEADING_GLYPHS = re.compile(r"\s*[¶§🔗]+\s*$")
# Boxes set apart from the text around them (DocBook's, Sphinx's and others' class names).
_BOXES = frozenset(["note", "tip", "warning", "caution", "important", "admonition", "hint"])
_CELL_PROMPTS = frozenset({"input_prompt", "output_prompt", "jp-inputprompt", "jp-outputprompt"})
_NBSPHINX_CELLS = frozenset({"nbinput", "nboutput"})  # the cell beside its `prompt`


def is_furniture(element: HtmlElement) -> bool:
    """Navigation and other page furniture around the content, never content itself."""
    if element.tag in SKIPPED:
        return True
    if (element.get("role") or "").lower() in FURNITURE_ROLES:
        return True
    classes = (element.get("class") or "").lower().split()
    return (
        "headerlink" in classes
        or is_printed_index(element)
        or _is_permalink(element)
        or _is_paragraph_number(element)
        or _is_cell_prompt(element, classes)
    )


def _titles_a_box(heading: HtmlElement) -> bool:
    """A heading that titles a note or warning box, as DocBook writes one:
    `<div class="note"><h3 class="title">Note</h3><p>…</p></div>`. It is the box's first
    line, not a section: as a section it headed the rest of the section the box sits in
    (PostgreSQL's manual: the 8 parameters after `COPY`'s note on NULL, 9,225 characters of
    `ALTER TABLE`'s description, were "Description > Note")."""
    parent = heading.getparent()
    if parent is None:
        return False
    return not _BOXES.isdisjoint((parent.get("class") or "").lower().split())


def is_printed_index(element: HtmlElement) -> bool:
    """A manual's printed index: entries pointing to sections, which are read where they are.
    Texinfo's (`<table class="index-cp">`, Texinfo 7's `cp-entries-printindex`) and the bar of
    its letters ("Jump to: A B C"): zsh's six indexes made 257 of its 2,706 chunks ("ALIASES |
    | 16.2.6 Input/Output"); Sphinx's general index (`indextable`: Python's is 850 kB of text
    in 28 pages, "abort() (asyncio.Barrier method)"); DocBook's (`<div class="indexdiv">`,
    PostgreSQL's book index, 140 kB). A module index, whose entries say what each is for, is
    read."""
    classes = (element.get("class") or "").split()
    if element.tag == "div":
        return "indexdiv" in classes
    if element.tag != "table":
        return False
    if "indextable" in classes and "modindextable" not in classes:
        return True
    if any(c.startswith("index-") or c.endswith("-printindex") for c in classes):
        return True
    return element.find(".//a[@class='summary-letter']") is not None


def _is_cell_prompt(element: HtmlElement, classes: list[str]) -> bool:
    """A notebook cell's prompt ("[3]:", "In [3]:", "Out[3]:"), as nbconvert's templates and
    nbsphinx write it beside the cell: the order the cells last ran in. Read, each was a code
    block of its own between the cells ("Running Code" in Debian's Jupyter manual: 9 of them)."""
    if _CELL_PROMPTS.intersection(classes):
        return True
    parent = element.getparent()
    return (
        "prompt" in classes
        and parent is not None
        and not _NBSPHINX_CELLS.isdisjoint((parent.get("class") or "").lower().split())
    )


def _footnote_mark(element: HtmlElement) -> str | None:
    """A reference to a footnote (Sphinx, docutils) as Markdown writes it, "[^1]"; None for
    any other element. As the page prints it, "[1]" reads as a citation of margin's source
    [1]. (The notes themselves sit in an `<aside>`, left out with the page's sidebars.)"""
    classes = (element.get("class") or "").split()
    if element.get("role") != "doc-noteref" and "footnote-reference" not in classes:
        return None
    number = element.text_content().strip().strip("[]").strip()
    return f"[^{number}]" if number else None


def _is_permalink(element: HtmlElement) -> bool:
    if element.tag != "a" or not (element.get("href") or "").startswith("#"):
        return False
    return (element.text_content() or "").strip().lower() in PERMALINK_TEXT


def _is_paragraph_number(element: HtmlElement) -> bool:
    """A paragraph's number that links to the paragraph right after it, alone or alone in
    its wrapper: SiSU's `<label class="ocn"><a href="#o519">519</a></label><p id="o519">`
    (as in `ingest.loaders.epub_text`). A footnote's number links elsewhere."""
    href = element.get("href") or ""
    text = (element.text_content() or "").strip()
    if element.tag != "a" or not href.startswith("#") or not PARAGRAPH_NUMBER.fullmatch(text):
        return False
    holder, parent = element, element.getparent()
    if parent is not None and (parent.text_content() or "").strip() == text:
        holder = parent
    following = holder.getnext()
    return following is not None and following.get("id") == href[1:]


def clean_heading(text: str) -> str:
    return _HEADING_GLYPHS.sub("", _SPACES.sub(" ", text)).strip()


class SectionWalker:
    """Turns one content element into sections; use `walk(element)` then `finish()`."""

    def __init__(self) -> None:
        self.builder = SectionBuilder()
        self._line: list[str] = []
        self._start: int | None = None  # the file line `_line`'s text starts on
        self._at = 1  # the file line the walk has reached (never past the text it reads)
        self._depth = 0  # level of the innermost open heading or API entry
        self._bullet = False  # the next line starts a list item

    def walk(self, element: HtmlElement) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag:
            self._enter(element)
        if not tag or is_furniture(element):
            self._tail(element)
            return
        if tag in HEADINGS and not _titles_a_box(element):
            self._heading(HEADINGS[tag], inline_text(element), first_text_line(element))
        elif tag == "pre":
            self._pre(element)
        elif tag == "dl":
            self._definitions(element)
        elif tag == "table":
            self._table(element)
        elif tag == "br":
            self._break()
        elif (mark := _footnote_mark(element)) is not None:
            self._text(mark)
        else:
            block = tag in BLOCKS or tag in HEADINGS
            if block:
                self._break()
            if tag == "li":
                self._bullet = True
            self._text(element.text)
            for child in element:
                self.walk(child)
            if block:
                self._break()
        self._tail(element)

    def finish(self) -> list[Section]:
        self._break()
        return self.builder.finish()

    # -- structures -------------------------------------------------------------------------

    def _heading(self, level: int, title: str, line: int | None) -> None:
        self._break()
        title = clean_heading(title)
        self._bullet = False
        if not title:
            return
        self.builder.heading(level, title)
        self._depth = level
        self.builder.add([title], line)
        self.builder.add([""])

    def _pre(self, element: HtmlElement) -> None:
        self._break()
        code = _code_text(element).replace("\r\n", "\n")
        opening = self._at  # the fences go on the lines of <pre> and </pre>
        first = self._at + code.count("\n", 0, len(code) - len(code.lstrip("\n")))
        self._at += element.text_content().count("\n")
        code = code.strip("\n")
        if code.strip():
            lines = [line.rstrip() for line in code.split("\n")]
            fence = code_fence(lines)
            self.builder.add([""])
            self.builder.add([fence], opening)
            self.builder.add(lines, first)
            self.builder.add([fence], self._at)
            self.builder.add([""])

    def _definitions(self, element: HtmlElement) -> None:
        """API entries (terms with an id) become sections; other lists become 'term: text'.

        Consecutive terms share one description (`bytes.partition` and `bytearray.partition`,
        or overloads): they open one section, headed by the signatures that have an id.
        """
        self._break()
        entry_depth = self._depth
        terms: list[HtmlElement] = []
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == "dt":
                terms.append(child)
                continue
            if terms:
                self._terms(terms, entry_depth)
                terms = []
            if tag == "dd":
                self._enter(child)
                self._text(child.text)
                for node in child:
                    self.walk(node)
                self._break()
            elif tag:
                self.walk(child)
        if terms:
            self._terms(terms, entry_depth)
        if self._depth > entry_depth:
            self.builder.close(entry_depth + 1)
            self._depth = entry_depth

    def _terms(self, terms: list[HtmlElement], entry_depth: int) -> None:
        signatures = [clean_heading(inline_text(term)) for term in terms]
        named = [s for term, s in zip(terms, signatures, strict=True) if _anchored(term) and s]
        lines = [first_text_line(term) for term in terms]
        if named:
            level = entry_depth + 1
            self.builder.heading(level, " / ".join(named))
            self._depth = level
            for signature, line in zip(signatures, lines, strict=True):
                if signature:
                    self.builder.add([signature], line)
            self.builder.add([""])
            return
        if self._depth > entry_depth:  # an entry before it had an id; this one is not its text
            self.builder.close(entry_depth + 1)
            self._depth = entry_depth
        for signature, line in zip(signatures, lines, strict=True):
            if signature:
                self.builder.add([signature if signature.endswith(":") else signature + ":"], line)

    def _table(self, element: HtmlElement) -> None:
        """A data table as "cell | cell" rows; a layout table (pydoc's) as the blocks it holds."""
        self._break()
        if any(inner is not element for inner in element.iter(*_LAYOUT_INSIDE)):
            for cell in element.xpath("./tr/td | ./*/tr/td | ./tr/th | ./*/tr/th"):
                if "section-title" in (cell.get("class") or ""):  # pydoc's section headings
                    level = 2 if cell.find(".//strong[@class='bigsection']") is not None else 3
                    self._heading(level, inline_text(cell), first_text_line(cell))
                    continue
                self._enter(cell)
                self._text(cell.text)
                for child in cell:
                    self.walk(child)
                self._break()
            return
        self.builder.add([""])
        caption = element.find("caption")
        if caption is not None:
            self.builder.add([inline_text(caption)], first_text_line(caption))
        for row in element.iter("tr"):
            cells = [inline_text(cell) for cell in row if cell.tag in ("td", "th")]
            if any(cells):
                self.builder.add([" | ".join(cells)], first_text_line(row))
        self.builder.add([""])

    # -- text -------------------------------------------------------------------------------

    def _enter(self, element: HtmlElement) -> None:
        self._at = element.sourceline or self._at

    def _text(self, text: str | None) -> None:
        if not text:
            return
        if self._start is None and text.strip():
            self._start = self._at + text.count("\n", 0, len(text) - len(text.lstrip()))
        self._at += text.count("\n")
        self._line.append(text)

    def _tail(self, element: HtmlElement) -> None:
        self._text(element.tail)

    def _break(self) -> None:
        if not self._line:
            return
        line = _SPACES.sub(" ", "".join(self._line)).strip()
        start, self._line, self._start = self._start, [], None
        if line:
            self.builder.add(["- " + line if self._bullet else line], start)
            self._bullet = False


def _anchored(term: HtmlElement) -> bool:
    """A term others link to: an id (Sphinx, Javadoc), a named anchor inside (pydoc), or the
    index entries Texinfo puts just before it, at the end of the entry above (or in an empty
    description of their own): `<span id="index-AUTO_005fCD"></span></dd><dt>AUTO_CD</dt>`."""
    if term.get("id") or term.find(".//a[@name]") is not None:
        return True
    before = term.getprevious()
    last = before[-1] if before is not None and len(before) else None
    return (
        last is not None
        and last.tag in ("span", "a")
        and (last.get("id") or last.get("name") or "").startswith("index-")
        and not (last.tail or "").strip()
    )


def first_text_line(element: HtmlElement) -> int | None:
    """The file line an element's first text is on; where it opens with an element, that
    element's (lxml numbers an element by the line its start tag ends on)."""
    node = element
    while not (node.text or "").strip() and len(node) and isinstance(node[0].tag, str):
        node = node[0]
    if node.sourceline is None:
        return element.sourceline
    text = node.text or ""
    return node.sourceline + text.count("\n", 0, len(text) - len(text.lstrip()))


def inline_text(element: HtmlElement) -> str:
    """The visible text of an element on one line, without permalinks or furniture."""
    return _SPACES.sub(" ", visible_text(element)).strip()


def _code_text(pre: HtmlElement) -> str:
    """A `<pre>`'s code. Two or more `<code>` elements that are all it holds (buttons aside)
    are as many examples, one under the other: Node's pages give each example in CommonJS
    and as an ES module, one shown at a time, which read as one line, "const path =
    require('node:path');import path from ...". A `<code>` inside a line (a grammar's
    `<code>identifier</code>`, git's `<code>user</code>`) is part of that line."""
    codes = [child for child in pre if child.tag == "code"]
    alone = not (pre.text or "").strip() and all(
        not (child.tail or "").strip() and (child.tag == "code" or is_furniture(child))
        for child in pre
    )
    if len(codes) < 2 or not alone:
        return visible_text(pre)
    apart = [code.tail if "\n" in (code.tail or "") else "\n\n" for code in codes]
    return "".join(visible_text(code) + gap for code, gap in zip(codes, apart, strict=True))


def visible_text(element: HtmlElement) -> str:
    """The text of an element as written, without permalinks or furniture: Node's "copy"
    button inside each `<pre>` ends no code example. A line break reads as one, so the words
    either side stay apart in a line of text (PostgreSQL's "\\if expression<br/>\\elif ...",
    one term of four lines, read "\\if expression\\elif expression\\else\\endif")."""
    parts: list[str] = []

    def collect(node: HtmlElement) -> None:
        if isinstance(node.tag, str) and not is_furniture(node):
            mark = _footnote_mark(node)
            if mark is not None:
                parts.append(mark)
            elif node.tag == "br":
                parts.append("\n")
            else:
                parts.append(node.text or "")
                for child in node:
                    collect(child)
        parts.append(node.tail or "")

    parts.append(element.text or "")
    for child in element:
        collect(child)
    return "".join(parts)
