"""Embedders for tests and benches: a small deterministic one (no model, no randomness, no
`hash()`), and a wrapper that keeps what margin gives a real one to embed."""

from __future__ import annotations

import re
import zlib
from typing import TYPE_CHECKING

from ingest.embedder import ready_for_documents

if TYPE_CHECKING:
    import numpy as np

    from ingest.embedder import Embedder

_TOKEN = re.compile(r"\w+|[^\w\s]")


class HashingEmbedder:
    """Bag of hashed tokens: texts sharing words point the same way; tokens are words."""

    def __init__(self, *, dim: int = 64, max_tokens: int = 64, model_id: str = "fake/hashing-64"):
        self.model_id = model_id
        self.dim = dim
        self.max_tokens = max_tokens
        self.calls: list[int] = []  # number of texts per embed_documents call

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        self.calls.append(len(texts))
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for match in _TOKEN.finditer(text.lower()):
                vectors[row, zlib.crc32(match.group().encode()) % self.dim] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return vectors / norms

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.embed_documents(texts)

    def count_tokens(self, text: str) -> int:
        return len(self.token_spans(text)) + 2

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        return [m.span() for m in _TOKEN.finditer(text)]


class RecordingEmbedder:
    """Another embedder (the real one), keeping every text it is given to embed as a
    document; a subclass may also hold or fail a call."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self.max_tokens = inner.max_tokens
        self.texts: list[str] = []

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        self.texts.extend(texts)
        return self.inner.embed_documents(texts)

    def ready_for_documents(self) -> bool:
        return ready_for_documents(self.inner)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def token_spans(self, text: str) -> list[tuple[int, int]]:
        return self.inner.token_spans(text)
