"""An optional cross-encoder that re-ranks retrieved chunks: `[retrieval] reranker = "PATH"`.

A cross-encoder reads the question and a passage together and says how well one answers the
other; it ranks better than vectors and BM25 but costs a model run per passage, so it sees
only the `rerank_depth` best fused candidates. The model is a sentence-transformers
`CrossEncoder` saved in a local folder, which the person fetches once when they choose to with
`margin models pull-reranker hf:cross-encoder/ms-marco-MiniLM-L6-v2 --name NAME` (that command
checks a folder with `unusable_reranker` before installing it); the setting itself never
downloads anything. It loads on the first question, with torch. A folder whose weights file
lacks weights the model needs, or holds them in other shapes, is refused: transformers would
fill them with random numbers and only log it. Which weights a safetensors file holds is read
from its header; when that reading finds a weight missing or mis-shaped (it maps names as
transformers does for BERT-like models, not every architecture's renaming), and for other
weights files, the folder is loaded a second time to ask transformers, so a good folder is
never refused on the header's word.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from assistant.errors import ConfigError

SETTING = "retrieval.reranker"
# The weights files transformers looks for in a folder, in its order.
WEIGHTS_FILES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)
# Names old checkpoints give LayerNorm's weights, which transformers renames when loading.
LEGACY_NAMES = {".LayerNorm.gamma": ".LayerNorm.weight", ".LayerNorm.beta": ".LayerNorm.bias"}
PROBE = ("What does a reranker do?", "A reranker scores how well a passage answers a question.")

Shape = tuple[int, ...]


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
    find there (or finds with another shape) with random numbers and only logs it; weights the
    file has and the model does not use are harmless and not counted."""
    weights = _weights_file(network, folder)
    if weights.suffix == ".safetensors":
        missing, mismatched = unfit_weights(network, safetensors_shapes(weights))
        if missing or mismatched:  # names this reading may not map: transformers decides
            missing, mismatched = _reloaded(network, folder)
    else:  # a pickle (pytorch_model.bin) or an index of several files: transformers is asked
        missing, mismatched = _reloaded(network, folder)
    if not missing and not mismatched:
        return None
    total = len(network.state_dict())
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


def safetensors_shapes(weights: Path) -> dict[str, Shape]:
    """The name and shape of each tensor in a safetensors file, read from its header alone."""
    from safetensors import safe_open

    with safe_open(str(weights), framework="pt") as file:
        names = file.keys()  # a safe_open is not iterable itself
        return {name: tuple(file.get_slice(name).get_shape()) for name in names}


def unfit_weights(
    network: Any, shapes: dict[str, Shape]
) -> tuple[list[str], list[tuple[str, Shape, Shape]]]:
    """The weights of `network` that a file holding `shapes` (its tensors' names and shapes)
    lacks, and those it holds in another shape as (name, in the file, in the model), each
    sorted by name. A name in the file means the weight transformers would load it into: with or
    without the base model's prefix (`bert.`), LayerNorm's old `gamma` and `beta` as its
    `weight` and `bias`. Weights tied together (one tensor under two names) are found under
    either name, and those the model's class may lack (`_keys_to_ignore_on_load_missing`) are
    not missing."""
    state = network.state_dict(keep_vars=True)
    model = {name: tuple(tensor.shape) for name, tensor in state.items()}
    found = {
        _model_name(name, network.base_model_prefix, model): shape for name, shape in shapes.items()
    }
    names_of: dict[int, list[str]] = {}
    for name, tensor in state.items():
        names_of.setdefault(id(tensor), []).append(name)
    optional = getattr(network, "_keys_to_ignore_on_load_missing", None) or ()
    missing = [
        name
        for name, tensor in state.items()
        if not any(other in found for other in names_of[id(tensor)])
        and not any(re.search(pattern, name) for pattern in optional)
    ]
    mismatched = [
        (name, shape, model[name])
        for name, shape in found.items()
        if name in model and shape != model[name]
    ]
    return sorted(missing), sorted(mismatched)


def _model_name(name: str, prefix: str, model: dict[str, Shape]) -> str:
    """The model's name for the file's tensor `name`, as transformers renames it on loading."""
    renamed = name
    for old, new in LEGACY_NAMES.items():
        if renamed.endswith(old):
            renamed = renamed.removesuffix(old) + new
    head = f"{prefix}." if prefix else ""
    for candidate in (renamed, name):  # with the prefix, without it, or as it is
        for option in (candidate, candidate.removeprefix(head), head + candidate):
            if option in model:
                return option
    return renamed


def _weights_file(network: Any, folder: Path) -> Path:
    """The file transformers loaded `network`'s weights from: the one config.json names, else
    the first of WEIGHTS_FILES in `folder`."""
    named = getattr(network.config, "transformers_weights", None)
    files = (named,) if named else WEIGHTS_FILES
    return next((folder / file for file in files if (folder / file).is_file()), folder)


def _reloaded(network: Any, folder: Path) -> tuple[list[str], list[Any]]:
    """The missing and mismatched weights of `network` as transformers reports them when
    `folder` is loaded once more by the same class."""
    _, info = type(network).from_pretrained(
        str(folder),
        config=network.config,
        local_files_only=True,
        ignore_mismatched_sizes=True,
        output_loading_info=True,
    )
    return sorted(info["missing_keys"]), sorted(info["mismatched_keys"])


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
