"""The optional cross-encoder reranker: a real sentence-transformers CrossEncoder, built tiny
by the tests in a local folder (`tiny_cross_encoder`), over a real LanceDB store."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ask.reranker import CrossEncoderReranker
from assistant.ask.retrieval import Retriever
from assistant.config import RetrievalConfig, parse_config
from assistant.errors import ConfigError
from ingest.fakes import HashingEmbedder
from ingest.pipeline import IngestOptions, Ingestor
from ingest.store import ChunkStore
from tests.fixtures.ingest import new_store, write_files

DOCUMENTS = {
    "espresso.md": "# Espresso\n\nGrind the coffee fine; a shot takes about 28 seconds.",
    "tyres.md": "# Tyres\n\nThe rear tyre pressure is 2.8 bar for a full load.",
    "coffee.md": "# Coffee\n\nCoffee beans keep best in a dark, airtight tin.",
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ChunkStore:
    tmp_path = tmp_path_factory.mktemp("rerank-store")
    write_files(tmp_path / "docs", DOCUMENTS)
    embedder = HashingEmbedder()
    chunks = new_store(tmp_path, embedder)
    Ingestor(chunks, embedder, IngestOptions()).run([tmp_path / "docs"])
    return chunks


def test_the_reranker_orders_the_sources_and_its_probability_is_the_score(
    tiny_cross_encoder: Path, store: ChunkStore
) -> None:
    from sentence_transformers import CrossEncoder

    reranker = CrossEncoderReranker.from_setting(str(tiny_cross_encoder))
    assert reranker is not None
    retriever = Retriever(store, HashingEmbedder(), RetrievalConfig(k=3), reranker=reranker)
    question = "how many seconds does an espresso shot take"
    found = retriever.retrieve(question, k=3)
    assert len(found.sources) == 3
    model = CrossEncoder(str(tiny_cross_encoder), local_files_only=True, device="cpu")
    import torch

    passages = [f"{s.heading}\n{s.text}" for s in found.sources]
    expected = model.predict(
        [(question, p) for p in passages], activation_fn=torch.nn.Sigmoid()
    ).tolist()
    assert [s.score for s in found.sources] == pytest.approx(expected, abs=1e-4)
    assert expected == sorted(expected, reverse=True) and expected[0] > expected[-1]
    assert all(0.0 <= s.score <= 1.0 for s in found.sources)
    assert [s.number for s in found.sources] == [1, 2, 3]


def test_a_reranker_setting_must_name_a_local_model_folder(tmp_path: Path) -> None:
    assert CrossEncoderReranker.from_setting("") is None
    with pytest.raises(ConfigError, match="never downloads"):
        CrossEncoderReranker.from_setting(str(tmp_path / "missing"))
    config = parse_config('[retrieval]\nreranker = "/models/ce"\n', tmp_path / "c.toml")
    assert config.retrieval.reranker == "/models/ce"


def test_a_folder_that_is_not_a_cross_encoder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    reranker = CrossEncoderReranker.from_setting(str(tmp_path))
    assert reranker is not None
    with pytest.raises(ConfigError, match="cannot load a CrossEncoder"):
        reranker.relevance("question", ["passage"])
