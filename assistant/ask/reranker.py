"""An optional cross-encoder that re-ranks retrieved chunks: `[retrieval] reranker = "PATH"`.

A cross-encoder reads the question and a passage together and says how well one answers the
other; it ranks better than vectors and BM25 but costs a model run per passage, so it sees
only the `rerank_depth` best fused candidates. The model is a sentence-transformers
`CrossEncoder` saved in a local folder, which the person fetches once when they choose to with
`margin models pull-reranker hf:cross-encoder/ms-marco-MiniLM-L6-v2 --name NAME` (that command
checks a folder with `unusable_reranker` before installing it); the setting itself never
downloads anything. It loads on the first question, with torch. A folder whose weights file
lacks weights the model needs, or holds them in other shapes, is refused: transformers would
fill them with random numbers and only log it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
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
                "tokenizer files); this setting never downloads one: fetch one with "
                "`margin models pull-reranker`."
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
        with _quiet(transformers_logging):  # its load report is said below, for people
            try:
                model = CrossEncoder(
                    str(self.folder),
                    local_files_only=True,
                    device="cpu",
                    model_kwargs={"ignore_mismatched_sizes": True},  # told by _random_weights
                )
                problem = _random_weights(model.model, self.folder)
            except Exception as exc:  # damaged weights, bad JSON: one message
                raise ConfigError(
                    f"{SETTING}: cannot load a CrossEncoder from {self.folder}: {exc}"
                ) from exc
        if problem:
            raise ConfigError(f"{SETTING}: {problem}")
        if model.num_labels != 1:
            raise ConfigError(
                f"{SETTING}: {self.folder} scores {model.num_labels} labels; "
                "a reranker gives one relevance score per passage."
            )
        return model


def _random_weights(network: Any, folder: Path) -> str | None:
    """Why `network`, loaded from `folder`, would rank with random numbers, or None when every
    weight it has came from the folder's weights file. transformers fills a weight it does not
    find there (or finds with another shape) with random numbers and only logs it, so the
    folder is loaded once more by the same class, asking what was found; weights the file has
    and the model does not use are harmless and not counted."""
    _, info = type(network).from_pretrained(
        str(folder),
        config=network.config,
        local_files_only=True,
        ignore_mismatched_sizes=True,
        output_loading_info=True,
    )
    missing = sorted(info["missing_keys"])
    mismatched = sorted(info["mismatched_keys"])
    if not missing and not mismatched:
        return None
    total = len(network.state_dict())
    weights = folder / "model.safetensors"
    found = []
    if missing:
        found.append(
            f"{len(missing)} of the model's {total} weights are missing from {weights} (such "
            f"as {missing[0]})."
        )
    if mismatched:
        name, there, wanted = mismatched[0]
        found.append(
            f"{len(mismatched)} of the model's {total} weights have another shape in {weights} "
            f"than its config.json gives (such as {name}: {_shape(there)} in the file, "
            f"{_shape(wanted)} in the model)."
        )
    return (
        f"{' '.join(found)} It would rank with random numbers in their place. Fetch the folder "
        "again, or choose another reranker."
    )


def _shape(shape: Any) -> str:
    return "×".join(str(size) for size in shape)


@contextmanager
def _quiet(transformers_logging: Any) -> Iterator[None]:
    """transformers' warnings held back for the block, its verbosity restored after."""
    previous = transformers_logging.get_verbosity()
    transformers_logging.set_verbosity_error()
    try:
        yield
    finally:
        transformers_logging.set_verbosity(previous)


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
