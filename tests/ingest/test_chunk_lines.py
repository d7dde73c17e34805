"""A chunk's line is the file line its text starts on, through the real loaders, section
preparation, the extraction worker and the chunker; a chunk starting inside an HTML block
(one text line made of several file lines) has the block's first line, never a later one;
line numbers that do not fit their text are refused where sections come from the worker."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.chunk_lines import place_chunk, source_words
from ingest.chunking import chunk_document
from ingest.embedder import SentenceTransformerEmbedder
from ingest.errors import LoadError
from ingest.extraction import Extractor, document_from_reply
from ingest.extraction_worker import handle
from ingest.fakes import HashingEmbedder
from ingest.loaders import load_document
from ingest.loaders.decoding import read_text
from ingest.ocr import Ocr
from ingest.sections import document_title, prepare_sections
from ingest.types import Chunk
from tests.fixtures.ingest import write_files

REPO = Path(__file__).resolve().parents[2]

# A Sphinx page: paragraphs wrapped over several lines, an API entry whose signature starts
# on the line after its <dt>, a code block, a list item and a table row split over lines.
SPHINX = """<!DOCTYPE html>
<html>
<head><title>Otters &#8212; Field notes</title></head>
<body>
<div class="body" role="main">
<div role="navigation"><a href="index.html">Home</a> | <a href="next.html">Next topic</a></div>
<section id="otters">
<h1>Otters<a class="headerlink" href="#otters">¶</a></h1>
<p>Sea otters hold hands while they sleep, so that
they do not drift apart at night; a group of them
resting together is called a raft.</p>
<p>They wrap themselves in kelp as well, which keeps them in place
when the tide turns and the wind rises over the bay.</p>
<dl class="py function">
<dt class="sig sig-object py" id="otters.groom">
<span class="sig-name">otters.groom</span>(<em>fur</em>)<a class="headerlink" href="#g">¶</a></dt>
<dd><p>Otters groom their fur for hours every day, working air
into it: the air keeps them warm and dry, as they have no
blubber under their skin at all.</p>
<div class="highlight"><pre>
&gt;&gt;&gt; groom(&quot;fur&quot;)
&#39;dry&#39;
</pre></div>
</dd></dl>
<table class="docutils">
<tr><th>Food</th><th>Share</th></tr>
<tr>
<td>sea urchins</td><td>most of it, in the kelp forests of the north</td></tr>
</table>
<ul>
<li><p>Otters eat
crabs, clams and snails, and they crack the shells open on stones.</p></li>
</ul>
</section>
</div>
</body>
</html>
"""

# Front matter, runs of blank lines, and tiny sections packed together.
MARKDOWN = """---
title: Otter notes
---



# Otters


Sea otters hold hands while they sleep, so that they do not drift apart at night.
A group of otters resting together is called a raft.

## Diet

Fish.



## Play

Stones.

## Grooming

Otters groom their fur for hours every day, working air into it: the air keeps them warm.
"""

MAN = """OTTER(1)                         User Commands                        OTTER(1)

NAME
       otter - hold hands while asleep

SYNOPSIS
       otter [OPTION]... RAFT


DESCRIPTION
       Keep  the  members of RAFT together through the night, so that none of
       them drifts apart while the tide turns.

       -k, --kelp
              wrap every member in kelp first

Otter tools 1.0                  June 2024                           OTTER(1)
"""


def chunks_of(path: Path, tokenizer: HashingEmbedder | SentenceTransformerEmbedder) -> list[Chunk]:
    return chunk_document(
        load_document(path), path.name, tokenizer, chunk_tokens=200, overlap_tokens=32
    )


def opening_lines(
    path: Path, tokenizer: SentenceTransformerEmbedder
) -> list[tuple[int | None, str]]:
    """(line, first line of text) of each chunk of the file."""
    return [(c.line, c.text.split("\n", 1)[0][:24]) for c in chunks_of(path, tokenizer)]


def text_lines(path: Path) -> dict[str, int | None]:
    """Each text line of the prepared sections, with the file line it reports."""
    document = load_document(path)
    title = document_title(document.title, document.sections, path.name)
    found: dict[str, int | None] = {}
    for section in prepare_sections(document.sections, title):
        for index, line in enumerate(section.text.split("\n")):
            if line.strip():
                found[line[:24]] = section.line_of(index)
    return found


def test_html_lines_are_the_lines_their_text_starts_on(tmp_path: Path) -> None:
    page = write_files(tmp_path, {"otters.html": SPHINX}) / "otters.html"
    assert text_lines(page) == {
        "Otters": 8,
        "Sea otters hold hands wh": 9,
        "They wrap themselves in ": 12,
        "otters.groom(fur)": 16,
        "Otters groom their fur f": 17,
        '>>> groom("fur")': 21,
        "'dry'": 22,
        "```": 23,  # the code's fences: <pre> on line 20, </pre> on 23
        "Food | Share": 26,
        "sea urchins | most of it": 28,
        "- Otters eat crabs, clam": 31,
    }


def test_html_chunks_start_on_their_lines(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    page = write_files(tmp_path, {"otters.html": SPHINX}) / "otters.html"
    assert opening_lines(page, embedder) == [
        (8, "Otters"),
        (16, "otters.groom(fur)"),
        (26, "Food | Share"),
    ]


def test_a_chunk_inside_an_html_block_has_the_block_line(tmp_path: Path) -> None:
    wrapped = "\n".join(f"otters rest in rafts, line {n} of the paragraph." for n in range(40))
    page = f"<html><body>\n<main>\n<h1>Rafts</h1>\n<p>{wrapped}</p>\n</main></body></html>"
    path = write_files(tmp_path, {"rafts.html": page}) / "rafts.html"
    chunks = chunks_of(path, HashingEmbedder(max_tokens=40))
    assert len(chunks) > 5
    assert {c.line for c in chunks} == {3, 4}  # the heading's line, then the paragraph's


def test_markdown_lines_survive_front_matter_blank_runs_and_packing(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    notes = write_files(tmp_path, {"notes.md": MARKDOWN}) / "notes.md"
    lines = text_lines(notes)
    assert [
        lines[text] for text in ("# Otters", "Sea otters hold hands wh", "A group of otters restin")
    ] == [7, 10, 11]
    assert [lines[text] for text in ("## Diet", "Fish.", "## Play", "Stones.", "## Grooming")] == [
        13,
        15,
        19,
        21,
        23,
    ]
    assert opening_lines(notes, embedder) == [(1, "---"), (13, "## Diet"), (23, "## Grooming")]


def test_man_page_lines_skip_the_header_and_section_headings(tmp_path: Path) -> None:
    page = write_files(tmp_path, {"otter.1.txt": MAN}) / "otter.1.txt"
    lines = text_lines(page)
    assert lines["SYNOPSIS"] == 7  # a packed entry's heading takes its text's line
    assert lines["       otter [OPTION]..."] == 7
    assert lines["       Keep  the  member"] == 11
    assert lines["       -k, --kelp"] == 14


@pytest.mark.parametrize("name", ["otters.html", "notes.md", "otter.1.txt"])
def test_lines_cross_the_extraction_worker(tmp_path: Path, name: str) -> None:
    path = (
        write_files(tmp_path, {"otters.html": SPHINX, "notes.md": MARKDOWN, "otter.1.txt": MAN})
        / name
    )
    with Extractor() as extractor:
        assert extractor.load(path).sections == load_document(path).sections


@pytest.mark.parametrize(
    "misnumber",
    [lambda line, lines: (line, lines[:-1]), lambda line, lines: (line + 1, lines)],
    ids=["a number short", "line not the first number"],
)
def test_lines_that_do_not_fit_the_text_are_refused_at_the_worker_boundary(
    tmp_path: Path, misnumber: Callable[[int, list[int]], tuple[int, list[int]]]
) -> None:
    path = write_files(tmp_path, {"otters.html": SPHINX}) / "otters.html"
    reply = json.loads(json.dumps(handle({"path": str(path)}, Ocr.find())))  # as piped
    assert document_from_reply(reply).sections == load_document(path).sections
    numbered = next(section for section in reply["sections"] if section[4])
    numbered[3], numbered[4] = misnumber(numbered[3], numbered[4])
    with pytest.raises(LoadError, match="line numbers that do not fit"):
        document_from_reply(reply)


def test_every_chunk_of_the_docs_starts_on_its_line(embedder: SentenceTransformerEmbedder) -> None:
    docs = REPO / "docs"
    paths = [*sorted(docs.glob("*.md")), docs / "guardrails.rst", docs / "privacy.html"]
    misplaced = []
    for path in paths:
        words = source_words(read_text(path), markup=path.suffix == ".html")
        for chunk in chunks_of(path, embedder):
            assert chunk.line is not None
            placed = place_chunk(chunk, words)
            if placed.verdict != "exact":
                misplaced.append((path.name, placed))
    assert misplaced == []
