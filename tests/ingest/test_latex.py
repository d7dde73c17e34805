"""LaTeX sources read as the typeset page reads (`ingest.loaders.latex`): on a paper written
here for each rule, and on two real sources nobody here wrote (`tests/data/latex`): a chapter
of a book that includes it from another file, with its own listing environment, and a Python
library manual in the old Python documentation markup. Then through the real index: LanceDB
and the bundled MiniLM, as `margin ingest` and `margin ask` wire them."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core import Index
from ingest.embedder import SentenceTransformerEmbedder
from ingest.loaders import load_document
from ingest.types import Section
from tests.fixtures.ingest import ingested_index

LATEX = Path(__file__).parents[1] / "data" / "latex"
KLEISLI = LATEX / "kleisli-categories.tex"
HTTPLIB2 = LATEX / "libhttplib2.tex"

PAPER = r"""\documentclass{article}
\usepackage{minted}
\title{On \emph{Kleisli} Categories}
\author{A. Writer}
\newcommand{\code}[1]{\texttt{#1}}
\begin{document}
\maketitle
\section{Introduction}\label{sec:intro}
Functions that log are \emph{not pure}~\cite{milewski, awodey}. % a note to myself
The caf\'e's ``fish'' --- see Section~\ref{sec:intro} --- composes $f \circ g$.\footnote{Or
Kleisli composition.}
Run \verb|make --dry-run| or \texttt{make --just-print} first; \textcolor{red}{never} skip it.
\begin{itemize}
\item first item
\item second item
\end{itemize}
\subsection{Writer}
\begin{verbatim}
x = {1, 2} % not a comment
\end{verbatim}
\begin{lstlisting}[language=Python]
print("%d" % 3)
\end{lstlisting}
\begin{snip}{haskell}
(>=>) :: (a -> Writer b) -> (b -> Writer c) -> (a -> Writer c)
\end{snip}
% \begin{verbatim} a comment, not a listing
\begin{comment}
a draft paragraph the page leaves out
\end{comment}
\begin{equation}
  a^2 + b^2 = c^2
\end{equation}
See \href{https://example.org/kleisli}{the notes} and \url{https://example.org}.
\end{document}
text after the end, which LaTeX never reads
"""


def _paper(tmp_path: Path) -> tuple[str, list[Section]]:
    path = tmp_path / "paper.tex"
    path.write_text(PAPER)
    loaded = load_document(path)
    return loaded.title, loaded.sections


def _text(sections: list[Section]) -> str:
    return "\n".join(section.text for section in sections)


def _line(section: Section, fragment: str) -> int | None:
    """The file line of the first of the section's lines that holds `fragment`."""
    index = next(i for i, line in enumerate(section.text.split("\n")) if fragment in line)
    return section.line_of(index)


def test_a_paper_reads_as_its_typeset_page(tmp_path: Path) -> None:
    title, sections = _paper(tmp_path)
    assert title == "On Kleisli Categories"
    assert [s.heading for s in sections] == ["Introduction", "Introduction > Writer"]
    text = _text(sections)
    assert "Functions that log are not pure [milewski, awodey]." in text
    assert "The café's “fish” — see Section  — composes $f \\circ g$. (Or\nKleisli" in text
    assert "Run make --dry-run or make --just-print first; never skip it." in text
    assert "  * first item" in text
    assert "See the notes (https://example.org/kleisli) and https://example.org." in text
    for hidden in ("usepackage", "A. Writer", "a note to myself", "sec:intro", "draft"):
        assert hidden not in text
    outside_mathematics = text.replace("$f \\circ g$", "").split("\\begin{equation}")[0]
    assert "\\" not in outside_mathematics
    assert "text after the end" not in text


def test_listings_are_fenced_code_as_written_and_mathematics_stays(tmp_path: Path) -> None:
    _, (_, writer) = _paper(tmp_path)
    assert "```\nx = {1, 2} % not a comment\n```" in writer.text
    assert '```python\nprint("%d" % 3)\n```' in writer.text
    assert "```haskell\n(>=>) :: (a -> Writer b)" in writer.text
    assert "\\begin{equation}\n  a^2 + b^2 = c^2\n\\end{equation}" in writer.text


def test_each_line_keeps_its_file_line(tmp_path: Path) -> None:
    _, (introduction, writer) = _paper(tmp_path)
    lines = PAPER.split("\n")
    for section, fragment in [
        (introduction, "Introduction"),
        (introduction, "Functions that log"),
        (introduction, "Kleisli composition."),
        (introduction, "Run make"),
        (introduction, "second item"),
        (writer, "x = {1, 2}"),
        (writer, "print("),
        (writer, "(>=>)"),
        (writer, "a^2 + b^2"),
        (writer, "See the notes"),
    ]:
        number = _line(section, fragment)
        assert number is not None
        written = lines[number - 1]
        assert fragment.split()[0].strip("()") in written, (fragment, number, written)


def test_a_book_chapter_keeps_its_prose_code_and_sections() -> None:
    loaded = load_document(KLEISLI)
    headings = [s.heading for s in loaded.sections]
    assert headings == [
        "",
        "The Writer Category",
        "Writer in Haskell",
        "Kleisli Categories",
        "Challenge",
    ]
    opening, writer_category = loaded.sections[:2]
    # \lettrine's drop capital and the words after it; \newterm and \code keep their text
    assert opening.text.startswith("You've seen how to model types and pure functions")
    assert "This function has side effects." in opening.text
    assert "function negate is to turn one Boolean into another" in opening.text
    # the book's own listing environment, \begin{snip}{cpp}, is fenced C++ as written
    assert "```cpp\npair<bool, string> negate(bool b) {" in opening.text
    assert "int (*toupperp)(int) = &toupper; // toupper is overloaded" in opening.text
    assert _line(writer_category, "The Writer Category") == 163
    text = _text(loaded.sections)
    for markup in ("\\begin", "\\end", "\\section", "\\code", "\\newterm", "\\lettrine"):
        assert markup not in text


def test_a_library_manual_in_pythons_old_markup() -> None:
    loaded = load_document(HTTPLIB2)
    headings = [s.heading.split(" > ")[-1] for s in loaded.sections]
    assert headings[1:] == ["Http Objects", "Cache Objects", "Response Objects", "Examples"]
    text = _text(loaded.sections)
    assert "PLEASE REMOVE THE COMMENTS" not in text  # the template's comments
    assert "Joe Gregorio joe@bitworking.org" in text  # two arguments, two words
    assert '[Http]request uri, method="GET", body=None' in text
    examples = loaded.sections[-1]
    assert "```\nimport httplib2\nh = httplib2.Http()\nresp, content = h.request(" in examples.text


def test_braces_nested_too_deep_are_indexed_as_written_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "deep.tex"
    path.write_text("\\section{Deep}\n" + "{" * 20_000 + "the word" + "}" * 20_000)
    loaded = load_document(path)
    assert loaded.warnings == ("its braces nest too deep to read as LaTeX; indexed as written",)
    assert "the word" in loaded.sections[0].text


@pytest.fixture(scope="module")
def latex_index(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Index:
    return ingested_index(tmp_path_factory.mktemp("latex-home"), [LATEX], embedder)


@pytest.mark.parametrize(
    ("question", "source", "heading"),
    [
        ("What is a Kleisli category?", "kleisli-categories.tex", "Kleisli Categories"),
        ("How are header names written in an httplib2 response?", "libhttplib2.tex", "Response"),
    ],
)
def test_a_question_finds_its_section_in_the_real_index(
    latex_index: Index, question: str, source: str, heading: str
) -> None:
    found = latex_index.retriever().retrieve(question, k=3).sources
    assert Path(found[0].path).name == source
    assert heading in found[0].heading
    assert "\\begin" not in found[0].text and "\\section" not in found[0].text
