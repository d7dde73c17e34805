"""The text of a roff page, laid out as a terminal shows it, into sections: filled
paragraphs wrapped at 78 columns, an option's tag on a line of its own, literal blocks
(`.nf`, `.EX`, `.Bd -literal`) line by line in a code fence, as the HTML and EPUB loaders
mark code. Every line keeps the file line its first word came from."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.loaders.headings import SectionBuilder
from ingest.loaders.roff_escapes import NO_BREAK
from ingest.markdown_syntax import code_fence
from ingest.types import Section

WIDTH = 78
_SENTENCE_ENDS = (".", "!", "?", ":")
_CLOSERS = "\"')]\u201d\u2019"


@dataclass(slots=True)
class _Word:
    text: str
    line: int


class Page:
    """Takes a page's text and breaks as the macro packages find them."""

    def __init__(self) -> None:
        self._builder = SectionBuilder()
        self._words: list[_Word] = []  # the paragraph being filled
        self._glued = False  # the next text joins the last word (`\c`, `.Ns`, punctuation)
        self._code: list[tuple[str, int]] | None = None  # a literal block's lines, when open
        self._code_line = 0  # the file line of the request that opened it
        self._blank = True  # the last line laid out is blank (or there is none)

    @property
    def in_code(self) -> bool:
        return self._code is not None

    def heading(self, level: int, title: str) -> None:
        self.end_code()
        self.line_break()
        self._builder.heading(level, _plain(title).strip())
        self._blank = True

    def text(self, text: str, line: int, *, glued: bool = False) -> None:
        """Words to fill in, or a line of a literal block; `glued`: no space before them."""
        if self._code is not None:
            if (glued or self._glued) and self._code:
                last, at = self._code[-1]
                self._code[-1] = (last + text, at)
            else:
                self._code.append((text, line))
            self._glued = False
            return
        for index, word in enumerate(text.split()):
            if index == 0 and (glued or self._glued) and self._words:
                self._words[-1].text += word
            else:
                self._words.append(_Word(word, line))
        self._glued = False

    def mid_sentence(self) -> bool:
        """The line being filled has words and its last one ends no sentence."""
        return bool(self._words) and not self._words[-1].text.rstrip(_CLOSERS).endswith(
            _SENTENCE_ENDS
        )

    def glue_next(self) -> None:
        """The next text joins the last word with no space (`\\c`, mdoc's `.Ns`)."""
        self._glued = True

    def own_line(self, text: str, line: int) -> None:
        """A line kept as written: a text line starting with spaces, an indented example."""
        if self._code is not None:
            self._code.append((text, line))
            return
        self.line_break()
        self._add(_plain(text.rstrip()), line)

    def line_break(self) -> None:
        """End the line being filled (`.br`); the next text starts a new one."""
        if self._code is not None:
            return
        line: list[_Word] = []
        for word in self._words:
            if line and sum(len(w.text) + 1 for w in line) + len(word.text) > WIDTH:
                self._add_words(line)
                line = []
            line.append(word)
        if line:
            self._add_words(line)
        self._words = []
        self._glued = False

    def paragraph(self) -> None:
        """End the paragraph (`.PP`, a blank line): a blank line follows it."""
        if self._code is not None:
            self._code.append(("", self._code[-1][1] if self._code else self._code_line))
            return
        self.line_break()
        if not self._blank:
            self._builder.add([""])
            self._blank = True

    def start_code(self, line: int) -> None:
        if self._code is None:
            self.line_break()
            self._code, self._code_line = [], line

    def end_code(self, line: int | None = None) -> None:
        """Close the literal block, at the request on `line` or (left open) after its last line."""
        code, self._code = self._code, None
        while code and not code[-1][0].strip():
            code.pop()
        while code and not code[0][0].strip():
            code.pop(0)
        if not code:
            return
        texts = [_plain(text).rstrip() for text, _ in code]
        fence = code_fence(texts)
        self.paragraph()
        self._add(fence, self._code_line)
        for text, (_, at) in zip(texts, code, strict=True):
            self._add(text, at)
        self._add(fence, line if line is not None else code[-1][1])
        self.paragraph()

    def finish(self) -> list[Section]:
        self.end_code()
        self.line_break()
        return self._builder.finish()

    def _add_words(self, words: list[_Word]) -> None:
        self._add(_plain(" ".join(word.text for word in words)), words[0].line)

    def _add(self, text: str, line: int) -> None:
        self._builder.add([text], line)
        self._blank = not text.strip()


def _plain(text: str) -> str:
    return text.replace(NO_BREAK, " ")
