"""A paper's list of references ranks below its body, through the real parts (the PDF loader,
MiniLM, LanceDB, term counts), unless the question asks for a work or its author.

qrbill's manual (LPPL, tests/data/papers) lists "Swiss Implementation Guidelines QR-bill:
Technical and professional specifications of the payment part with Swiss QR Code" and a
"Style Guide QR-bill: The right layout pays off". Asked which layout rules the payment part
follows, both rankings put the list first, and its entry was the quoted evidence; the body
pages on the Swiss standard are what answers.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.ask.evidence import EvidenceSelector
from assistant.ask.ranking import asks_for_reference
from assistant.ask.retrieval import Retriever
from assistant.ask.term_stats import TermStatistics
from assistant.config import RetrievalConfig
from ingest.embedder import SentenceTransformerEmbedder
from ingest.pipeline import IngestOptions, Ingestor
from ingest.reference_lists import reads_as_reference_list
from tests.fixtures.ingest import new_store

PAPERS = Path(__file__).resolve().parents[2] / "data" / "papers"
LAYOUT = "Which layout rules does the payment part with the Swiss QR code follow?"
AUTHOR = "Who wrote the pure Lua QR code library?"


@pytest.fixture(scope="module")
def retriever(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> Retriever:
    tmp_path = tmp_path_factory.mktemp("references")
    for paper in ("qrbill.pdf", "elstest-1p.pdf"):
        shutil.copy(PAPERS / paper, tmp_path / paper)
    store = new_store(tmp_path / "index", embedder)
    Ingestor(store, embedder, IngestOptions()).run([tmp_path])
    config = RetrievalConfig()
    terms = TermStatistics(tmp_path / "terms.sqlite", store)
    evidence = EvidenceSelector(terms.idf, embedder, dense_sentences=config.dense_sentences)
    return Retriever(store, embedder, config, evidence=evidence)


def test_a_question_on_the_topic_is_answered_from_the_body(retriever: Retriever) -> None:
    found = retriever.retrieve(LAYOUT, k=6)
    assert found.relevant
    listed = [reads_as_reference_list(s.text, s.heading) for s in found.sources]
    assert listed[:3] == [False, False, False]
    assert found.evidence.best is not None
    best = found.evidence.best.source
    assert not reads_as_reference_list(best.text, best.heading)
    assert "Swiss payment standards" in found.sources[0].text


def test_a_question_for_a_work_finds_the_list(retriever: Retriever) -> None:
    found = retriever.retrieve(AUTHOR, k=6)
    first = found.sources[0]
    assert first.heading.endswith("References")
    assert "Luaqrcode – Pure Lua QR Code library. By Patrick Gundlach" in first.text


@pytest.mark.parametrize(
    "question",
    [
        AUTHOR,
        "Which paper introduced whispering gallery modes?",
        "What should I cite for the Swiss QR-bill standard?",
        "Who are the authors of the style guide?",
        "What book describes the TeX program?",
    ],
)
def test_questions_that_ask_for_a_work(question: str) -> None:
    assert asks_for_reference(question)


@pytest.mark.parametrize(
    "question",
    [LAYOUT, "How should references be prepared for an ACM paper?", "Which package loads natbib?"],
)
def test_questions_on_the_topic_do_not_ask_for_a_work(question: str) -> None:
    assert not asks_for_reference(question)
