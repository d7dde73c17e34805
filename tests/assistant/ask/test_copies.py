"""One passage kept in several files is one result: unit cases, then Debian's Python page on
glob kept three times (the page, a copy of it as `glob (1).html`, and pandoc's Markdown of
it) next to the fnmatch page, through the real MiniLM and LanceDB."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import replace
from difflib import SequenceMatcher
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.ask import copies
from assistant.ask.copies import fold_copies, is_copy, shingles, with_copy
from assistant.ask.retrieval import Retriever
from assistant.ask.types import Source
from assistant.cli import cli
from assistant.config import RetrievalConfig
from ingest.embedder import SentenceTransformerEmbedder
from ingest.pipeline import IngestOptions, Ingestor
from tests.fixtures.documents import DEBIAN_RST
from tests.fixtures.ingest import new_store

PARAGRAPH = (
    "Once the source code has been written, it must be compiled into the binary addon.node "
    "file. To do so, create a file called binding.gyp in the top-level of the project "
    "describing the build configuration of the module using a JSON-like format."
)


def _source(path: str, text: str) -> Source:
    return Source(1, path, path, None, "", 1, 0.5, text)


def test_markup_and_case_do_not_hide_a_copy() -> None:
    markdown = "### Building\n\n" + PARAGRAPH.replace("addon.node", "`addon.node`")
    html_text = "Building " + PARAGRAPH
    assert is_copy(shingles(markdown), shingles(html_text))
    assert is_copy(shingles(PARAGRAPH.upper()), shingles(PARAGRAPH))


def test_a_passage_inside_a_longer_one_is_a_copy_and_a_shared_phrase_is_not() -> None:
    longer = PARAGRAPH + " Then run node-gyp configure and node-gyp build to compile it."
    assert is_copy(shingles(PARAGRAPH), shingles(longer))
    other = "To do so, create a file called notes.txt and write the shopping list in it."
    assert not is_copy(shingles(other), shingles(PARAGRAPH))
    assert not is_copy(shingles(""), shingles(PARAGRAPH))
    assert not is_copy(shingles("Building"), shingles(PARAGRAPH))  # a heading word alone


def test_the_first_keeps_its_place_and_names_each_other_file_once() -> None:
    ranked = [
        _source("/docs/all.html", PARAGRAPH),
        _source("/docs/oven.md", "Something else entirely, about bread and the oven's heat."),
        _source("/docs/addons.md", "### Building\n\n" + PARAGRAPH),
        _source("/docs/addons.html", PARAGRAPH + " Then run node-gyp build."),
        _source("/docs/addons.md", PARAGRAPH),  # the same file again: no news
    ]
    folded = fold_copies(ranked)
    assert [s.path for s in folded] == ["/docs/all.html", "/docs/oven.md"]
    assert folded[0].copies == ("/docs/addons.md", "/docs/addons.html")
    assert folded[1].copies == ()
    assert folded[0].to_json()["copies"] == ["/docs/addons.md", "/docs/addons.html"]
    assert with_copy(folded[0], "/docs/all.html") is folded[0]


def test_a_copy_in_another_collection_or_local_only_stays_a_result_of_its_own() -> None:
    """A policy (an MCP client's, a remote model's) may withhold one and share the other."""
    public = _source("/docs/addons.md", PARAGRAPH)
    private = replace(_source("/private/addons.md", PARAGRAPH), collection="private")
    local = replace(_source("/local/addons.md", PARAGRAPH), local_only=True)
    again = _source("/docs/addons.html", PARAGRAPH)
    folded = fold_copies([private, public, local, again])
    assert [s.path for s in folded] == ["/private/addons.md", "/docs/addons.md", "/local/addons.md"]
    assert [s.copies for s in folded] == [(), ("/docs/addons.html",), ()]


LONG = " ".join(
    f"Sentence {n} of the page says what step {n} of the build does and why it matters."
    for n in range(1, 31)
)
HALF = len(LONG) // 2


def test_a_passage_cut_at_other_places_is_a_copy_of_the_file_holding_it() -> None:
    """The same page in two formats, chunked at other places: the second format's chunk
    spans two chunks of the first, and neither chunk alone holds most of it."""
    first_half = _source("/docs/build.html", LONG[:HALF])
    across = _source("/docs/build.txt", LONG[HALF // 2 : HALF + HALF // 2])
    second_half = _source("/docs/build.html", LONG[HALF:])
    other = _source("/docs/oven.md", "Something else entirely, about bread and the oven's heat.")
    assert not is_copy(shingles(across.text), shingles(first_half.text))
    assert not is_copy(shingles(across.text), shingles(second_half.text))
    folded = fold_copies([first_half, other, across, second_half])
    assert [s.path for s in folded] == ["/docs/build.html", "/docs/oven.md", "/docs/build.html"]
    assert folded[0].copies == ("/docs/build.txt",)


def test_the_chunks_next_to_a_source_are_read_when_its_file_holds_part_of_one_below() -> None:
    first_half = replace(_source("/docs/build.html", LONG[:HALF]), id="v1:4")
    across = _source("/docs/build.txt", LONG[HALF // 2 : HALF + HALF // 2])
    other = _source("/docs/oven.md", "Something else entirely, about bread and the oven's heat.")
    asked: list[list[str]] = []

    def around(sources: Sequence[Source]) -> dict[str, list[str]]:
        asked.append([s.id for s in sources])
        return {"/docs/build.html": [LONG[HALF:]]}

    assert [s.path for s in fold_copies([first_half, other, across])] == [
        "/docs/build.html",
        "/docs/oven.md",
        "/docs/build.txt",
    ]
    folded = fold_copies([first_half, other, across], around)
    assert [s.path for s in folded] == ["/docs/build.html", "/docs/oven.md"]
    assert folded[0].copies == ("/docs/build.txt",)
    assert asked == [["v1:4"]]  # the file holding part of another's, once


def test_no_chunks_are_read_when_no_file_holds_part_of_another_file_below_it() -> None:
    asked: list[list[Source]] = []

    def around(sources: Sequence[Source]) -> dict[str, list[str]]:
        asked.append(list(sources))
        return {}

    shared_phrase = "what step 3 of the build does and why it matters. Then something new " * 2
    ranked = [
        _source("/docs/build.html", LONG[:HALF]),
        _source("/docs/notes.md", shared_phrase + PARAGRAPH),
        _source("/docs/build.html", LONG[HALF:]),  # the same file: not a copy of itself
    ]
    assert fold_copies(ranked, around) == ranked
    assert asked == []


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _same_passage(one: Source, other: Source) -> bool:
    """Judged apart from the shingles: the words in order match for the most part."""
    return SequenceMatcher(None, _words(one.text), _words(other.text)).ratio() > 0.7


@pytest.fixture(scope="module")
def four_copies(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Retriever:
    folder = tmp_path_factory.mktemp("copies")
    docs = folder / "docs"
    docs.mkdir()
    page = DEBIAN_RST.parent / "library" / "glob.html"
    pandoc = shutil.which("pandoc")
    if pandoc is None or not page.exists():
        pytest.skip("needs Debian's pandoc and python3.11-doc")
    shutil.copy(page, docs / "glob.html")
    shutil.copy(page, docs / "glob (1).html")
    markdown = docs / "glob.md"
    subprocess.run([pandoc, "-f", "html", "-t", "gfm", "-o", str(markdown), str(page)], check=True)
    shutil.copy(page.parent / "fnmatch.html", docs / "fnmatch.html")
    store = new_store(folder, embedder)
    Ingestor(store, embedder, IngestOptions()).run([docs])
    return Retriever(store, embedder, RetrievalConfig(k=5, per_document=2))


QUESTIONS = [
    "How do I find files matching a pattern in every subdirectory?",
    "How do I match a literal question mark in a pattern?",
    "Why are files whose names start with a dot not matched?",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_each_result_is_a_different_passage_and_names_its_copies(
    four_copies: Retriever, question: str
) -> None:
    found = four_copies.retrieve(question).sources
    assert len(found) == 5
    for index, source in enumerate(found):
        for other in found[index + 1 :]:
            assert not _same_passage(source, other), (source.path, other.path)
    named = [Path(path).name for source in found for path in source.copies]
    assert "glob (1).html" in named or "glob.html" in named
    assert all(name.startswith("glob") for name in named)
    assert all(path != source.path for source in found for path in source.copies)


def test_without_folding_the_same_passage_fills_the_results(
    four_copies: Retriever, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the folding takes away: the test above would fail without it."""
    monkeypatch.setattr(copies, "COPY_SHARE", 2.0)  # nothing is a copy
    repeats = 0
    for question in QUESTIONS:
        found = four_copies.retrieve(question).sources
        repeats += sum(
            _same_passage(source, other)
            for index, source in enumerate(found)
            for other in found[index + 1 :]
        )
        assert not any(source.copies for source in found)
    assert repeats >= len(QUESTIONS)


def test_search_says_where_else_the_passage_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, embedder: SentenceTransformerEmbedder
) -> None:
    monkeypatch.setattr("assistant.core.load_embedder", lambda config, locations: embedder)
    page = DEBIAN_RST.parent / "library" / "fnmatch.html"
    if not page.exists():
        pytest.skip("needs Debian's python3.11-doc")
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(page, folder / "fnmatch.html")
    shutil.copy(page, folder / "fnmatch (1).html")
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(folder)]).exit_code == 0
    question = "How do I turn a shell-style pattern into a regular expression?"
    shown = runner.invoke(cli, ["search", question, "--k", "3"])
    assert shown.exit_code == 0
    first, copy = ("fnmatch.html", "fnmatch (1).html")
    if f"[1] {folder / copy}" in shown.stdout:
        first, copy = copy, first
    assert f"[1] {folder / first}" in shown.stdout
    assert f"also in: {folder / copy}" in shown.stdout
    found = json.loads(runner.invoke(cli, ["search", question, "--json"]).stdout)["results"]
    both = {str(folder / first), str(folder / copy)}
    assert all(r["copies"] == list(both - {r["path"]}) for r in found)
    assert len({r["text"] for r in found}) == len(found)


def test_the_tui_source_panel_counts_the_other_files() -> None:
    from tui.widgets.sources import source_prompt

    one = with_copy(_source("/docs/all.html", PARAGRAPH), "/docs/addons.md")
    assert "also in 1 other file" in source_prompt(one).plain
    two = with_copy(one, "/docs/addons.html")
    assert "also in 2 other files" in source_prompt(two).plain
    assert "also in" not in source_prompt(_source("/docs/oven.md", PARAGRAPH)).plain


def _shown_before(one: Source, earlier: Sequence[Source]) -> float:
    """Judged apart from the shingles: the share of `one`'s words that the results above it
    from other files hold, in the same order, in runs of five words or more."""
    words = _words(one.text)
    text = [word for other in earlier if other.path != one.path for word in _words(other.text)]
    blocks = SequenceMatcher(None, words, text, autojunk=False).get_matching_blocks()
    return sum(block.size for block in blocks if block.size >= 5) / len(words)


@pytest.fixture(scope="module")
def page_and_its_source(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Retriever:
    """Python's glob page as Sphinx built it and as the reStructuredText Sphinx ships beside
    it (`_sources/library/glob.rst.txt`), and the fnmatch page."""
    page = DEBIAN_RST.parent / "library" / "glob.html"
    source = DEBIAN_RST / "library" / "glob.rst.txt"
    if not page.exists() or not source.exists():
        pytest.skip("needs Debian's python3.11-doc")
    folder = tmp_path_factory.mktemp("formats")
    docs = folder / "docs"
    docs.mkdir()
    shutil.copy(page, docs / "glob.html")
    shutil.copy(source, docs / "glob.rst.txt")
    shutil.copy(page.parent / "fnmatch.html", docs / "fnmatch.html")
    store = new_store(folder, embedder)
    Ingestor(store, embedder, IngestOptions()).run([docs])
    return Retriever(store, embedder, RetrievalConfig(k=5, per_document=2))


def _copied_results(retriever: Retriever, questions: Sequence[str] = QUESTIONS) -> int:
    """Results more than half of whose words a result above them from another file shows."""
    copied = 0
    for question in questions:
        found = retriever.retrieve(question).sources
        copied += sum(_shown_before(s, found[:index]) > 0.5 for index, s in enumerate(found))
    return copied


def test_a_page_and_its_source_in_another_markup_show_each_passage_once(
    page_and_its_source: Retriever,
) -> None:
    assert _copied_results(page_and_its_source) == 0
    found = page_and_its_source.retrieve(QUESTIONS[0]).sources
    assert any(Path(path).name == "glob.rst.txt" for s in found for path in s.copies)


GIT_STASH = Path(__file__).resolve().parents[2] / "data" / "git_stash"
STASH_QUESTIONS = [
    "What does git stash pop do?",
    "How do I stash untracked files too?",
    "How do I see the changes recorded in a stash?",
    "How do I list my stashes?",
]


@pytest.fixture(scope="module")
def stash_page_twice(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Retriever:
    """git's manual page for git-stash as Debian's git-doc 1:2.39.5 ships it (GPL-2): the
    asciidoc source and the HTML built from it, each cut into chunks at its own places."""
    folder = tmp_path_factory.mktemp("stash")
    docs = folder / "docs"
    shutil.copytree(GIT_STASH, docs)
    store = new_store(folder, embedder)
    Ingestor(store, embedder, IngestOptions()).run([docs])
    return Retriever(store, embedder, RetrievalConfig(k=5, per_document=2))


def test_a_manual_page_in_two_markups_shows_each_passage_once(
    stash_page_twice: Retriever,
) -> None:
    assert _copied_results(stash_page_twice, STASH_QUESTIONS) == 0
    named = {
        Path(path).name
        for question in STASH_QUESTIONS
        for source in stash_page_twice.retrieve(question).sources
        for path in source.copies
    }
    assert named and named <= {"git-stash.txt", "git-stash.html"}


def test_chunk_by_chunk_the_two_markups_fill_the_results(
    stash_page_twice: Retriever, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What reading a file's chunks together takes away: the test above would fail without
    it, since the two files are cut at other places."""
    monkeypatch.setattr(copies, "_share", lambda passage, text: 0.0)
    assert _copied_results(stash_page_twice, STASH_QUESTIONS) > 0
