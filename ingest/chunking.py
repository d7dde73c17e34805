"""Split sections into chunks the embedding model reads whole, measured with its own tokenizer.

A chunk never crosses a section (a markdown section, a PDF page), never ends inside a word
unless one word alone is longer than a chunk, prefers to end at a paragraph or sentence,
and repeats about `overlap_tokens` of the previous chunk's end at its start, but does not
open inside a fenced code block where it can help it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ingest.markdown_syntax import fenced_blocks
from ingest.sections import document_title, prepare_sections
from ingest.source_lines import irregular
from ingest.types import Chunk, LoadedDocument, Section

# Look for a paragraph or sentence end in the last part of a full window only.
_BREAK_SEARCH_SHARE = 0.3
_SENTENCE_ENDS = (".", "!", "?", ":", ";")


class Tokenizes(Protocol):
    max_tokens: int

    def count_tokens(self, text: str) -> int: ...

    def token_spans(self, text: str) -> list[tuple[int, int]]: ...


def chunk_document(
    document: LoadedDocument,
    file_name: str,
    tokenizer: Tokenizes,
    *,
    chunk_tokens: int,
    overlap_tokens: int,
) -> list[Chunk]:
    """A loaded document's chunks, each headed by its title (with what its file name adds)
    and heading path."""
    title = document_title(document.title, document.sections, file_name)
    return chunk_sections(
        prepare_sections(document.sections, title, file_name),
        tokenizer,
        chunk_tokens=chunk_tokens,
        overlap_tokens=overlap_tokens,
    )


def embedding_text(chunk: Chunk) -> str:
    """What the model embeds: the heading path gives a chunk its context."""
    return f"{chunk.heading}\n{chunk.text}" if chunk.heading else chunk.text


def chunk_sections(
    sections: Iterable[Section], tokenizer: Tokenizes, *, chunk_tokens: int, overlap_tokens: int
) -> list[Chunk]:
    """Chunks of every section in order, numbered from 0 across the document."""
    budget = min(chunk_tokens, tokenizer.max_tokens - tokenizer.count_tokens(""))
    if budget < 1:
        raise ValueError(f"chunk_tokens must leave room for text; got {chunk_tokens}")
    overlap = max(0, min(overlap_tokens, budget // 2))
    chunks: list[Chunk] = []
    for section in sections:
        spans = tokenizer.token_spans(section.text)
        code = _CodeBlocks.of(section.text, spans)
        newlines, counted = 0, 0  # windows only move forward: count each newline once
        for start, end in _windows(section.text, spans, budget, overlap, code):
            window = section.text[start:end]
            text = window.strip()
            if not text:
                continue
            first = start + len(window) - len(window.lstrip())
            newlines += section.text.count("\n", counted, first)
            counted = first
            numbers = list(range(newlines, newlines + text.count("\n") + 1))
            opening = code.opening_before(first) if code is not None else None
            if opening is not None:
                # Opened inside a block longer than a chunk: its fence line opens the chunk
                # too, or the block's closing fence would open one, and the prose after it
                # read as code (to a renderer, and to the sentences evidence is made of).
                fence_end = section.text.index("\n", opening)
                text = f"{section.text[opening:fence_end].strip()}\n{text}"
                numbers.insert(0, section.text.count("\n", 0, opening))
            chunks.append(
                Chunk(
                    text=text,
                    ordinal=len(chunks),
                    page=section.page,
                    heading=section.heading,
                    line=section.line_of(numbers[0]),
                    lines=_chunk_lines(section, numbers),
                )
            )
    return chunks


def _chunk_lines(section: Section, numbers: Sequence[int]) -> tuple[int, ...]:
    """The file lines of a chunk's text lines, the section's lines `numbers`, when they do not
    follow one another (as `Section.lines`); () when they do or are not known."""
    if section.line is None:
        return ()
    return irregular([line for n in numbers if (line := section.line_of(n)) is not None])


def _windows(
    text: str,
    spans: Sequence[tuple[int, int]],
    budget: int,
    overlap: int,
    code: _CodeBlocks | None,
) -> Iterable[tuple[int, int]]:
    """Character ranges of successive windows of at most `budget` tokens."""
    count = len(spans)
    if count == 0:
        return
    word_starts = [i for i in range(count) if _starts_word(text, spans, i)]
    first = 0
    while True:
        if count - first <= budget:
            yield spans[first][0], spans[count - 1][1]
            return
        end = _break_before(text, spans, word_starts, first, first + budget)
        yield spans[first][0], spans[end - 1][1]
        following = _last_at_most(word_starts, end - overlap)
        if following is not None and code is not None:
            following = code.outside(following, (first, end), overlap, word_starts)
        first = following if following is not None and following > first else end


@dataclass(frozen=True, slots=True)
class _CodeBlocks:
    """A section's fenced code blocks, for windows that would start inside one: its closing
    fence would read as an opening one, and the prose after it as code."""

    text: str
    starts: list[int]  # each block's first character, in order
    ends: list[int]  # the character after each block's closing fence
    token_starts: list[int]  # each token's first character

    @classmethod
    def of(cls, text: str, spans: Sequence[tuple[int, int]]) -> _CodeBlocks | None:
        """The blocks of `text`, None when it has none (most sections)."""
        blocks = fenced_blocks(text)
        if not blocks:
            return None
        starts, ends = (list(edge) for edge in zip(*blocks, strict=True))
        return cls(text, starts, ends, [start for start, _ in spans])

    def opening_before(self, at: int) -> int | None:
        """Where the block holding character `at` below its fence line starts; None when `at`
        is outside every block, or on a fence line that opens one."""
        block = bisect_right(self.starts, at) - 1
        if block < 0 or at >= self.ends[block]:
            return None
        fence_end = self.text.find("\n", self.starts[block])
        return self.starts[block] if 0 <= fence_end < at else None

    def outside(
        self, start: int, window: tuple[int, int], overlap: int, word_starts: Sequence[int]
    ) -> int:
        """`start`, or when token `start` is inside a block: the block's opening fence when it
        is in the window's second half (or at most twice `overlap` before its end), else the
        word after the block when the block ends inside the window; when neither, the start
        of `start`'s line, if the window holds it: a line of code cut at a word reads as
        other code ("destination.txt will be created" for `// destination.txt will be
        created`)."""
        first, end = window
        at = self.token_starts[start]
        block = bisect_left(self.starts, at) - 1  # the last block opening before `at`
        if block < 0 or at >= self.ends[block]:
            return start
        opening = bisect_left(self.token_starts, self.starts[block])
        if first < opening and end - opening <= max(2 * overlap, (end - first) // 2):
            return opening
        words = word_starts
        after = bisect_left(words, bisect_left(self.token_starts, self.ends[block]))
        if after < len(words) and words[after] < end:
            return words[after]
        line = bisect_left(self.token_starts, self.text.rfind("\n", 0, at) + 1)
        return line if first < line < start else start


def _starts_word(text: str, spans: Sequence[tuple[int, int]], i: int) -> bool:
    if i == 0:
        return True
    return any(c.isspace() for c in text[spans[i - 1][1] : spans[i][0]])


def _break_before(
    text: str,
    spans: Sequence[tuple[int, int]],
    word_starts: Sequence[int],
    first: int,
    limit: int,
) -> int:
    """Index of the token that starts the next window: a word start in (first, limit]."""
    floor = limit - int((limit - first) * _BREAK_SEARCH_SHARE)
    candidates = [i for i in _word_starts_between(word_starts, first + 1, limit) if i >= floor]
    for prefers in (_after_paragraph, _after_sentence):
        preferred = [i for i in candidates if prefers(text, spans, i)]
        if preferred:
            return preferred[-1]
    inside = _last_at_most(word_starts, limit)
    if inside is not None and inside > first:
        return inside
    return limit  # one word longer than a whole chunk: split it at a token boundary


def _word_starts_between(word_starts: Sequence[int], low: int, high: int) -> list[int]:
    return list(word_starts[bisect_left(word_starts, low) : bisect_right(word_starts, high)])


def _last_at_most(word_starts: Sequence[int], limit: int) -> int | None:
    position = bisect_right(word_starts, limit)
    return word_starts[position - 1] if position else None


def _after_paragraph(text: str, spans: Sequence[tuple[int, int]], i: int) -> bool:
    return "\n\n" in text[spans[i - 1][1] : spans[i][0]]


def _after_sentence(text: str, spans: Sequence[tuple[int, int]], i: int) -> bool:
    return text[spans[i - 1][0] : spans[i - 1][1]].endswith(_SENTENCE_ENDS)
