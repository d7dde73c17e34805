"""The vectors of one commit batch: kept from the index, found in the journal, or embedded.

A chunk an edited or re-processed document keeps (same heading and text) keeps its stored
vector; a chunk a stopped run already embedded takes its vector from the journal
(`ingest.vector_journal`); only the rest are embedded, and each slice of those is journaled
as it comes, so what an interrupt leaves is known chunk by chunk (`unfinished`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ingest.chunking import embedding_text
from ingest.embed_slices import SliceCallback, embed_in_slices
from ingest.embedder import Embedder
from ingest.interruption import Unfinished
from ingest.types import Chunk
from ingest.vector_journal import VectorJournal

if TYPE_CHECKING:
    import numpy as np

StoredVectors = Mapping[tuple[str, str, str], "np.ndarray"]  # by (path, heading, text)


class BatchVectors:
    """Fills the vectors of a batch of documents, given as (path, chunks) in order."""

    def __init__(
        self,
        documents: Sequence[tuple[str, Sequence[Chunk]]],
        embedder: Embedder,
        journal: VectorJournal | None,
    ):
        import numpy as np

        self.documents = documents
        self.embedder = embedder
        self.journal = journal
        self.texts = [embedding_text(c) for _, chunks in documents for c in chunks]
        self.vectors = np.empty((len(self.texts), embedder.dim), dtype=np.float32)
        self.done = np.zeros(len(self.texts), dtype=bool)  # has a vector a next run can reuse
        self.embedded = 0  # texts the embedder was given

    def fill(self, stored: StoredVectors, on_slice: SliceCallback) -> np.ndarray:
        """Every vector of the batch, in order of its documents' chunks."""
        rows = ((path, chunk) for path, chunks in self.documents for chunk in chunks)
        for index, (path, chunk) in enumerate(rows):
            vector = stored.get((path, chunk.heading, chunk.text))
            if vector is not None:
                self.vectors[index], self.done[index] = vector, True
        missing = [i for i in range(len(self.texts)) if not self.done[i]]
        if self.journal is not None and missing:
            found = self.journal.vectors(
                self.embedder.model_id, self.embedder.dim, [self.texts[i] for i in missing]
            )
            for position, vector in found.items():
                self.vectors[missing[position]], self.done[missing[position]] = vector, True
        new = [i for i in missing if not self.done[i]]
        texts = [self.texts[i] for i in new]

        def keep(positions: list[int], vectors: np.ndarray) -> None:
            rows = [new[p] for p in positions]
            self.vectors[rows] = vectors
            self.embedded += len(rows)
            journal = self.journal
            if journal is not None and journal.put(
                self.embedder.model_id, [texts[p] for p in positions], vectors
            ):
                self.done[rows] = True

        embed_in_slices(self.embedder, texts, on_slice, on_vectors=keep)
        return self.vectors

    def committed(self) -> None:
        """The batch is in the index: the journal needs none of its vectors any more."""
        if self.journal is not None:
            self.journal.forget(self.embedder.model_id, self.texts)

    def unfinished(self) -> list[Unfinished]:
        """Each document of the batch, with how many of its chunks a next run reuses."""
        found, offset = [], 0
        for path, chunks in self.documents:
            done = int(self.done[offset : offset + len(chunks)].sum())
            found.append(Unfinished(path, len(chunks), done))
            offset += len(chunks)
        return found
