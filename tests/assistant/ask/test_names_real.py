"""The names rule of the relevance gate on real parts: the bundled MiniLM's tokenizer decides
which words are names, LanceDB holds the long notes, SQLite counts the terms, and the index
is wired the way `margin ask` wires it (`Index.retriever`).

A question about something the notes never mention is refused even when the rest of its
words match a sentence well ("How long does the plum cake bake in a Thermomix?"), and the
refusal says what is missing; the same question without the name passes.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.core import Index
from ingest.embedder import SentenceTransformerEmbedder
from tests.fixtures.ingest import ingested_index

NOTES = Path(__file__).parents[2] / "data" / "long_notes"
# The head of Git's own release notes (Debian's /usr/share/doc/git/RelNotes/2.39.0.txt), saved
# under the name a person gives it: it writes the release "v2.39", its name "2.39.0".
RELEASE_NOTES = Path(__file__).parents[2] / "data" / "release_notes"
# Python's page of built-in exceptions (python3.11-doc), which writes "Control-C".
EXCEPTIONS_PAGE = Path(__file__).parents[2] / "data" / "python_html" / "exceptions.html"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder) -> Index:
    home = tmp_path_factory.mktemp("names-home")
    notes = home / "notes"
    shutil.copytree(NOTES, notes, ignore=shutil.ignore_patterns("*.jsonl"))
    shutil.copytree(RELEASE_NOTES, notes / "releases")
    shutil.copy(EXCEPTIONS_PAGE, notes)
    return ingested_index(home, [notes], embedder)


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("How long does the plum cake bake in a Thermomix?", "Thermomix"),
        ("Where is the guest wifi password for the Vodafone router?", "Vodafone"),
        ("When was the car last serviced by Kwik-Fit?", "Kwik-Fit"),
    ],
)
def test_a_question_about_a_name_the_notes_never_mention_is_refused(
    index: Index, question: str, missing: str
) -> None:
    found = index.retriever().retrieve(question, k=3)
    assert not found.relevant
    assert [name.text for name in found.missing_names] == [missing]
    assert found.why_not_relevant() == f"none of the passages found mentions “{missing}”"


@pytest.mark.parametrize(
    "question",
    [
        "How long does the plum cake bake?",
        "Where is the guest wifi password for the router?",
        "When was the car last serviced?",
        "When were the hydrangeas planted?",  # a word MiniLM cuts in pieces, in the notes
        # a word MiniLM cuts in pieces, not in the notes (they say "61,200 kilometres"), but
        # an ordinary English word: no name
        "What did the odometer read when the car was last serviced?",
        # a common word as people clip it, not in the notes either
        "Where is the guest wifi password, which I need without the admin's help?",
    ],
)
def test_the_same_questions_without_the_name_pass(index: Index, question: str) -> None:
    found = index.retriever().retrieve(question, k=3)
    assert found.relevant and found.missing_names == []


@pytest.mark.parametrize(
    "question",
    ["Which option was added to git patch-id in Git 2.39?", "What is new in git v2.39?"],
)
def test_a_release_is_mentioned_as_documents_write_it(index: Index, question: str) -> None:
    """ "2.39" is in the notes only as "v2.39" and in the file's name, as "2.39.0"."""
    found = index.retriever().retrieve(question, k=3)
    assert Path(found.sources[0].path).name == "git-2.39.0-relnotes.txt"
    assert found.missing_names == [] and found.relevant


def test_a_question_in_another_language_names_only_code(index: Index) -> None:
    # every word is unknown to MiniLM's vocabulary and the English list, nouns capitalised
    found = index.retriever().retrieve("Wann wurden die Hortensien gepflanzt?", k=3)
    assert found.missing_names == []
    found = index.retriever().retrieve(
        "Wann wurde die Option von git patch-id in Git 2.3 geändert?", k=3
    )
    assert [name.text for name in found.missing_names] == ["2.3"]


def test_another_release_is_still_missing(index: Index) -> None:
    found = index.retriever().retrieve("Which option was added to git patch-id in Git 2.3?", k=3)
    assert [name.text for name in found.missing_names] == ["2.3"]
    assert not found.relevant


def test_a_name_mentioned_only_in_passing_elsewhere_refuses(index: Index) -> None:
    """ "Porto" is in team-news.md once; a question about it and the car finds car.md."""
    found = index.retriever().retrieve("How much is the Porto insurance premium for the car?", k=1)
    assert Path(found.sources[0].path).name == "car.md"
    assert [(n.text, n.chunks) for n in found.missing_names] == [("Porto", 1)]
    assert not found.relevant
    assert found.why_not_relevant() == "none of the passages found mentions “Porto”"


def test_passing_mentions_minus_one_turns_the_rule_off(index: Index) -> None:
    config = index.config
    retrieval = replace(config.retrieval, passing_mentions=-1)
    off = replace(index, config=replace(config, retrieval=retrieval))
    assert off.name_check() is None
    found = off.retriever().retrieve("How long does the plum cake bake in a Thermomix?", k=3)
    assert found.missing_names == [] and found.relevant


def test_a_negation_typed_without_its_apostrophe_does_not_refuse(index: Index) -> None:
    # MiniLM cuts "doesnt" in two, and no note writes it
    found = index.retriever().retrieve("Why doesnt the guest wifi password work?", k=3)
    assert found.missing_names == [] and found.relevant


def test_a_key_chord_is_found_as_the_documents_write_it(index: Index) -> None:
    """The page says "Control-C" where a person types "Ctrl-C": the question is answered."""
    found = index.retriever().retrieve("Why doesn't except Exception catch Ctrl-C?", k=3)
    assert Path(found.sources[0].path).name == "exceptions.html"
    assert "Control-C" in found.sources[0].text
    assert found.missing_names == [] and found.relevant


def test_a_key_chord_the_documents_never_write_is_missing(index: Index) -> None:
    found = index.retriever().retrieve("Which exception does Ctrl-Q raise in Python?", k=3)
    assert [name.text for name in found.missing_names] == ["Ctrl-Q"]
    assert not found.relevant


def test_a_name_another_chunk_of_the_sources_page_mentions_is_a_ranking_miss(
    tmp_path: Path, embedder: SentenceTransformerEmbedder
) -> None:
    """The page writes "CTE" once, in its first section; a question about a CTE's
    materialisation finds the last section alone (k = 1): the gate decides, not the name."""
    notes = tmp_path / "notes"
    notes.mkdir()
    filler = " ".join(["Rows flow from the inner query to the outer one as they are fetched."] * 25)
    (notes / "with-queries.md").write_text(
        "# WITH queries\n\nA WITH query, or CTE, names a subquery for one statement.\n\n"
        f"## Recursion\n\n{filler}\n\n"
        "## Materialisation\n\nA WITH query referenced twice is materialized once; write "
        "NOT MATERIALIZED to fold it into the parent query, so that its filters are pushed "
        "down.\n",
        encoding="utf-8",
    )
    (notes / "copy.md").write_text("# COPY\n\nCOPY moves rows between a table and a file.\n")
    opened = ingested_index(tmp_path / "home", [notes], embedder)
    question = "How do I stop my CTE from being materialized twice?"
    found = opened.retriever().retrieve(question, k=1)
    assert [Path(s.path).name for s in found.sources] == ["with-queries.md"]
    assert "CTE" not in found.sources[0].text and "NOT MATERIALIZED" in found.sources[0].text
    assert found.missing_names == [] and found.relevant
    absent = opened.retriever().retrieve("How do I stop my XYZQ from being materialized?", k=1)
    assert [name.text for name in absent.missing_names] == ["XYZQ"]
