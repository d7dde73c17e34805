"""An optional cross-encoder that re-ranks retrieved chunks: `[retrieval] reranker = "PATH"`.

A cross-encoder reads the question and a passage together and says how well one answers the
other; it ranks better than vectors and BM25 but costs a model run per passage, so it sees
only the `rerank_depth` best fused candidates. The model is a sentence-transformers
`CrossEncoder` saved in a local folder, which the person fetches once when they choose to with
`margin models pull-reranker hf:cross-encoder/ms-marco-MiniLM-L6-v2 --name NAME` (that command
checks a folder with `unusable_reranker` before installing it); the setting itself never
downloads anything. It loads on the first question, with torch.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Protocol

from assistant.errors import ConfigError

SETTING = "retrieval.reranker"
PROBE = ("What does a reranker do?", "A reranker scores how well a passage answers a question.")


class Reranker(Protocol):
    def relevance(self, query: str, passages: list[str]) -> list[float]:
        """How well each passage answers `query`, each in [0, 1]."""
        ...


class CrossEncoderReranker:
    """A sentence-transformers CrossEncoder from a local folder, loaded on first use."""

    def __init__(self, folder: Path, *, batch_size: int = 16):
        self.folder = folder
        self._batch_size = batch_size
        self._model: Any = None
        self._sigmoid: Any = None
        self._lock = threading.Lock()

    @classmethod
    def from_setting(cls, setting: str) -> CrossEncoderReranker | None:
        """The reranker `[retrieval] reranker` names; None when it is empty."""
        if not setting:
            return None
        folder = Path(setting).expanduser()
        if not (folder / "config.json").is_file():
            raise ConfigError(
                f"retrieval.reranker = {setting!r}: no model there. It must be a local folder "
                "holding a sentence-transformers CrossEncoder (config.json, weights and "
                "tokenizer files); margin does not download models."
            )
        return cls(folder)

    def relevance(self, query: str, passages: list[str]) -> list[float]:
        if not passages:
            return []
        model = self._loaded()
        scores = model.predict(
            [(query, passage) for passage in passages],
            batch_size=self._batch_size,
            activation_fn=self._sigmoid,  # a probability, whatever the folder's default
            show_progress_bar=False,
        )
        return [min(1.0, max(0.0, float(score))) for score in scores]

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def _load(self) -> Any:
        import torch
        from sentence_transformers import CrossEncoder
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        self._sigmoid = torch.nn.Sigmoid()
        try:
            model = CrossEncoder(str(self.folder), local_files_only=True, device="cpu")
        except Exception as exc:  # damaged weights, mismatched shapes, bad JSON: one message
            raise ConfigError(
                f"{SETTING}: cannot load a CrossEncoder from {self.folder}: {exc}"
            ) from exc
        if model.num_labels != 1:
            raise ConfigError(
                f"{SETTING}: {self.folder} scores {model.num_labels} labels; "
                "a reranker gives one relevance score per passage."
            )
        return model


def unusable_reranker(folder: Path) -> str | None:
    """Why `folder` cannot re-rank, or None when it loads as a one-label CrossEncoder from
    local files and scores a question against a passage."""
    try:
        CrossEncoderReranker(folder).relevance(PROBE[0], [PROBE[1]])
    except ConfigError as exc:
        return str(exc).removeprefix(f"{SETTING}: ")
    except Exception as exc:  # files from elsewhere: any failure to score is the answer
        return f"scoring a passage failed ({type(exc).__name__}: {exc})."
    return None
