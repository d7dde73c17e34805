"""Which sentences evidence selection embeds: few, one at a time, the likeliest first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.ask.evidence import EvidenceSelector, uniform_weights
from assistant.ask.types import Source
from ingest.fakes import HashingEmbedder

if TYPE_CHECKING:
    import numpy as np


class CountingEmbedder(HashingEmbedder):
    """Records the texts of every `embed_queries` call."""

    def __init__(self) -> None:
        super().__init__()
        self.queries: list[list[str]] = []

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        self.queries.append(list(texts))
        return super().embed_queries(texts)


NOTES = (
    "The lawn was reseeded in March after the frost. "
    "The hydrangeas were planted on 14 April 2021 along the north fence. "
    "Hydrangea flowers turn blue in acid soil, the garden centre said. "
    "The compost bin needs turning every two weeks. "
    "The lawnmower blade was sharpened in May. "
    "The shed door was painted green. "
    "The rain barrel overflowed twice. "
    "A new bird feeder hangs by the kitchen window. "
    "The strawberries moved to the raised bed. "
    "The runner beans climb the trellis by the back door."
)


DENSE = 4  # sentences embedded per question, as `retrieval.dense_sentences = 4` asks


def notes(number: int) -> Source:
    return Source(number, f"notes.md:{number}", "notes.md", None, "", 1, 0.5, NOTES)


def test_only_the_likeliest_sentences_are_embedded_each_on_its_own() -> None:
    embedder = CountingEmbedder()
    selector = EvidenceSelector(uniform_weights, embedder, dense_sentences=DENSE)
    question = "When were the hydrangeas planted?"
    evidence = selector.select(question, embedder.embed_query(question), [notes(1)])
    assert 0 < len(embedder.queries) <= DENSE
    assert all(len(texts) == 1 for texts in embedder.queries)  # no batch padded to the longest
    embedded = [w for w in evidence.windows if w.similarity is not None]
    assert len(embedded) == len(embedder.queries)
    assert evidence.best is not None and "14 April 2021" in evidence.best.sentence.text


def test_the_sentence_holding_the_terms_is_embedded_before_its_neighbours() -> None:
    embedder = CountingEmbedder()
    selector = EvidenceSelector(uniform_weights, embedder, dense_sentences=1)
    question = "When were the hydrangeas planted?"
    selector.select(question, embedder.embed_query(question), [notes(1)])
    # its neighbours' windows hold the same terms; the sentence itself holds them
    assert embedder.queries == [
        ["The hydrangeas were planted on 14 April 2021 along the north fence."]
    ]


def test_no_embedder_scores_on_coverage_alone() -> None:
    evidence = EvidenceSelector(uniform_weights).select(
        "When were the hydrangeas planted?", None, [notes(1)]
    )
    assert evidence.best is not None and evidence.best.similarity is None
    assert "14 April 2021" in evidence.best.window.text
