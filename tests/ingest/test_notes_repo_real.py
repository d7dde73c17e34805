"""A real notes repository (`tests/data/notes_repo`): one Markdown note per thing learnt and
a README listing every note as a link under its topic. The README's table of contents is left
out of the index, so a question finds the note, not the line that links to it; links to
sites, the only mention of what they name, stay. LanceDB and the bundled MiniLM, wired as
`margin ingest` and `margin ask` wire them."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.core import Index
from ingest.embedder import SentenceTransformerEmbedder
from ingest.loaders import load_document
from tests.fixtures.ingest import ingested_index

NOTES = Path(__file__).parents[1] / "data" / "notes_repo" / "til"


def _text(path: Path) -> str:
    return "\n".join(section.text for section in load_document(path).sections)


def test_a_readmes_table_of_contents_is_left_out_and_its_links_to_sites_stay() -> None:
    readme = _text(NOTES / "README.md")
    assert "[List Available Schemas](postgres/list-available-schemas.md)" not in readme
    assert "[Kitty](#kitty)" not in readme
    assert "### Kitty" in readme  # the topics' headings stay
    assert "- [The VisualMode Blog](https://visualmode.dev/blog)" in readme
    assert "* [jwworth/til](https://github.com/jwworth/til)" in readme
    survey = _text(NOTES / "postgres" / "survey-of-user-defined-ordering-of-records.md")
    assert "- [User Defined Ordering Made Easy](https://steve.dignam.xyz/" in survey


@pytest.fixture(scope="module")
def notes_index(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Index:
    return ingested_index(tmp_path_factory.mktemp("notes-repo-home"), [NOTES], embedder)


@pytest.mark.parametrize(
    ("question", "note"),
    [
        ("How do I set the title of a kitty window?", "set-the-title-of-a-window.md"),
        ("How do I list the schemas in postgres?", "list-available-schemas.md"),
        ("How do I change the tmux prefix key?", "change-the-default-prefix-key.md"),
    ],
)
def test_a_question_finds_the_note_not_the_readme_that_links_to_it(
    notes_index: Index, question: str, note: str
) -> None:
    found = notes_index.retriever().retrieve(question, k=3)
    names = [Path(source.path).name for source in found.sources]
    assert note in names and "README.md" not in names
