"""LaTeX sources: one section per `\\part`, `\\chapter`, `\\section` … `\\subparagraph`, with the
path of titles above it (`\\title` is the document's title), and the text as the typeset page
reads, not as the source writes it:

- markup goes and its text stays: "\\emph{pure} functions" reads "pure functions", accents and
  quotes are letters ("\\'e" is "é", "``x''" is "“x”"), and a macro the file defines or a
  package brings (`\\newterm{side effects}`) keeps what it is given;
- what the page never shows goes: comments, the preamble's settings, labels, index entries,
  graphics, spacing; a reference to a label goes with its label, a citation reads "[key]";
- mathematics stays as written (`$f \\circ g$`): a reader asks for it as they type it;
- code is fenced code, as the HTML loader stores <pre>, in its own lines: `verbatim`,
  `lstlisting`, `minted`, fancyvrb's `Verbatim`, an environment the file declares verbatim,
  and one opened with a programming language as its argument (`\\begin{snip}{haskell}`, a
  book's own listing environment, declared in a preamble another file holds). The `comment`
  environment is left out.

A file without `\\begin{document}` (a chapter another file includes) is all body. Each line
keeps its file line where the text keeps the source's line breaks; markup the page lays out
anew (a table, a list item's bullet) is placed on the line it starts on.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.loaders.decoding import read_text
from ingest.loaders.headings import SectionBuilder
from ingest.markdown_syntax import code_fence
from ingest.types import LoadedDocument, Section

if TYPE_CHECKING:
    from pylatexenc.latex2text import LatexNodes2Text

SUFFIXES = (".tex", ".ltx")

# Sectioning commands and their depth: a book's \chapter sits under its \part.
_LEVELS = {
    "part": 1,
    "chapter": 2,
    "section": 3,
    "subsection": 4,
    "subsubsection": 5,
    "paragraph": 6,
    "subparagraph": 7,
}
_VERBATIM = frozenset(
    ("verbatim", "verbatim*", "Verbatim", "BVerbatim", "LVerbatim", "lstlisting", "minted")
)
_DROPPED_ENVIRONMENTS = frozenset(("comment",))
# Names a listing environment is given as its language, as minted and Pygments spell them.
_LANGUAGES = frozenset(
    (
        *("c", "cpp", "c++", "csharp", "java", "kotlin", "scala", "haskell", "ocaml", "fsharp"),
        *("python", "py", "ruby", "perl", "php", "javascript", "js", "typescript", "ts", "go"),
        *("rust", "swift", "lua", "r", "julia", "matlab", "sql", "bash", "sh", "shell", "zsh"),
        *("console", "text", "lisp", "scheme", "clojure", "elisp", "erlang", "elixir", "idris"),
        *("agda", "coq", "lean", "prolog", "fortran", "pascal", "ada", "asm", "nasm", "make"),
        *("cmake", "json", "yaml", "toml", "xml", "html", "css", "latex", "tex", "diff"),
    )
)
_BEGIN = re.compile(r"\\begin\{([A-Za-z]+\*?)\}")
_DOCUMENT_BEGIN = re.compile(r"^[^%\n]*?\\begin\{document\}", re.MULTILINE)
_DOCUMENT_END = re.compile(r"^[^%\n]*?\\end\{document\}", re.MULTILINE)
# What follows a listing's \begin{…} on its line: options, then the language for minted.
_LISTING_ARGUMENTS = re.compile(r"[ \t]*(?:\[([^\]\n]*)\])?[ \t]*(?:\{([\w+#-]+)\})?")
_LANGUAGE_OPTION = re.compile(r"language\s*=\s*\{?([\w+#-]+)", re.IGNORECASE)
# Environments a file declares as verbatim: listings' and fancyvrb's declarations, minted's
# \newminted (its environment is the language and "code" unless a name is given), and a
# \newenvironment whose definition opens a verbatim environment.
_DECLARED = re.compile(
    r"\\(?:lstnewenvironment|DefineVerbatimEnvironment|newtcblisting|NewTCBListing)"
    r"\s*\{([A-Za-z]+\*?)\}"
)
_NEWMINTED = re.compile(r"\\newminted\s*(?:\[([A-Za-z]+)\])?\s*\{([\w+#-]+)\}")
_NEWENVIRONMENT = re.compile(r"\\(?:re)?newenvironment\s*\{([A-Za-z]+\*?)\}")
_OPENS_VERBATIM = re.compile(r"\\VerbatimEnvironment|\\begin\{(?:minted|lstlisting|Verbatim)\}")
_MATH_ENVIRONMENTS = frozenset(
    (
        *("equation", "equation*", "align", "align*", "gather", "gather*", "multline"),
        *("multline*", "eqnarray", "eqnarray*", "displaymath", "math", "flalign", "flalign*"),
        *("alignat", "alignat*"),
    )
)
# Drawings: the page shows a picture, and their source is coordinates and arrows.
_DRAWINGS = frozenset(("tikzpicture", "tikzcd", "pgfpicture", "picture"))
# Macros whose arguments the page does not show, and how many they take ("{" each, "["
# optional), so the walker reads those arguments as theirs and not as text.
_HIDDEN = {
    "label": "{",
    "index": "{",
    "ref": "*{",
    "eqref": "{",
    "pageref": "*{",
    "autoref": "*{",
    "cref": "*{",
    "Cref": "*{",
    "includegraphics": "*[[{",
    "vspace": "*{",
    "hspace": "*{",
    "bibliographystyle": "{",
    "bibliography": "{",
    "addbibresource": "[{",
    "graphicspath": "{",
    "input": "{",
    "include": "{",
    "includeonly": "{",
    "subfile": "{",
    "subimport": "*{{",
    "import": "*{{",
    "lstinputlisting": "[{",
    "inputminted": "[{{",
    "setlength": "{{",
    "rule": "[{{",
    "color": "[{",
    "addtolength": "{{",
    "setcounter": "{{",
    "addcontentsline": "{{{",
    "hypersetup": "{",
    "newcommand": "*{[[{",
    "renewcommand": "*{[[{",
    "providecommand": "*{[[{",
    "DeclareMathOperator": "*{{",
    "usepackage": "[{[",
    "documentclass": "[{[",
    "centering": "",
    "noindent": "",
    "maketitle": "",
    "tableofcontents": "",
    "newpage": "",
    "clearpage": "",
    "tightlist": "",
    "medskip": "",
    "bigskip": "",
    "smallskip": "",
}
_CITATIONS = ("cite", "citep", "citet", "autocite", "parencite", "textcite", "footcite", "nocite")
_SHOWN = {
    "href": "{{",
    "url": "{",
    "caption": "*[{",
    "lettrine": "[{{",
    "footnote": "[{",
    "multicolumn": "{{{",
    "textcolor": "[{{",
}


@dataclass(frozen=True, slots=True)
class _Listing:
    """A verbatim environment's place in the file and what it holds."""

    start: int  # offset of its \begin
    end: int  # offset just past its \end{…}
    body: str
    language: str
    shown: bool  # False for a `comment` environment


def load(path: Path) -> LoadedDocument:
    source = read_text(path)
    converter = _Converter(source)
    try:
        return LoadedDocument(converter.sections(), title=converter.title)
    except RecursionError:
        # Groups nested thousands deep: the file is kept searchable as it is written.
        warning = "its braces nest too deep to read as LaTeX; indexed as written"
        return LoadedDocument([Section(source, heading=path.name, line=1)], warnings=(warning,))


class _Converter:
    """Walks one file's LaTeX into sections."""

    def __init__(self, source: str):
        self.source = source
        self.title = ""
        self._builder = SectionBuilder()
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self._text = _text_converter()
        self._walker = _walker_context()

    def sections(self) -> list[Section]:
        start, end = _body(self.source)
        if start:
            self._nodes(self._parse(0, start), heading_only=True)
        at = start
        for listing in [*_listings(self.source, start, end), None]:
            stop = listing.start if listing else end
            self._nodes(self._parse(at, stop))
            if listing and listing.shown:
                self._listing(listing)
            at = listing.end if listing else stop
        return self._builder.finish()

    def _parse(self, start: int, end: int) -> list[Any]:
        """The nodes of the LaTeX between `start` and `end`, a stretch holding no listing."""
        from pylatexenc.latexwalker import LatexWalker

        walker = LatexWalker(self.source[:end], latex_context=self._walker, tolerant_parsing=True)
        nodes, _, _ = walker.get_latex_nodes(pos=start)
        return [node for node in nodes if node is not None]

    def _nodes(self, nodes: Sequence[Any], *, heading_only: bool = False) -> None:
        """Sections and their text from `nodes`; of the preamble (`heading_only`), the title."""
        from pylatexenc.latexwalker import LatexMacroNode

        run: list[Any] = []
        for node in nodes:
            name = node.macroname if isinstance(node, LatexMacroNode) else None
            if name == "title":
                self.title = self.title or self._last_argument(node)
            elif heading_only:
                continue
            elif name in _LEVELS:
                self._place(run)
                run = []
                title = self._last_argument(node)
                self._builder.heading(_LEVELS[name], title)
                self._builder.add([title], self._line(node.pos))
            else:
                run.append(node)
        self._place(run)

    def _place(self, nodes: Sequence[Any]) -> None:
        """Add the text of `nodes`, each line on its file line where that is known."""
        if not nodes:
            return
        lines, numbers = [""], [self._line(nodes[0].pos)]
        for text, line, exact in self._fragments(nodes):
            parts = text.split("\n")
            if not lines[-1].strip():
                numbers[-1] = line
            lines[-1] += parts[0]
            for offset, part in enumerate(parts[1:], start=1):
                lines.append(part)
                numbers.append(line + offset if exact else line)
        blank = True  # a run of blank lines is one, as the page shows paragraphs
        for text, number in zip(lines, numbers, strict=True):
            shown = text.rstrip().replace("\xa0", " ")
            if shown or not blank:
                self._builder.add([shown], number)
            blank = not shown

    def _fragments(self, nodes: Sequence[Any]) -> Iterator[tuple[str, int, bool]]:
        """(text, file line it starts on, whether its line breaks are the source's) for each
        node; a group or environment whose text breaks lines anew is read node by node."""
        from pylatexenc.latexwalker import LatexEnvironmentNode, LatexGroupNode

        text = ""
        for before, node in zip([None, *nodes], nodes, strict=False):
            if _apart(before, node) and text.strip():
                yield " ", self._line(node.pos), True
            text = self._plain(node)
            written = self.source[node.pos : node.pos + node.len]
            line = self._line(node.pos)
            nested = isinstance(node, (LatexGroupNode, LatexEnvironmentNode))
            if text.count("\n") == written.count("\n") or not nested or not node.nodelist:
                yield text, line, text.count("\n") == written.count("\n")
            else:
                yield from self._fragments(node.nodelist)

    def _listing(self, listing: _Listing) -> None:
        first = self._line(listing.start)
        body = listing.body.split("\n")
        fence = code_fence(body)
        if not self._builder.pending_is(""):
            self._builder.add([""], first)
        self._builder.add([f"{fence}{listing.language}"], first)
        self._builder.add(body, first + 1)
        self._builder.add([fence], first + len(body))

    def _last_argument(self, node: Any) -> str:
        """The text of a macro's last argument given: a section's title, not its short form."""
        given = [a for a in _arguments(node) if a is not None]
        return " ".join(self._text.nodelist_to_text(given[-1:]).split())

    def _plain(self, node: Any) -> str:
        from pylatexenc.latexwalker import LatexEnvironmentNode

        if isinstance(node, LatexEnvironmentNode) and node.environmentname in _MATH_ENVIRONMENTS:
            return self.source[node.pos : node.pos + node.len]
        if isinstance(node, LatexEnvironmentNode) and node.environmentname in _DRAWINGS:
            return ""
        return self._text.nodelist_to_text([node])

    def _line(self, offset: int) -> int:
        """The 1-based file line of `offset`."""
        return bisect_right(self._line_starts, offset)


def _body(source: str) -> tuple[int, int]:
    """Where the body starts and ends: inside \\begin{document} … \\end{document}, or the
    whole of a file without them (a chapter another file includes)."""
    begin = _DOCUMENT_BEGIN.search(source)
    if not begin:
        return 0, len(source)
    end = _DOCUMENT_END.search(source, begin.end())
    return begin.end(), end.start() if end else len(source)


def _listings(source: str, start: int, end: int) -> Iterator[_Listing]:
    """The verbatim environments between `start` and `end`, in order, read as written (LaTeX
    does not parse their insides: a "%" or an unmatched brace in code is code)."""
    declared = _declared_verbatim(source)
    at = start
    while (found := _BEGIN.search(source, at, end)) is not None:
        name = found.group(1)
        arguments = _LISTING_ARGUMENTS.match(source, found.end())
        assert arguments is not None  # every part of it is optional
        options, argument = arguments.group(1) or "", arguments.group(2) or ""
        if name in _VERBATIM and name != "minted":
            argument = ""  # a brace after \\begin{verbatim} is the listing's own text
        verbatim = name in _VERBATIM or name in declared or argument.lower() in _LANGUAGES
        closing = f"\\end{{{name}}}"
        closed = source.find(closing, arguments.end(), end)
        if (
            not (verbatim or name in _DROPPED_ENVIRONMENTS)
            or closed < 0
            or _commented(source, found.start())
        ):
            at = found.end()
            continue
        language = argument
        option = _LANGUAGE_OPTION.search(options)
        if option:
            language = option.group(1)
        opening_line_end = source.find("\n", arguments.end())
        body_start = opening_line_end + 1 if 0 <= opening_line_end < closed else arguments.end()
        body = source[body_start:closed].rstrip("\n")
        shown = name not in _DROPPED_ENVIRONMENTS
        yield _Listing(found.start(), closed + len(closing), body, language.lower(), shown)
        at = closed + len(closing)


def _commented(source: str, offset: int) -> bool:
    """Whether a "%" before `offset` on its line makes it a comment."""
    line = source[source.rfind("\n", 0, offset) + 1 : offset]
    return bool(re.search(r"(?<!\\)%", line))


def _declared_verbatim(source: str) -> set[str]:
    names = {m.group(1) for m in _DECLARED.finditer(source)}
    names |= {m.group(1) or f"{m.group(2)}code" for m in _NEWMINTED.finditer(source)}
    for match in _NEWENVIRONMENT.finditer(source):
        if _OPENS_VERBATIM.search(source, match.end(), match.end() + 400):
            names.add(match.group(1))
    return names


def _walker_context() -> Any:
    from pylatexenc import macrospec
    from pylatexenc.latexwalker import get_default_latex_context_db

    context = get_default_latex_context_db().filter_context(keep_categories=None)
    macros = [macrospec.MacroSpec(name, spec) for name, spec in {**_HIDDEN, **_SHOWN}.items()]
    macros += [macrospec.MacroSpec(name, "*[[{") for name in _CITATIONS]
    macros += [macrospec.MacroSpec(name, "*[{") for name in _LEVELS]
    context.add_context_category("margin", macros=macros, prepend=True)
    return context


def _text_converter() -> LatexNodes2Text:
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    def argument(node: Any, index: int) -> Any:
        arguments = _arguments(node)
        return arguments[index] if index < len(arguments) else None

    def citation(node: Any, l2tobj: Any) -> str:
        keys = argument(node, 3)
        text = keys.latex_verbatim()[1:-1] if keys is not None else ""
        return "[" + ", ".join(k.strip() for k in text.split(",") if k.strip()) + "]"

    def shown(*indexes: int) -> Any:
        def text(node: Any, l2tobj: Any) -> str:
            parts = (argument(node, i) for i in indexes)
            return "".join(l2tobj.nodelist_to_text([p]) for p in parts if p is not None)

        return text

    def typewriter(node: Any, l2tobj: Any) -> str:
        """The typewriter font sets "--" as two hyphens, not a dash: "\\texttt{--force}"."""
        text = shown(0)(node, l2tobj)
        return str(text).replace("\N{EM DASH}", "---").replace("\N{EN DASH}", "--")

    def link(node: Any, l2tobj: Any) -> str:
        address = argument(node, 0)
        label = argument(node, 1)
        url = address.latex_verbatim()[1:-1] if address is not None else ""
        return f"{l2tobj.nodelist_to_text([label]) if label is not None else ''} ({url})"

    def address(node: Any, l2tobj: Any) -> str:
        url = argument(node, 0)
        return url.latex_verbatim()[1:-1] if url is not None else ""

    specs = [MacroTextSpec(name, discard=True) for name in _HIDDEN]
    specs += [MacroTextSpec(name, simplify_repl=citation) for name in _CITATIONS]
    specs += [
        MacroTextSpec("href", simplify_repl=link),
        MacroTextSpec("url", simplify_repl=address),
        MacroTextSpec("caption", simplify_repl=shown(2)),
        MacroTextSpec("lettrine", simplify_repl=shown(1, 2)),
        MacroTextSpec("texttt", simplify_repl=typewriter),
        MacroTextSpec(
            "footnote", simplify_repl=lambda node, l2tobj: f" ({shown(1)(node, l2tobj)})"
        ),
    ]

    def given(node: Any, l2tobj: Any) -> str:
        """A macro without a rule of its own shows its last argument in braces, the text it
        sets ("\\texttt{-f}" reads "-f", "\\textcolor{red}{Stop}" "Stop", "\\multicolumn{2}
        {c}{Total}" "Total"), and a \\verb its text; pylatexenc's default drops both."""
        if node.nodeargd is not None and hasattr(node.nodeargd, "verbatim_text"):
            return str(node.nodeargd.verbatim_text)
        braced = [a for a in _arguments(node) if _is_group(a) and a.delimiters == ("{", "}")]
        return str(l2tobj.nodelist_to_text(braced[-1].nodelist)) if braced else ""

    context = get_default_latex_context_db().filter_context(keep_categories=None)
    context.add_context_category("margin", macros=specs, prepend=True)
    context.set_unknown_macro_spec(MacroTextSpec("", simplify_repl=given))

    class Text(LatexNodes2Text):
        """Groups one after another are words of their own (`_apart`): "Joe Gregorio
        joe@bitworking.org", not "Joe Gregoriojoe@bitworking.org"."""

        def nodelist_to_text(self, nodelist: Sequence[Any]) -> str:
            text = ""
            run: list[Any] = []
            for node in nodelist:
                if run and _apart(run[-1], node):
                    text += super().nodelist_to_text(run) + " "
                    run = []
                run.append(node)
            return text + str(super().nodelist_to_text(run))

    return Text(latex_context=context, math_mode="verbatim")


def _arguments(node: Any) -> list[Any]:
    """A macro's arguments as the walker read them (None for an optional one not given)."""
    return list(node.nodeargd.argnlist) if node.nodeargd else []


def _apart(before: Any, node: Any) -> bool:
    """Whether two nodes are arguments of a macro the converter does not know, one after the
    other: words of their own ("\\moduleauthor{Joe Gregorio}{joe@bitworking.org}")."""
    return _is_group(before) and _is_group(node)


def _is_group(node: Any) -> bool:
    from pylatexenc.latexwalker import LatexGroupNode

    return isinstance(node, LatexGroupNode)
