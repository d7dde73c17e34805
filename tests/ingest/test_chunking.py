"""Chunks sized with the real MiniLM tokenizer: within its limit, whole words, sections kept."""

from __future__ import annotations

import itertools
import re

from ingest.chunking import chunk_sections
from ingest.embedder import SentenceTransformerEmbedder
from ingest.fakes import HashingEmbedder
from ingest.markdown_syntax import fenced_blocks
from ingest.types import Section
from tests.fixtures.ingest import sample_text


def test_chunks_fit_the_model_and_overlap(embedder: SentenceTransformerEmbedder) -> None:
    text = sample_text("electrochemistry of lithium-ion cells", 120)
    chunks = chunk_sections([Section(text, line=1)], embedder, chunk_tokens=200, overlap_tokens=32)
    assert len(chunks) > 3
    assert all(embedder.count_tokens(c.text) <= embedder.max_tokens for c in chunks)
    assert max(embedder.count_tokens(c.text) for c in chunks) > 150  # windows are filled
    for before, after in itertools.pairwise(chunks):
        opening = " ".join(after.text.split()[:6])
        assert opening in before.text[len(before.text) // 2 :]  # repeats the previous end
        assert after.ordinal == before.ordinal + 1
    words = set(text.split())
    for chunk in chunks:
        assert set(chunk.text.split()) <= words  # never a piece of a word


def test_budget_is_capped_by_the_model_limit(embedder: SentenceTransformerEmbedder) -> None:
    text = sample_text("tokenizer limits", 200)
    chunks = chunk_sections([Section(text)], embedder, chunk_tokens=10_000, overlap_tokens=0)
    assert all(embedder.count_tokens(c.text) <= embedder.max_tokens for c in chunks)


def test_chunks_never_cross_pages_or_sections() -> None:
    tokenizer = HashingEmbedder(max_tokens=40)
    sections = [
        Section("alpha " * 50, page=1),
        Section("beta " * 10, page=2),
        Section("gamma words", heading="Part > Sub", line=30),
    ]
    chunks = chunk_sections(sections, tokenizer, chunk_tokens=30, overlap_tokens=5)
    by_page = {(c.page, c.heading): set(c.text.split()) for c in chunks}
    assert by_page[(1, "")] == {"alpha"}
    assert by_page[(2, "")] == {"beta"}
    assert by_page[(None, "Part > Sub")] == {"gamma", "words"}
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))


def test_prefers_sentence_ends_and_tracks_lines() -> None:
    tokenizer = HashingEmbedder(max_tokens=40)
    text = "\n".join(f"line {i} has a few words." for i in range(30))
    chunks = chunk_sections([Section(text, line=10)], tokenizer, chunk_tokens=30, overlap_tokens=0)
    assert all(c.text.endswith(".") for c in chunks)
    for chunk in chunks:
        first_number = int(re.match(r"line (\d+)", chunk.text).group(1))  # type: ignore[union-attr]
        assert chunk.line == 10 + first_number


def test_a_word_longer_than_a_chunk_is_split() -> None:
    tokenizer = HashingEmbedder(max_tokens=12)
    long_word = "-".join(["x"] * 40)  # 79 tokens, no spaces
    chunks = chunk_sections([Section(long_word)], tokenizer, chunk_tokens=10, overlap_tokens=2)
    assert "".join(c.text for c in chunks).replace("-", "").count("x") >= 40
    assert all(tokenizer.count_tokens(c.text) <= 12 for c in chunks)


def test_a_chunk_opens_at_the_word_where_the_overlap_starts() -> None:
    tokenizer = HashingEmbedder(max_tokens=40)
    text = " ".join(f"word{n}" for n in range(200))
    chunks = chunk_sections([Section(text)], tokenizer, chunk_tokens=30, overlap_tokens=6)
    for before, after in itertools.pairwise(chunks):
        assert after.text.split()[:6] == before.text.split()[-6:]


def test_a_chunk_does_not_open_inside_a_fenced_code_block(
    embedder: SentenceTransformerEmbedder,
) -> None:
    """Its closing fence would read as an opening one, and the prose after it as code."""
    parts = []
    for n in range(12):
        parts.append(f"Prose paragraph {n} explains the example below in plain words.")
        parts.append(
            "```\n" + "\n".join(f"value_{n}_{i} = compute({i})" for i in range(6)) + "\n```"
        )
    text = "\n\n".join(parts)
    chunks = chunk_sections([Section(text)], embedder, chunk_tokens=120, overlap_tokens=24)
    assert len(chunks) > 5
    for chunk in chunks:
        before_fence = chunk.text.split("```", 1)[0]
        assert "compute(" not in before_fence, chunk.text  # no code above its first fence
    covered = "".join(chunk.text for chunk in chunks)
    assert all(f"value_{n}_5" in covered for n in range(12))  # nothing left out


def test_a_block_longer_than_a_chunk_has_its_fence_line_over_each_of_its_chunks(
    embedder: SentenceTransformerEmbedder,
) -> None:
    """The chunks a long block must be cut into open with its fence line again, at the line of
    the fence, so that the block's closing fence closes and the prose after it is prose."""
    code = "\n".join(f"c.NotebookApp.option_{i} = compute_setting({i})" for i in range(60))
    text = f"Set these in the config file:\n\n```python\n{code}\n```\n\nThen start the server."
    chunks = chunk_sections([Section(text, line=10)], embedder, chunk_tokens=120, overlap_tokens=24)
    inside = [chunk for chunk in chunks if not chunk.text.startswith("Set these")]
    assert len(inside) >= 2
    for chunk in inside:
        fence, first, *_ = chunk.text.split("\n")
        assert fence == "```python"
        assert chunk.line == 12 and chunk.lines[0] == 12  # the fence's line, in the file
        number = int(re.search(r"option_(\d+)", first).group(1))  # type: ignore[union-attr]
        assert chunk.lines[1] == 13 + number  # and the code's own lines after it
        blocks = fenced_blocks(chunk.text)
        assert blocks[0][0] == 0
        assert "Then start" not in "".join(chunk.text[a:b] for a, b in blocks)
    assert inside[-1].text.endswith("```\n\nThen start the server.")


def test_a_chunk_opening_inside_a_long_block_opens_at_a_line_of_it(
    embedder: SentenceTransformerEmbedder,
) -> None:
    """A line cut at a word reads as other code: `// destination.txt will be created` read
    "destination.txt will be created", no longer a comment."""
    words = " ".join(f"word{n}" for n in range(30))
    code = "\n".join(f"// step {i} keeps {words}\nrun({i})" for i in range(12))
    text = f"Copy files:\n\n```js\n{code}\n```\n\nDone."
    chunks = chunk_sections([Section(text)], embedder, chunk_tokens=120, overlap_tokens=24)
    inside = [chunk for chunk in chunks if chunk.text.startswith("```js\n")]
    assert len(inside) >= 3
    lines = set(code.split("\n"))
    for chunk in inside:
        first = chunk.text.split("\n")[1]
        assert first in lines, first  # a whole line of the block
